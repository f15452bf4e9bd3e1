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

test('crons.getFullList() lists user jobs, then the system jobs', async () => {
  const jobs = await pb.crons.getFullList();
  // PocketBase's shape is {id, expression}; Basalt adds its run state
  // (running, lastRun, ...) as extra keys the SDK ignores.
  // (a scheduled job may be running at this instant: only the type is fixed)
  for (const j of jobs) assert.equal(typeof j.running, 'boolean', `${j.id} running`);
  assert.deepEqual(jobs.map(({ id, expression }) => ({ id, expression })), [
    { id: 'deleteExpiredRecords', expression: '*/10 * * * *' }, // hooks/hooks.go
    { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
    { id: '__pbMFACleanup__', expression: '0 * * * *' },
    { id: '__pbOTPCleanup__', expression: '0 * * * *' },
  ]);
});

test('crons.run(id) runs the job', async () => {
  await pb.collections.create({
    name: 'expiring',
    type: 'base',
    listRule: null,
    fields: [{ name: 'expires', type: 'date' }],
  });
  const past = new Date(Date.now() - 3600_000).toISOString().replace('T', ' ');
  const future = new Date(Date.now() + 3600_000).toISOString().replace('T', ' ');
  const expired = await pb.collection('expiring').create({ expires: past });
  const kept = await pb.collection('expiring').create({ expires: future });

  assert.equal(await pb.crons.run('deleteExpiredRecords'), true);
  // The run is asynchronous (204 at once): poll, bounded.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = await pb.collection('expiring').getFullList();
    if (!left.some((r) => r.id === expired.id)) {
      assert.deepEqual(left.map((r) => r.id), [kept.id]);
      break;
    }
    assert.ok(Date.now() < deadline, 'the expired record was not deleted');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await pb.crons.run('__pbLogsCleanup__'), true);
});

test('crons: unknown id → 404, guests → 401, and nothing changes', async () => {
  // the previous test's manual run is asynchronous: let it finish (bounded)
  // so the snapshot below is not taken mid-run
  let before = await pb.crons.getFullList();
  for (const deadline = Date.now() + 10_000; before.some((j) => j.running);) {
    assert.ok(Date.now() < deadline, 'a job kept running');
    await new Promise((r) => setTimeout(r, 50));
    before = await pb.crons.getFullList();
  }
  await assert.rejects(pb.crons.run('nope'), (err) => {
    assert.ok(err instanceof ClientResponseError);
    assert.equal(err.status, 404);
    assert.deepEqual(err.response, { status: 404, message: 'Missing or invalid cron job.', data: {} });
    return true;
  });
  await assert.rejects(srv.pb.crons.getFullList(), (err) => err.status === 401);
  await assert.rejects(srv.pb.crons.run('__pbLogsCleanup__'), (err) => err.status === 401);
  assert.deepEqual(await pb.crons.getFullList(), before);
});

test('settings.backups.cron is checked by the scheduler\'s parser', async () => {
  await assert.rejects(pb.settings.update({ backups: { cron: '61 * * * *', cronMaxKeep: 3 } }), (err) => {
    assert.equal(err.status, 400);
    assert.equal(err.response.data.backups.cron.code, 'validation_invalid_cron');
    return true;
  });
  const s = await pb.settings.update({ backups: { cron: '@daily', cronMaxKeep: 3 } });
  assert.equal(s.backups.cron, '@daily');
});
