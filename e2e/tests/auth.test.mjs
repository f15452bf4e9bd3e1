// SDK end-to-end tests of the auth flows (spec §1.4, §1.5). Mails are
// captured by the SMTP sink of lib/smtpsink.mjs on 127.0.0.1 (the one fake
// at a true external edge); the server is pointed at it through the normal
// settings API, so no test-only server code is involved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';
import { startSMTPSink } from '../lib/smtpsink.mjs';

function tokenOf(mail) {
  const m = mail.match(/\/auth\/confirm-[a-z-]+\/([\w-]+\.[\w-]+\.[\w-]+)/);
  assert.ok(m, `no token link in mail:\n${mail}`);
  return m[1];
}

function otpOf(mail) {
  const m = mail.match(/<strong>(\d+)<\/strong>/);
  assert.ok(m, `no OTP code in mail:\n${mail}`);
  return m[1];
}

let srv;
let sink;
let su;
let mailCount = 0;
const nextMail = async () => (await sink.nth(++mailCount)).text;

before(async () => {
  sink = await startSMTPSink();
  srv = await startServer();
  su = await srv.superuserClient();
  await su.settings.update({ smtp: { enabled: true, host: '127.0.0.1', port: sink.port } });
});
after(async () => {
  await srv?.stop();
  await sink?.close();
});

async function newUser(email, password = 'password123', verified = false) {
  return su.collection('users').create({ email, password, passwordConfirm: password, verified });
}

test('listAuthMethods', async () => {
  const pb = srv.newClient();
  const m = await pb.collection('users').listAuthMethods();
  assert.equal(m.password.enabled, true);
  assert.deepEqual(m.password.identityFields, ['email']);
  assert.equal(m.otp.enabled, false);
  assert.equal(m.mfa.enabled, false);
  assert.deepEqual(m.oauth2.providers, []);
});

test('authWithPassword, authRefresh and a wrong password', async () => {
  await newUser('pw@example.com', 'password123', true);
  const pb = srv.newClient();
  const res = await pb.collection('users').authWithPassword('pw@example.com', 'password123');
  assert.equal(res.record.email, 'pw@example.com');
  assert.equal(pb.authStore.isValid, true);
  const refreshed = await pb.collection('users').authRefresh();
  assert.equal(refreshed.record.id, res.record.id);
  await assert.rejects(
    srv.newClient().collection('users').authWithPassword('pw@example.com', 'wrong-password'),
    (err) => err instanceof ClientResponseError && err.status === 400 && err.response.message === 'Failed to authenticate.');
});

test('requestVerification → confirmVerification with the mailed token; the token is single-use', async () => {
  const user = await newUser('verify@example.com');
  const pb = srv.newClient();
  assert.equal(await pb.collection('users').requestVerification('verify@example.com'), true);
  const mail = await nextMail();
  assert.match(mail, /To: <verify@example\.com>/);
  const token = tokenOf(mail);
  assert.equal(await pb.collection('users').confirmVerification(token), true);
  const after = await su.collection('users').getOne(user.id);
  assert.equal(after.verified, true);
  // A replay fails, also after a superuser un-verified the account (issue #22).
  await su.collection('users').update(user.id, { verified: false });
  await assert.rejects(pb.collection('users').confirmVerification(token),
    (err) => err.status === 400 && err.response.data.token?.code === 'validation_invalid_token');
  assert.equal((await su.collection('users').getOne(user.id)).verified, false);
});

test('requestPasswordReset → confirmPasswordReset; the token is single-use', async () => {
  await newUser('reset@example.com');
  const pb = srv.newClient();
  const old = await srv.newClient().collection('users').authWithPassword('reset@example.com', 'password123');
  await pb.collection('users').requestPasswordReset('reset@example.com');
  const token = tokenOf(await nextMail());
  await pb.collection('users').confirmPasswordReset(token, 'newpassword1', 'newpassword1');
  await pb.collection('users').authWithPassword('reset@example.com', 'newpassword1');
  await assert.rejects(pb.collection('users').confirmPasswordReset(token, 'newpassword2', 'newpassword2'),
    (err) => err.status === 400 && err.response.data.token?.code === 'validation_invalid_token');
  const stale = srv.newClient();
  stale.authStore.save(old.token, old.record);
  await assert.rejects(stale.collection('users').authRefresh(), (err) => err.status === 401);
});

test('requestEmailChange → confirmEmailChange', async () => {
  await newUser('change@example.com', 'password123', true);
  const pb = srv.newClient();
  await pb.collection('users').authWithPassword('change@example.com', 'password123');
  await pb.collection('users').requestEmailChange('changed@example.com');
  const mail = await nextMail();
  assert.match(mail, /To: <changed@example\.com>/);
  await srv.newClient().collection('users').confirmEmailChange(tokenOf(mail), 'password123');
  const res = await srv.newClient().collection('users').authWithPassword('changed@example.com', 'password123');
  assert.equal(res.record.email, 'changed@example.com');
});

test('requestOTP → authWithOTP, then the OTP cannot be replayed; MFA with password + OTP', async () => {
  await su.collections.update('users', { otp: { enabled: true, length: 6 } });
  await newUser('otp@example.com');
  const pb = srv.newClient();
  const { otpId } = await pb.collection('users').requestOTP('otp@example.com');
  const code = otpOf(await nextMail());
  const res = await pb.collection('users').authWithOTP(otpId, code);
  assert.equal(res.record.email, 'otp@example.com');
  assert.equal(res.record.verified, true);
  await assert.rejects(srv.newClient().collection('users').authWithOTP(otpId, code),
    (err) => err.status === 400 && err.response.message === 'Invalid or expired OTP.');

  await su.collections.update('users', { mfa: { enabled: true } });
  try {
    const client = srv.newClient();
    let mfaId;
    try {
      await client.collection('users').authWithPassword('otp@example.com', 'password123');
      assert.fail('expected the MFA 401');
    } catch (err) {
      assert.equal(err.status, 401);
      mfaId = err.response.mfaId;
    }
    assert.equal(typeof mfaId, 'string');
    const second = await client.collection('users').requestOTP('otp@example.com');
    const code2 = otpOf(await nextMail());
    const done = await client.collection('users').authWithOTP(second.otpId, code2, { mfaId });
    assert.equal(done.record.email, 'otp@example.com');
    assert.equal(client.authStore.isValid, true);
  } finally {
    await su.collections.update('users', { mfa: { enabled: false } });
  }
});

test('impersonate returns a non-refreshable client for the record', async () => {
  const user = await newUser('imp@example.com', 'password123', true);
  const client = await su.collection('users').impersonate(user.id, 600);
  assert.equal(client.authStore.record.id, user.id);
  assert.equal(client.authStore.isValid, true);
  const claims = JSON.parse(Buffer.from(client.authStore.token.split('.')[1], 'base64url').toString('utf8'));
  assert.equal(claims.refreshable, false);
  const refreshed = await client.collection('users').authRefresh();
  assert.equal(refreshed.token, client.authStore.token);
  await assert.rejects(srv.newClient().collection('users').impersonate(user.id, 600), (err) => err.status === 401);
});
