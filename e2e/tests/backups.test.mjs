import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

// On PostgreSQL the backups are portable archives restored in place (no
// restart); the same test holds on either engine.
const skip = false;

// A fixed port: after an API restore the process re-executes itself with
// the same arguments, and must come back where the client looks for it.
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let srv;
let pb;
before(async () => {
  srv = await startServer({ args: ['--http', `127.0.0.1:${await freePort()}`] });
  pb = await srv.superuserClient();
});
after(async () => { await srv?.stop(); });

const keys = async (client) => (await client.backups.getFullList()).map((b) => b.key).sort();

async function rejectsWith(promise, status, check) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ClientResponseError, String(err));
    assert.equal(err.status, status, JSON.stringify(err.response));
    check?.(err.response);
    return true;
  });
}

test('backups: create, list, download with a file token, upload, restore, delete', { skip }, async () => {
  await pb.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'title', type: 'text' }] });
  const kept = await pb.collection('notes').create({ title: 'before the backup' });

  assert.equal(await pb.backups.create('one.zip'), true);
  const list = await pb.backups.getFullList();
  const one = list.find((b) => b.key === 'one.zip');
  assert.ok(one && one.size > 0 && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/.test(one.modified), JSON.stringify(list));

  const token = await pb.files.getToken();
  const res = await fetch(pb.backups.getDownloadURL(token, 'one.zip'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  assert.equal((await fetch(pb.backups.getDownloadURL('', 'one.zip'))).status, 403);

  assert.equal(await pb.backups.upload({ file: new File([bytes], 'copy.zip', { type: 'application/zip' }) }), true);
  assert.deepEqual(await keys(pb), ['copy.zip', 'one.zip']);

  const dropped = await pb.collection('notes').create({ title: 'after the backup' });
  assert.equal(await pb.backups.restore('copy.zip'), true);

  // The server restarts itself on the restored data: poll, bounded.
  const deadline = Date.now() + 30_000;
  let su;
  for (;;) {
    try {
      su = await srv.superuserClient();
      const ids = (await su.collection('notes').getFullList()).map((r) => r.id);
      if (!ids.includes(dropped.id)) {
        assert.deepEqual(ids, [kept.id]);
        break;
      }
    } catch { /* restarting */ }
    assert.ok(Date.now() < deadline, `the restore did not take effect:\n${srv.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(await keys(su), ['copy.zip', 'one.zip']);
  assert.equal(await su.backups.delete('copy.zip'), true);
  assert.deepEqual(await keys(su), ['one.zip']);
  pb = su;
});

test('backups: bad input answers PocketBase errors and changes nothing', { skip }, async () => {
  const before = await keys(pb);
  await rejectsWith(pb.backups.create('../escape.zip'), 400, (r) => {
    assert.equal(r.message, 'An error occurred while validating the submitted data.');
    assert.equal(r.data.name.code, 'validation_match_invalid');
  });
  await rejectsWith(pb.backups.create('one.zip'), 400, (r) => assert.equal(r.data.name.code, 'validation_backup_name_exists'));
  await rejectsWith(pb.backups.upload({ file: new File(['not a zip'], 'text.zip') }), 400,
    (r) => assert.equal(r.data.file.code, 'validation_invalid_mime_type'));
  await rejectsWith(pb.backups.delete('missing.zip'), 400,
    (r) => assert.match(r.message, /^Invalid or already deleted backup file\. Raw error:/));
  await rejectsWith(pb.backups.restore('missing.zip'), 400, (r) => assert.equal(r.message, 'Missing or invalid backup file.'));
  await rejectsWith(srv.pb.backups.getFullList(), 401);
  assert.deepEqual(await keys(pb), before);
});
