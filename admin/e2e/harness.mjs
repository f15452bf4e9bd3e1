// Shared e2e plumbing: build/start the real binary on 127.0.0.1:0 with a
// temp data dir, launch Debian's chromium through playwright-core, and a
// tiny sequential test runner that prints "N passed, N failed".
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const adminDir = resolve(here, '..');
export const repoDir = resolve(adminDir, '..');
export const shotsDir = join(adminDir, 'test-results');

export function buildBinary() {
  if (process.env.BASALT_BIN) return process.env.BASALT_BIN;
  const out = join(mkdtempSync(join(tmpdir(), 'basalt-bin-')), 'basalt');
  execFileSync('go', ['build', '-o', out, '.'], { cwd: repoDir, stdio: 'inherit' });
  return out;
}

/** freePort asks the kernel for a port that is free right now. */
export function freePort() {
  return new Promise((res, rej) => {
    const l = net.createServer();
    l.on('error', rej);
    l.listen(0, '127.0.0.1', () => { const p = l.address().port; l.close(() => res(p)); });
  });
}

/** startServer runs `serve` on a temp data dir. fixedPort: listen on a
 * port chosen up front instead of :0, so a restart (the re-exec after an
 * API restore, same arguments) comes back at the same address. */
export async function startServer(bin, { fixedPort = false } = {}) {
  // the data dir sits inside its own temp dir: pb_migrations/ is written
  // beside it (automigrate), so nothing leaks between runs
  const root = mkdtempSync(join(tmpdir(), 'basalt-e2e-'));
  const dir = join(root, 'pb_data');
  mkdirSync(dir);
  const addr = '127.0.0.1:' + (fixedPort ? await freePort() : 0);
  const proc = spawn(bin, ['serve', '--http', addr, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('server did not start:\n' + out)), 30000);
    const on = (d) => {
      out += d.toString();
      const url = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const inst = /(http:\/\/\S+\/_\/#\/pbinstal\/\S+)/.exec(out);
      if (url && inst) { clearTimeout(timer); res({ url: url[1], installer: inst[1] }); }
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.on('exit', (c) => rej(new Error('server exited ' + c + ':\n' + out)));
  });
  const info = await ready;
  let stopping = false;
  // a crash mid-run shows up as connection errors in the browser: say why
  proc.on('exit', (code, sig) => {
    if (!stopping) console.log(`     server exited unexpectedly (code ${code}, signal ${sig}); its output:\n` + out.split('\n').slice(-60).join('\n'));
  });
  return { ...info, dir, stop() { stopping = true; proc.kill('SIGTERM'); try { rmSync(root, { recursive: true, force: true }); } catch {} } };
}

/** launch starts chromium; extra are more context options (e.g. bypassCSP). */
export async function launch(extra = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'basalt-chrome-'));
  // a fresh --user-data-dir (playwright passes it from the first argument)
  const context = await chromium.launchPersistentContext(profile, {
    ...extra,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

export function runner() {
  const tests = [];
  return {
    test(name, fn) { tests.push({ name, fn }); },
    async run(ctx) {
      let passed = 0, failed = 0;
      for (const t of tests) {
        const t0 = Date.now();
        try {
          await t.fn(ctx);
          passed++;
          console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          failed++;
          console.log(`FAIL ${t.name}\n     ${(e && e.stack) || e}`);
          if (ctx.page) await ctx.page.screenshot({ path: join(shotsDir, 'FAIL-' + t.name.replace(/\W+/g, '_') + '.png') }).catch(() => {});
          if (ctx.stopOnFail !== false) break;
        }
      }
      const skipped = tests.length - passed - failed;
      console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
      return failed === 0 && skipped === 0;
    },
  };
}

export function ensureShots() { if (!existsSync(shotsDir)) mkdirSync(shotsDir, { recursive: true }); }

export function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

/** api calls the server's HTTP API (JSON or FormData body; token as the
 * Authorization header) and returns { status, body (parsed JSON or null), text }. */
export async function api(server, method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = token;
  if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method, headers, body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch {}
  return { status: res.status, body: json, text };
}

/** eventually asserts that check() becomes true within ms (polled, bounded):
 * a button's enabled state follows an input a render later, so reading it
 * the instant after page.fill() races the page under load. */
export async function eventually(check, msg, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('assertion failed (after ' + ms + ' ms): ' + msg);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { startSMTPSink } from '../../e2e/lib/smtpsink.mjs';

/** mailLink returns the dashboard link of a mail (APP_URL + /_/#/auth/...). */
export function mailLink(mail, action) {
  const m = new RegExp(`href="([^"]*/_/#/auth/${action}/[\\w-]+\\.[\\w-]+\\.[\\w-]+)"`).exec(mail.text);
  if (!m) throw new Error(`no ${action} link in mail:\n${mail.text}`);
  return m[1];
}

/** mailOTP returns the one-time password of an OTP mail. */
export function mailOTP(mail) {
  const m = /<strong>(\d+)<\/strong>/.exec(mail.text);
  if (!m) throw new Error('no OTP code in mail:\n' + mail.text);
  return m[1];
}

/** findVersitygw returns the path of the S3 server the Go tests use
 * (installed by internal/files/testdata/install-s3-server.sh into
 * $(go env GOPATH)/bin, which scripts/test.sh runs before this), or ''. */
export function findVersitygw() {
  if (process.env.VERSITYGW) return existsSync(process.env.VERSITYGW) ? process.env.VERSITYGW : '';
  for (const dir of (process.env.PATH || '').split(':')) {
    if (dir && existsSync(join(dir, 'versitygw'))) return join(dir, 'versitygw');
  }
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    for (const dir of gopath.split(':')) if (existsSync(join(dir, 'bin', 'versitygw'))) return join(dir, 'bin', 'versitygw');
  } catch {}
  return '';
}

/** startS3 runs versitygw (posix backend) on 127.0.0.1 with a temp dir and
 * one bucket; it throws with a clear message when the binary is missing. */
export async function startS3({ access, secret, bucket }) {
  const bin = findVersitygw();
  if (!bin) throw new Error('versitygw (the S3 server of the Go tests) is not installed' +
    (process.env.VERSITYGW ? ` ($VERSITYGW=${process.env.VERSITYGW} does not exist)` : '') +
    ': run bash internal/files/testdata/install-s3-server.sh (scripts/test.sh does, before the admin checks) or set $VERSITYGW');
  const root = mkdtempSync(join(tmpdir(), 'basalt-s3-'));
  const data = join(root, 'data'), meta = join(root, 'meta');
  mkdirSync(join(data, bucket), { recursive: true });
  mkdirSync(meta);
  const port = await freePort();
  const addr = '127.0.0.1:' + port;
  const proc = spawn(bin, ['--access', access, '--secret', secret, '--port', addr, '--region', 'us-east-1', '--quiet',
    'posix', '--sidecar', meta, data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  let exited = null;
  proc.on('exit', (c) => (exited = c));
  proc.on('error', (e) => { out += String(e); exited ??= -1; });
  const stop = () => { if (exited === null) proc.kill('SIGKILL'); rmSync(root, { recursive: true, force: true }); };
  for (const deadline = Date.now() + 15000; ;) {
    const ok = await new Promise((res) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); res(true); });
      c.on('error', () => res(false));
    });
    if (ok) break;
    if (exited !== null || Date.now() > deadline) { stop(); throw new Error(`versitygw did not start (${bin}, exit ${exited}):\n${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: 'http://' + addr, stop };
}
