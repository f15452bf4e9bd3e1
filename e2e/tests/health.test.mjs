import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

test('health.check() as guest', async () => {
  const res = await srv.pb.health.check();
  assert.equal(res.code, 200);
  assert.equal(res.message, 'API is healthy.');
  assert.deepEqual(res.data, {});
});

test('health.check() as superuser has extra data', async () => {
  const su = await srv.superuserClient();
  const res = await su.health.check();
  assert.equal(res.code, 200);
  assert.equal(res.data.canBackup, true);
  assert.equal(res.data.realIP, '127.0.0.1');
  assert.equal(typeof res.data.possibleProxyHeader, 'string');
});

test('health.check() honours fields', async () => {
  const res = await srv.pb.health.check({ fields: 'message' });
  assert.deepEqual(res, { message: 'API is healthy.' });
});
