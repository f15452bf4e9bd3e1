// Batch (spec §1.8) through the official SDK: pb.createBatch() success,
// rollback on the first failure, limits, files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

let srv;
let su;

async function expectError(promise, status, message) {
  let caught;
  await assert.rejects(promise, (err) => { caught = err; return true; });
  assert.ok(caught instanceof ClientResponseError, `expected ClientResponseError, got ${caught}`);
  assert.equal(caught.status, status, JSON.stringify(caught.response));
  if (message !== undefined) assert.equal(caught.response.message, message);
  return caught;
}

async function count(name) {
  return (await su.collection(name).getList(1, 1)).totalItems;
}

before(async () => {
  srv = await startServer();
  su = await srv.superuserClient();
  await su.collections.create({
    name: 'cats', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'doc', type: 'file', maxSelect: 2, maxSize: 1 << 20 },
    ],
  });
  await su.collections.create({
    name: 'locked', listRule: '', viewRule: '', createRule: null,
    fields: [{ name: 'name', type: 'text' }],
  });
});

after(async () => { await srv?.stop(); });

test('batch is disabled by default', async () => {
  const batch = srv.pb.createBatch();
  batch.collection('cats').create({ name: 'x' });
  await expectError(batch.send(), 403, 'Batch requests are not allowed.');
  assert.equal(await count('cats'), 0);
});

test('createBatch runs create, upsert, update and delete in one transaction', async () => {
  await su.settings.update({ batch: { enabled: true, maxRequests: 5, timeout: 3 } });
  const batch = srv.pb.createBatch();
  batch.collection('cats').create({ name: 'B1' });
  batch.collection('cats').upsert({ id: 'batchcat0000001', name: 'B2' }, { fields: 'id,name' });
  batch.collection('cats').update('batchcat0000001', { name: 'B2x' });
  batch.collection('cats').upsert({ id: 'batchcat0000001', name: 'B2y' });
  batch.collection('cats').delete('batchcat0000001');
  const res = await batch.send();
  assert.deepEqual(res.map((r) => r.status), [200, 200, 200, 200, 204]);
  assert.equal(res[0].body.name, 'B1');
  assert.deepEqual(res[1].body, { id: 'batchcat0000001', name: 'B2' });
  assert.equal(res[3].body.name, 'B2y');
  assert.equal(res[4].body, null);
  assert.equal(await count('cats'), 1);
});

test('the first failing sub-request rolls everything back', async () => {
  const before = await count('cats');
  const batch = srv.pb.createBatch();
  batch.collection('cats').create({ name: 'rolled back' });
  batch.collection('locked').create({ name: 'forbidden' });
  const err = await expectError(batch.send(), 400, 'Batch transaction failed.');
  const item = err.response.data.requests['1'];
  assert.equal(item.code, 'batch_request_failed');
  assert.equal(item.response.status, 403);
  assert.equal(item.response.message, 'Only superusers can perform this action.');
  assert.equal(await count('cats'), before);
});

test('too many sub-requests are refused before anything runs', async () => {
  const before = await count('cats');
  const batch = srv.pb.createBatch();
  for (let i = 0; i < 6; i++) batch.collection('cats').create({ name: 'n' + i });
  const err = await expectError(batch.send(), 400, 'Invalid batch request data.');
  assert.equal(err.response.data.requests.code, 'validation_length_too_long');
  assert.equal(await count('cats'), before);
});

test('files ride along in a multipart batch', async () => {
  const batch = srv.pb.createBatch();
  batch.collection('cats').create({ name: 'with file', doc: new Blob(['hello'], { type: 'text/plain' }) });
  batch.collection('cats').create({ name: 'plain' });
  const res = await batch.send();
  assert.deepEqual(res.map((r) => r.status), [200, 200]);
  assert.equal(res[0].body.doc.length, 1);
  assert.match(res[0].body.doc[0], /\.txt$/);
});
