// End-to-end: the Backups screen against the real binary and Debian
// chromium. The empty list, create (named, generated, a bad name refused
// in place), download (a zip: it starts with "PK"), upload, delete with a
// typed confirmation, restore with a typed confirmation and its progress
// (the server re-executes itself on the restored data, at the same
// address: the server listens on a port chosen up front) and the screen
// comes back with the restored state, the auto-backup settings (the
// server's cron error at the field, the discard prompt, saved) and the S3
// settings with the connection test against a real S3 server (versitygw).
// Screenshots at 1440 and 390 px wide under test-results/.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { buildBinary, startServer, launch, runner, ensureShots, shotsDir, assert, startS3, eventually, api } from './harness.mjs';

const EMAIL = 'backup-admin@example.com';
const PASS = 'secret-pass-123';
const { test, run } = runner();
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png'), fullPage: true });
const consoleErrors = [];
let su = '';
let zipBytes = null;

const keys = async (server) => (await api(server, 'GET', '/api/backups', su)).body.map((b) => b.key).sort();
const userEmails = async (server) => (await api(server, 'GET', '/api/collections/users/records?perPage=100', su)).body.items.map((u) => u.email).sort();
const row = (page, key) => page.locator(`tr[data-key="${key}"]`);

async function addUser(server, email) {
  const r = await api(server, 'POST', '/api/collections/users/records', su, { email, password: PASS, passwordConfirm: PASS });
  assert(r.status === 200, 'create user: ' + r.text);
}

test('installer creates the superuser', async ({ page, server }) => {
  await page.goto(server.installer);
  await page.fill('#inst-email', EMAIL);
  await page.fill('#inst-password', PASS);
  await page.fill('#inst-password2', PASS);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/collections\/users/);
  su = (await api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password: PASS })).body.token;
  await addUser(server, 'before@example.com');
});

test('backups: the empty list', async ({ page, server }) => {
  await page.click('a[title="Backups"]');
  await page.locator('h1', { hasText: 'Backups' }).waitFor();
  await page.locator('.empty', { hasText: 'No backups yet.' }).waitFor();
  assert((await keys(server)).length === 0, 'no backups on the server');
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, 'bk-01-empty-1440');
});

test('create: a bad name is refused in place, then named and generated', async ({ page, server }) => {
  await page.click('button:has-text("New backup")');
  await page.fill('#bk-name', 'Nightly Backup.zip');
  await page.locator('#bk-name ~ .err', { hasText: 'lowercase' }).waitFor();
  await eventually(() => page.locator('.dialog button[type=submit]').isDisabled(), 'a bad name cannot be submitted');
  await page.fill('#bk-name', 'first.zip');
  await page.click('.dialog button[type=submit]');
  await row(page, 'first.zip').waitFor();
  assert(await page.locator('.dialog').count() === 0, 'the dialog closed');
  assert(JSON.stringify(await keys(server)) === '["first.zip"]', 'created on the server: ' + await keys(server));
  // the same name again: the server's answer at the field
  await page.click('button:has-text("New backup")');
  await page.fill('#bk-name', 'first.zip');
  await page.click('.dialog button[type=submit]');
  await page.locator('#bk-name ~ .err', { hasText: 'already exists' }).waitFor();
  // empty: the server generates the name
  await page.fill('#bk-name', '');
  await page.click('.dialog button[type=submit]');
  await page.locator('.dialog').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelectorAll('tr[data-key]').length === 2);
  const all = await keys(server);
  const generated = all.find((k) => k !== 'first.zip');
  assert(all.length === 2 && /^[a-z0-9_-]+\.zip$/.test(generated), 'a generated name: ' + all);
  await row(page, generated).waitFor();
  assert(/\d+(\.\d)? (B|KB|MB)/.test(await row(page, 'first.zip').locator('td.size').innerText()), 'a readable size');
  // the record made after the backups: the restore must drop it
  await addUser(server, 'after@example.com');
});

test('download: a zip with a superuser file token', async ({ page }) => {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="Download first.zip"]')]);
  assert(/\/api\/backups\/first\.zip\?token=[\w-]+\.[\w-]+\.[\w-]+$/.test(dl.url()), 'the download URL carries a token: ' + dl.url());
  assert(dl.suggestedFilename() === 'first.zip', 'file name ' + dl.suggestedFilename());
  const path = await dl.path();
  zipBytes = readFileSync(path);
  assert(zipBytes.length > 100 && zipBytes[0] === 0x50 && zipBytes[1] === 0x4b, 'a zip (PK): ' + zipBytes.subarray(0, 4).toString('hex'));
});

test('upload: the archive shows up under its file name', async ({ page, server }) => {
  await page.setInputFiles('#bk-upload', { name: 'uploaded.zip', mimeType: 'application/zip', buffer: zipBytes });
  await row(page, 'uploaded.zip').waitFor();
  assert((await keys(server)).includes('uploaded.zip'), 'uploaded on the server');
  // the same name again: refused, shown on the screen, nothing changes
  await page.setInputFiles('#bk-upload', { name: 'uploaded.zip', mimeType: 'application/zip', buffer: zipBytes });
  await page.locator('.err-box', { hasText: 'already exists' }).waitFor();
  assert((await keys(server)).length === 3, 'still three backups');
});

test('delete: typed confirmation', async ({ page, server }) => {
  await page.click('button[aria-label="Delete uploaded.zip"]');
  const dialog = page.locator('.dialog', { hasText: 'Delete backup' });
  await dialog.waitFor();
  await eventually(() => dialog.locator('button[type=submit]').isDisabled(), 'disabled until the name is typed');
  await page.fill('#cd-name', 'uploaded');
  await eventually(() => dialog.locator('button[type=submit]').isDisabled(), 'a partial name is not enough');
  await page.fill('#cd-name', 'uploaded.zip');
  await dialog.locator('button[type=submit]').click();
  await row(page, 'uploaded.zip').waitFor({ state: 'detached' });
  assert(!(await keys(server)).includes('uploaded.zip'), 'deleted on the server');
});

test('restore: typed confirmation, progress, the screen comes back on the restored data', async ({ page, server }) => {
  assert(JSON.stringify(await userEmails(server)) === '["after@example.com","before@example.com"]', 'both users before the restore');
  await page.click('button[aria-label="Restore first.zip"]');
  const dialog = page.locator('.dialog', { hasText: 'Restore “first.zip”?' });
  await dialog.waitFor();
  await page.fill('#bk-restore-name', 'first');
  await eventually(() => dialog.locator('button[type=submit]').isDisabled(), 'disabled until the name is typed');
  await page.fill('#bk-restore-name', 'first.zip');
  await dialog.locator('button[type=submit]').click();
  // the progress while the server restarts
  await page.locator('.progress .phase[data-phase="restarting"]').waitFor();
  await shot(page, 'bk-04-restoring-1440');
  await page.locator('.toast', { hasText: 'Restored first.zip.' }).waitFor({ timeout: 60000 });
  await dialog.waitFor({ state: 'detached' });
  // the same superuser exists in the backup: still logged in, the list is back
  await row(page, 'first.zip').waitFor();
  assert(await page.locator('[aria-label="Session expired"]').count() === 0, 'still logged in');
  assert(JSON.stringify(await userEmails(server)) === '["before@example.com"]', 'the user made after the backup is gone: ' + await userEmails(server));
  // the dashboard shows the restored records
  await page.click('a[title="Collections"]');
  await page.locator('table.data td', { hasText: 'before@example.com' }).first().waitFor();
  assert(await page.locator('table.data td', { hasText: 'after@example.com' }).count() === 0, 'the restored list');
  await page.click('a[title="Backups"]');
  await row(page, 'first.zip').waitFor();
});

test('restore as a superuser the backup does not have: the login dialog, then the screen again', async ({ page, server }) => {
  const OTHER = 'later-admin@example.com';
  const r = await api(server, 'POST', '/api/collections/_superusers/records', su, { email: OTHER, password: PASS, passwordConfirm: PASS });
  assert(r.status === 200, 'second superuser: ' + r.text);
  await page.click('button[aria-label="Log out"]');
  await page.fill('#login-email', OTHER);
  await page.fill('#login-password', PASS);
  await page.click('button[type=submit]');
  await page.locator('a[title="Backups"]').click();
  await page.click('button[aria-label="Restore first.zip"]');
  await page.fill('#bk-restore-name', 'first.zip');
  await page.click('.dialog button[type=submit]');
  // the restored data does not know this superuser: its token is refused
  const expired = page.locator('[aria-label="Session expired"]');
  await expired.waitFor({ timeout: 60000 });
  const sus = (await api(server, 'GET', '/api/collections/_superusers/records', su)).body.items.map((u) => u.email);
  assert(JSON.stringify(sus) === JSON.stringify([EMAIL]), 'the restored superusers: ' + sus);
  await expired.locator('#login-email').fill(EMAIL);
  await expired.locator('#login-password').fill(PASS);
  await expired.locator('button[type=submit]').click();
  await expired.waitFor({ state: 'detached' });
  await row(page, 'first.zip').waitFor();
  assert(await page.locator('h1', { hasText: 'Backups' }).count() === 1, 'back on the Backups screen');
  assert(await page.locator('.page .err-box').count() === 0, 'no error left on the screen');
});

test('auto-backup settings: the server error at the field, discard prompt, saved', async ({ page, server }) => {
  await page.click('button:has-text("Backup settings")');
  await page.locator('#bs-auto').waitFor();
  assert(!(await page.isChecked('#bs-auto')), 'off by default');
  await eventually(() => page.locator('.drawer button[type=submit]').isDisabled(), 'nothing to save yet');
  await page.check('#bs-auto');
  await page.fill('#bs-cron', '61 * * * *');
  await page.fill('#bs-keep', '2');
  await page.click('.drawer button[type=submit]');
  await page.locator('#bs-cron ~ .err', { hasText: 'Invalid cron expression.' }).waitFor();
  assert((await api(server, 'GET', '/api/settings', su)).body.backups.cron === '', 'nothing saved');
  await shot(page, 'bk-05-settings-error-1440');
  // closing with changes asks first
  await page.keyboard.press('Escape');
  await page.locator('[role=alertdialog]', { hasText: 'Discard unsaved changes?' }).waitFor();
  await page.click('[role=alertdialog] button:has-text("Keep editing")');
  assert(await page.inputValue('#bs-cron') === '61 * * * *', 'the edit is kept');
  await page.fill('#bs-cron', '0 3 * * *');
  await page.locator('#bs-cron ~ .help', { hasText: 'at 03:00' }).waitFor();
  await page.click('.drawer button[type=submit]');
  await page.locator('.toast', { hasText: 'Backup settings saved.' }).waitFor();
  const b = (await api(server, 'GET', '/api/settings', su)).body.backups;
  assert(b.cron === '0 3 * * *' && b.cronMaxKeep === 2, 'saved: ' + JSON.stringify(b));
  await eventually(() => page.locator('.drawer button[type=submit]').isDisabled(), 'nothing dirty after the save');
  const jobs = (await api(server, 'GET', '/api/crons', su)).body;
  assert(jobs.some((j) => j.id === '__pbAutoBackup__' && j.expression === '0 3 * * *'), 'the auto-backup job: ' + JSON.stringify(jobs));
  await page.keyboard.press('Escape');
  await page.locator('.drawer').waitFor({ state: 'detached' });
  assert(await page.locator('[role=alertdialog]').count() === 0, 'no prompt without changes');
});

test('S3 settings: the connection test fails with a wrong secret, works with the right one', async ({ page, server }) => {
  const s3 = await startS3({ access: 'bk-access-key', secret: 'bk-secret-key-123', bucket: 'basalt-bk' });
  try {
    await page.click('button:has-text("Backup settings")');
    await page.check('#bs-s3');
    await page.fill('#bs-s3-endpoint', s3.endpoint);
    await page.fill('#bs-s3-bucket', 'basalt-bk');
    await page.fill('#bs-s3-region', 'us-east-1');
    await page.fill('#bs-s3-accessKey', 'bk-access-key');
    await page.fill('#bs-s3-secret', 'not-the-secret');
    await page.check('#bs-s3-pathstyle');
    assert(await page.locator('button:has-text("Test S3 connection")').count() === 0, 'no test before S3 is saved');
    await page.click('.drawer button[type=submit]');
    await page.locator('.drawer button[type=submit]:disabled').waitFor();
    await page.click('button:has-text("Test S3 connection")');
    await page.locator('.drawer .err-box', { hasText: 'Failed to test the S3 filesystem.' }).waitFor();
    // unsaved S3 changes: the test waits for a save
    await page.fill('#bs-s3-secret', 'bk-secret-key-123');
    await eventually(() => page.locator('button:has-text("Test S3 connection")').isDisabled(), 'the test uses the saved settings');
    await page.click('.drawer button[type=submit]');
    await page.locator('.drawer button[type=submit]:disabled').waitFor();
    await page.click('button:has-text("Test S3 connection")');
    await page.locator('.drawer .ok-box', { hasText: 'S3 connection works.' }).waitFor();
    const s = (await api(server, 'GET', '/api/settings', su)).body.backups.s3;
    assert(s.enabled && s.bucket === 'basalt-bk' && s.forcePathStyle && !s.secret, 'saved, secret hidden: ' + JSON.stringify(s));
    await shot(page, 'bk-06-settings-s3-1440');
    // backups now go to the bucket: a new one is listed from there
    await page.keyboard.press('Escape');
    await page.locator('.drawer').waitFor({ state: 'detached' });
    await page.click('button[aria-label="Refresh backups"]');
    await page.locator('.empty', { hasText: 'No backups yet.' }).waitFor();
    await page.click('button:has-text("New backup")');
    await page.fill('#bk-name', 'in-s3.zip');
    await page.click('.dialog button[type=submit]');
    await row(page, 'in-s3.zip').waitFor();
    // back to local storage
    await api(server, 'PATCH', '/api/settings', su, { backups: { s3: { enabled: false } } });
    await page.click('button[aria-label="Refresh backups"]');
    await row(page, 'first.zip').waitFor();
  } finally { s3.stop(); }
});

test('backups at 1440 and 390 px', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.reload();
  await row(page, 'first.zip').waitFor();
  await shot(page, 'bk-02-list-1440');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await row(page, 'first.zip').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 1, 'no horizontal page scroll at 390 px: ' + overflow);
  await shot(page, 'bk-03-list-390');
  await page.click('button:has-text("Backup settings")');
  await page.locator('#bs-cron').waitFor();
  await shot(page, 'bk-07-settings-390');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('no console errors', async () => {
  assert(consoleErrors.length === 0, 'console errors:\n' + consoleErrors.join('\n'));
});

const bin = buildBinary();
// a port chosen up front: the restart after a restore keeps the arguments
const server = await startServer(bin, { fixedPort: true });
const { context, close } = await launch({ acceptDownloads: true });
ensureShots();
let ok = false;
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location()?.url || '';
    const text = m.text();
    // API answers the tests provoke (bad names, bad cron, a failed S3
    // test) and /api/health refused while the server restarts
    if (/Failed to load resource: the server responded with a status of (400|401|404)/.test(text) && /\/api\//.test(loc)) return;
    if (/Failed to load resource: net::ERR_(CONNECTION_REFUSED|EMPTY_RESPONSE|CONNECTION_RESET)/.test(text) && /\/api\/health/.test(loc)) return;
    consoleErrors.push(text + (loc ? ' @ ' + loc : '')); console.log('     console error: ' + text);
  });
  page.on('pageerror', (e) => { consoleErrors.push('pageerror: ' + e.message); console.log('     pageerror: ' + e.message); });
  ok = await run({ page, server });
} finally {
  await close();
  server.stop();
}
process.exit(ok ? 0 : 1);
