// A tiny SMTP sink for the end-to-end suites (the SDK e2e in e2e/ and the
// dashboard e2e in admin/e2e): the one fake at a true external edge, which
// the server is pointed at through the ordinary settings API/UI.
import net from 'node:net';

/** startSMTPSink accepts SMTP deliveries on 127.0.0.1 (the one fake at a
 * true external edge: the server is pointed at it through the ordinary
 * settings API/UI) and keeps every mail with its envelope recipients and
 * its quoted-printable-decoded data. */
export function startSMTPSink() {
  const mails = [];
  const waiters = new Set();
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setEncoding('utf8');
    sock.setTimeout(30000, () => sock.destroy());
    let buf = '', inData = false, data = '', rcpt = [];
    sock.write('220 sink ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          // undo dot-stuffing (RFC 5321 §4.5.2), then quoted-printable
          const raw = data.replace(/^\.\./gm, '.');
          mails.push({ to: rcpt, raw, text: decodeQP(raw) });
          data = ''; rcpt = [];
          sock.write('250 queued\r\n');
          for (const w of waiters) w();
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250 sink\r\n');
        else if (cmd === 'RCPT') { const m = /<([^>]*)>/.exec(line); rcpt.push((m ? m[1] : line.slice(8)).toLowerCase()); sock.write('250 ok\r\n'); }
        else if (cmd === 'DATA') { inData = true; sock.write('354 go ahead\r\n'); }
        else if (cmd === 'QUIT') { sock.end('221 bye\r\n'); return; }
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      mails,
      /** nth resolves with the n-th mail (1-based) in arrival order. */
      async nth(n) {
        const deadline = Date.now() + 10000;
        while (mails.length < n) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for mail ${n} (got ${mails.length})`);
          await new Promise((r) => { const w = () => { waiters.delete(w); r(); }; waiters.add(w); setTimeout(w, 200); });
        }
        return mails[n - 1];
      },
      /** mark returns a position: waitFor only looks at mails after it. */
      mark: () => mails.length,
      /** waitFor resolves with the first mail after `since` sent to `to`
       * whose decoded text matches `re` (fails after 10 s, listing what came). */
      async waitFor(to, re, since = 0) {
        const deadline = Date.now() + 10000;
        for (;;) {
          const m = mails.slice(since).find((x) => x.to.includes(to.toLowerCase()) && (!re || re.test(x.text)));
          if (m) return m;
          if (Date.now() > deadline) {
            throw new Error(`no mail to ${to} matching ${re} within 10 s; got ${mails.length - since}:\n` +
              mails.slice(since).map((x) => '  to ' + x.to.join(',') + ': ' + (/^Subject: .*$/m.exec(x.text) || [''])[0]).join('\n'));
          }
          await new Promise((r) => { const w = () => { waiters.delete(w); r(); }; waiters.add(w); setTimeout(w, 200); });
        }
      },
      close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
    }));
  });
}

function decodeQP(raw) {
  return raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}
