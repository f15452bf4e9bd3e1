// The backups round trip of backups.test.mjs with settings.backups.s3 on:
// every archive lives in a real S3 bucket (versitygw, see lib/s3server.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';
import { startS3Server, s3ServerSkipReason } from '../lib/s3server.mjs';

// node:test skips on any string, even an empty one.
const skip = s3ServerSkipReason() || false;
const S3 = Object.freeze({ access: 'e2eaccess', secret: 'e2e/secret+key', bucket: 'e2e-backups' });

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

let s3;
let srv;
let pb;
before(async () => {
  if (skip) return;
  s3 = await startS3Server(S3);
  srv = await startServer({ args: ['--http', `127.0.0.1:${await freePort()}`] });
  pb = await srv.superuserClient();
  await pb.settings.update({
    backups: {
      s3: {
        enabled: true, bucket: S3.bucket, region: 'us-east-1', endpoint: s3.endpoint,
        accessKey: S3.access, secret: S3.secret, forcePathStyle: true,
      },
    },
  });
});
after(async () => {
  await srv?.stop();
  await s3?.stop();
});

const keys = async (client) => (await client.backups.getFullList()).map((b) => b.key).sort();
const inBucket = () => fs.readdirSync(s3.bucketDir).filter((n) => !n.startsWith('.')).sort();
const localBackups = () => {
  try { return fs.readdirSync(path.join(srv.dataDir, 'backups')); } catch { return []; }
};

async function rejectsWith(promise, status, check) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ClientResponseError, String(err));
    assert.equal(err.status, status, JSON.stringify(err.response));
    assert.equal(err.response.status, status, JSON.stringify(err.response));
    assert.equal(typeof err.response.message, 'string', JSON.stringify(err.response));
    assert.equal(typeof err.response.data, 'object', JSON.stringify(err.response));
    check?.(err.response);
    return true;
  });
}

test('backups on S3: create, list, download with a file token, upload, restore, delete', { skip }, async () => {
  await pb.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'title', type: 'text' }] });
  const kept = await pb.collection('notes').create({ title: 'before the backup' });

  assert.equal(await pb.backups.create('one.zip'), true);
  assert.deepEqual(inBucket(), ['one.zip'], 'the archive is written to the bucket');
  assert.deepEqual(localBackups(), [], 'nothing is written to pb_data/backups');
  const list = await pb.backups.getFullList();
  const one = list.find((b) => b.key === 'one.zip');
  assert.ok(one && one.size === fs.statSync(path.join(s3.bucketDir, 'one.zip')).size, JSON.stringify(list));
  assert.match(one.modified, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);

  const token = await pb.files.getToken();
  const res = await fetch(pb.backups.getDownloadURL(token, 'one.zip'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment/);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  assert.equal(bytes.length, one.size);
  assert.equal((await fetch(pb.backups.getDownloadURL('', 'one.zip'))).status, 403);

  assert.equal(await pb.backups.upload({ file: new File([bytes], 'copy.zip', { type: 'application/zip' }) }), true);
  assert.deepEqual(await keys(pb), ['copy.zip', 'one.zip']);
  assert.deepEqual(inBucket(), ['copy.zip', 'one.zip']);

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
  // The restored settings still point at the bucket.
  assert.equal((await su.settings.getAll()).backups.s3.enabled, true);
  assert.deepEqual(await keys(su), ['copy.zip', 'one.zip']);
  assert.equal(await su.backups.delete('copy.zip'), true);
  assert.deepEqual(await keys(su), ['one.zip']);
  assert.deepEqual(inBucket(), ['one.zip']);
  assert.deepEqual(localBackups(), []);
  pb = su;
});

test('backups on S3: a missing key answers PocketBase errors and changes nothing', { skip }, async () => {
  const before = inBucket();
  const token = await pb.files.getToken();
  const res = await fetch(pb.backups.getDownloadURL(token, 'missing.zip'));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { status: 404, message: "The requested resource wasn't found.", data: {} });
  await rejectsWith(pb.backups.delete('missing.zip'), 400,
    (r) => assert.match(r.message, /^Invalid or already deleted backup file\. Raw error:/));
  await rejectsWith(pb.backups.restore('missing.zip'), 400, (r) => assert.equal(r.message, 'Missing or invalid backup file.'));
  await rejectsWith(pb.backups.create('one.zip'), 400, (r) => assert.equal(r.data.name.code, 'validation_backup_name_exists'));
  await rejectsWith(pb.backups.upload({ file: new File(['not a zip'], 'text.zip') }), 400,
    (r) => assert.equal(r.data.file.code, 'validation_invalid_mime_type'));
  assert.deepEqual(inBucket(), before);
  assert.deepEqual(await keys(pb), before);
});

test('backups on S3: an automatic backup (settings.backups.cron) is listed, downloaded and deleted by its SDK-encoded key', { skip }, async () => {
  const before = inBucket();
  await pb.settings.update({ backups: { cron: '0 3 * * *', cronMaxKeep: 1 } });
  assert.ok((await pb.crons.getFullList()).some((j) => j.id === '__pbAutoBackup__' && j.expression === '0 3 * * *'));
  assert.equal(await pb.crons.run('__pbAutoBackup__'), true);

  // The job runs in the background: poll, bounded.
  const deadline = Date.now() + 30_000;
  let auto;
  while (!(auto = (await keys(pb)).find((k) => k.startsWith('@auto_pb_backup_')))) {
    assert.ok(Date.now() < deadline, `no automatic backup appeared:\n${srv.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(inBucket(), [auto, ...before].sort(), 'the automatic backup is in the bucket');
  assert.deepEqual(localBackups(), []);

  // getDownloadURL and delete send the "@" as %40 (encodeURIComponent).
  const res = await fetch(pb.backups.getDownloadURL(await pb.files.getToken(), auto));
  assert.equal(res.status, 200, await res.clone().text());
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 4)], [0x50, 0x4b, 0x03, 0x04]);
  assert.equal(await pb.backups.delete(auto), true);
  assert.deepEqual(inBucket(), before);
  await pb.settings.update({ backups: { cron: '' } });
});
