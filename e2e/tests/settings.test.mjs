import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

let srv;
let pb;
before(async () => {
  srv = await startServer();
  pb = await srv.superuserClient();
});
after(async () => { await srv?.stop(); });

test('getAll() returns the default settings shape', async () => {
  const s = await pb.settings.getAll();
  for (const key of ['smtp', 'backups', 's3', 'meta', 'rateLimits', 'trustedProxy', 'batch', 'logs']) {
    assert.equal(typeof s[key], 'object', `settings.${key}`);
  }
  assert.equal(typeof s.meta.appName, 'string');
  assert.equal(typeof s.meta.appURL, 'string');
  assert.ok(Array.isArray(s.rateLimits.rules));
  assert.equal(s.logs.maxDays, 5);
  assert.equal(s.batch.maxRequests, 50);
});

test('update({meta:{appName}}) round trips and keeps the other keys', async () => {
  const before = await pb.settings.getAll();
  const updated = await pb.settings.update({ meta: { appName: 'X' } });
  assert.equal(updated.meta.appName, 'X');
  assert.equal(updated.meta.appURL, before.meta.appURL, 'deep merge keeps sibling keys');
  assert.equal(updated.meta.senderAddress, before.meta.senderAddress);
  const again = await pb.settings.getAll();
  assert.equal(again.meta.appName, 'X');
  assert.deepEqual(again.logs, before.logs);
});

test('invalid value → 400 with data.meta.appName.code', async () => {
  await assert.rejects(pb.settings.update({ meta: { appName: '' } }), (err) => {
    assert.ok(err instanceof ClientResponseError);
    assert.equal(err.status, 400);
    assert.equal(err.response.message, 'An error occurred while saving the new settings.');
    assert.equal(err.response.data.meta.appName.code, 'validation_required');
    return true;
  });
  await assert.rejects(pb.settings.update({ meta: { senderAddress: 'not-an-email' } }), (err) => {
    assert.equal(err.status, 400);
    assert.equal(typeof err.response.data.meta.senderAddress.code, 'string');
    return true;
  });
  // A rejected update changes nothing.
  const s = await pb.settings.getAll();
  assert.notEqual(s.meta.appName, '');
  assert.notEqual(s.meta.senderAddress, 'not-an-email');
});

test('secrets are write-only: never returned by update or getAll', async () => {
  const res = await pb.settings.update({
    smtp: { password: 'smtp-secret-value' },
    s3: { secret: 's3-secret-value' },
    backups: { s3: { secret: 'backup-secret-value' } },
  });
  const all = await pb.settings.getAll();
  for (const s of [res, all]) {
    const text = JSON.stringify(s);
    assert.ok(!text.includes('smtp-secret-value'), 'smtp.password leaked');
    assert.ok(!text.includes('s3-secret-value'), 's3.secret leaked');
    assert.ok(!text.includes('backup-secret-value'), 'backups.s3.secret leaked');
    assert.equal('password' in s.smtp, false);
    assert.equal('secret' in s.s3, false);
    assert.equal('secret' in s.backups.s3, false);
  }
});

test('settings need a superuser: guest → 401', async () => {
  await assert.rejects(srv.newClient().settings.getAll(), (err) => {
    assert.equal(err.status, 401);
    return true;
  });
});

test('settings honour fields', async () => {
  const s = await pb.settings.getAll({ fields: 'meta.appName' });
  assert.deepEqual(Object.keys(s), ['meta']);
  assert.deepEqual(Object.keys(s.meta), ['appName']);
});
