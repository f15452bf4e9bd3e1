import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

function jwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

test('authWithPassword stores a valid superuser token and record', async () => {
  const pb = srv.newClient();
  assert.equal(pb.authStore.isValid, false);
  const res = await pb.collection('_superusers').authWithPassword(srv.superuser.email, srv.superuser.password);
  assert.equal(typeof res.token, 'string');
  assert.equal(res.record.email, srv.superuser.email);
  assert.equal(res.record.collectionName, '_superusers');
  assert.equal(res.record.collectionId, 'pbc_3142635823');
  assert.equal(res.record.verified, true);
  assert.equal(pb.authStore.token, res.token);
  assert.equal(pb.authStore.record.id, res.record.id);
  assert.equal(pb.authStore.isValid, true);
  assert.equal(pb.authStore.isSuperuser, true);
  const claims = jwtPayload(res.token);
  assert.equal(claims.type, 'auth');
  assert.equal(claims.collectionId, 'pbc_3142635823');
  assert.equal(claims.id, res.record.id);
  assert.equal(claims.refreshable, true);
});

test('auth response never exposes password or tokenKey (spec §5.8)', async () => {
  const pb = srv.newClient();
  const res = await pb.collection('_superusers').authWithPassword(srv.superuser.email, srv.superuser.password);
  assert.equal('password' in res.record, false, 'password must not be serialized');
  assert.equal('tokenKey' in res.record, false, 'tokenKey must not be serialized');
  const viewed = await pb.collection('_superusers').getOne(res.record.id);
  assert.equal('password' in viewed, false, 'password must not be serialized (view)');
  assert.equal('tokenKey' in viewed, false, 'tokenKey must not be serialized even for superusers (view)');
});

test('authRefresh issues a fresh token for the same record', async () => {
  const pb = srv.newClient();
  const first = await pb.collection('_superusers').authWithPassword(srv.superuser.email, srv.superuser.password);
  // exp has one-second resolution: wait until the next second so a new token differs.
  await new Promise((r) => setTimeout(r, 1100));
  const res = await pb.collection('_superusers').authRefresh();
  assert.equal(res.record.id, first.record.id);
  assert.equal(res.record.email, srv.superuser.email);
  assert.notEqual(res.token, first.token);
  assert.ok(jwtPayload(res.token).exp > jwtPayload(first.token).exp);
  assert.equal(pb.authStore.token, res.token);
  assert.equal(pb.authStore.isSuperuser, true);
});

test('authRefresh without a token → 401', async () => {
  const pb = srv.newClient();
  await assert.rejects(pb.collection('_superusers').authRefresh(), (err) => {
    assert.ok(err instanceof ClientResponseError);
    assert.equal(err.status, 401);
    return true;
  });
});

test('wrong password → ClientResponseError 400 "Failed to authenticate."', async () => {
  const pb = srv.newClient();
  await assert.rejects(
    pb.collection('_superusers').authWithPassword(srv.superuser.email, 'not-the-password'),
    (err) => {
      assert.ok(err instanceof ClientResponseError);
      assert.equal(err.status, 400);
      assert.equal(err.response.status, 400);
      assert.equal(err.response.message, 'Failed to authenticate.');
      assert.deepEqual(err.response.data, {});
      return true;
    });
  assert.equal(pb.authStore.isValid, false);
});

test('unknown identity → 400 like a wrong password', async () => {
  const pb = srv.newClient();
  await assert.rejects(
    pb.collection('_superusers').authWithPassword('nobody@example.com', 'whatever-123'),
    (err) => err instanceof ClientResponseError && err.status === 400);
});

test('missing identity → 400 with field errors', async () => {
  const pb = srv.newClient();
  await assert.rejects(pb.collection('_superusers').authWithPassword('', ''), (err) => {
    assert.equal(err.status, 400);
    assert.equal(err.response.data.identity.code, 'validation_required');
    assert.equal(err.response.data.password.code, 'validation_required');
    return true;
  });
});

test('authStore.clear() logs out; superuser-only routes then 401', async () => {
  const pb = await srv.superuserClient();
  await pb.collections.getList(1, 1);
  pb.authStore.clear();
  assert.equal(pb.authStore.isValid, false);
  assert.equal(pb.authStore.isSuperuser, false);
  await assert.rejects(pb.collections.getList(1, 1), (err) => err.status === 401);
});
