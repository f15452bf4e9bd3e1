// End-to-end: the operations screens against the real binary and Debian
// chromium. Logs: the list, the filter with autocomplete, the level
// filter, the "include superuser requests" toggle, the hourly chart from
// /api/logs/stats, the detail drawer, the log settings drawer (server
// field error in place, discard prompt, save). Crons: the jobs with their
// expressions, "Run now" and its result (Basalt's lastRun extension of GET
// /api/crons). Screenshots at 1440 and 390 px wide under test-results/.
import { join } from 'node:path';
import { buildBinary, startServer, launch, runner, ensureShots, shotsDir, assert, eventually, api } from './harness.mjs';

const EMAIL = 'ops-admin@example.com';
const PASS = 'secret-pass-123';
const { test, run } = runner();
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png'), fullPage: true });
const consoleErrors = [];
let su = '';

/** logCount asks the API how many entries match filter. */
async function logCount(server, filter) {
  const r = await api(server, 'GET', '/api/logs?perPage=1&filter=' + encodeURIComponent(filter), su);
  assert(r.status === 200, 'logs: ' + r.text);
  return r.body.totalItems;
}

/** until polls fn (the log writer is asynchronous) until it returns truthy. */
async function until(fn, what) {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for ' + what);
}

/** rowsText returns the text of the logs table's rows. */
const rowsText = (page) => page.locator('table.data tbody tr').allInnerTexts();
/** authCells returns the Auth column of the logs table. */
const authCells = (page) => page.locator('table.data tbody tr td:nth-child(4)').allInnerTexts();

/** waitList waits until the table shows exactly n rows. */
async function waitRows(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('table.data tbody tr').length === n && !document.body.innerText.includes('Loading…'), n);
}

test('installer creates the superuser', async ({ page, server }) => {
  await page.goto(server.installer);
  await page.fill('#inst-email', EMAIL);
  await page.fill('#inst-password', PASS);
  await page.fill('#inst-password2', PASS);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/collections\/users/);
  su = (await api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password: PASS })).body.token;
});

test('requests of guests and the superuser are logged', async ({ server }) => {
  // guests: two 404s (error level), one 200 (info level)
  for (const path of ['/api/collections/nope/records', '/api/collections/missing/records/x', '/api/health']) {
    await fetch(server.url + path, { headers: { 'User-Agent': 'ops-e2e-agent', Referer: 'https://ref.example/page' } });
  }
  // the superuser: a failed filter (error level) and a list (info level)
  await api(server, 'GET', '/api/collections/users/records?filter=' + encodeURIComponent('nope ='), su);
  await api(server, 'GET', '/api/collections', su);
  await until(async () => (await logCount(server, 'data.userAgent = "ops-e2e-agent"')) === 3 && (await logCount(server, 'data.auth = "_superusers"')) >= 2, 'the logs');
});

test('logs list hides superuser requests until the toggle; level filter', async ({ page, server }) => {
  await page.click('a[title="Logs"]');
  await page.locator('h1', { hasText: 'Logs' }).waitFor();
  const guests = await logCount(server, 'data.auth != "_superusers"');
  const all = await logCount(server, 'id != ""');
  assert(guests >= 3 && all > guests, `guest entries ${guests}, all ${all}`);
  await waitRows(page, guests);
  assert(!(await authCells(page)).includes('_superusers'), 'superuser requests are hidden by default');
  await page.locator('.chart rect.bar').first().waitFor();
  await page.setViewportSize({ width: 1440, height: 900 });
  await shot(page, 'ops-01-logs-1440');

  await page.check('#logs-su');
  await page.waitForFunction(() => [...document.querySelectorAll('table.data tbody tr td:nth-child(4)')].some((td) => td.innerText === '_superusers'));
  assert(/[?&]su=1/.test(page.url()), 'the toggle is in the URL: ' + page.url());
  await page.uncheck('#logs-su');
  await waitRows(page, guests);

  // level filter: ERROR only
  await page.locator('label.lvl', { hasText: 'ERROR' }).locator('input').check();
  const errors = await logCount(server, 'data.auth != "_superusers" && level = 8');
  assert(errors >= 2 && errors < guests, `error entries ${errors} of ${guests}`);
  await waitRows(page, errors);
  assert((await rowsText(page)).every((t) => t.includes('ERROR')), 'only ERROR rows');
  // ERROR + INFO is everything the guests made
  await page.locator('label.lvl', { hasText: 'INFO' }).locator('input').check();
  await waitRows(page, await logCount(server, 'data.auth != "_superusers" && (level = 8 || level = 0)'));
  await page.locator('label.lvl', { hasText: 'INFO' }).locator('input').uncheck();
  await page.locator('label.lvl', { hasText: 'ERROR' }).locator('input').uncheck();
  await waitRows(page, guests);
});

test('logs filter: autocomplete of data keys narrows the list', async ({ page, server }) => {
  await page.click('#logs-filter');
  await page.keyboard.type('data.sta');
  await page.locator('#logs-filter-ac li', { hasText: 'data.status' }).waitFor();
  await page.keyboard.press('Enter');
  assert(await page.inputValue('#logs-filter') === 'data.status', 'suggestion applied: ' + await page.inputValue('#logs-filter'));
  await page.keyboard.type(' = 200');
  await page.keyboard.press('Enter');
  const ok = await logCount(server, 'data.auth != "_superusers" && data.status = 200');
  assert(ok >= 1, 'a guest 200 exists');
  await waitRows(page, ok);
  assert((await rowsText(page)).every((t) => t.includes('200')), 'only status 200 rows');
  // a bad filter shows the server's answer, nothing crashes
  await page.fill('#logs-filter', 'data.status >');
  await page.click('button:has-text("Apply")');
  await page.locator('.expr .err, .err-box').first().waitFor();
  await page.click('button:has-text("Clear")');
  await waitRows(page, await logCount(server, 'data.auth != "_superusers"'));
});

test('chart follows the window and the filter', async ({ page }) => {
  const before = await page.locator('.chart rect.bar').count();
  assert(before >= 1, 'bars drawn');
  // the 7-day window has 7*24+1 hourly slots; the bars sit inside the viewBox
  await page.selectOption('#logs-window', '168');
  await page.waitForURL(/window=168/);
  const boxes = await page.locator('.chart rect.bar').evaluateAll((rs) => rs.map((r) => [+r.getAttribute('x'), +r.getAttribute('width'), +r.getAttribute('height')]));
  assert(boxes.length >= 1 && boxes.every(([x, w, h]) => x >= 0 && x + w <= 1000 && h > 0 && h <= 120), 'bars in the box: ' + JSON.stringify(boxes));
  assert(boxes[0][1] < 10, 'a 7-day window has narrow hourly bars: ' + boxes[0][1]);
  // no entries match: no bars, the list is empty
  await page.fill('#logs-filter', 'data.status = 999');
  await page.keyboard.press('Enter');
  await page.locator('.empty', { hasText: 'No logs match' }).waitFor();
  assert(await page.locator('.chart rect.bar').count() === 0, 'no bars when nothing matches');
  await page.click('button:has-text("Clear")');
  await page.selectOption('#logs-window', '24');
  await page.locator('.chart rect.bar').first().waitFor();
});

test('log detail drawer shows every data key as text', async ({ page, server }) => {
  const row = page.locator('table.data tbody tr', { hasText: '/api/collections/nope/records' }).first();
  await row.click();
  await page.locator('.drawer h2', { hasText: 'Log entry' }).waitFor();
  assert(/[?&]log=\w+/.test(page.url()), 'the open entry is in the URL');
  await page.locator('.drawer td', { hasText: 'ops-e2e-agent' }).waitFor();
  const text = await page.locator('.drawer').innerText();
  for (const want of ['data.referer', 'https://ref.example/page', 'data.status', '404', 'ERROR', 'GET /api/collections/nope/records']) {
    assert(text.includes(want), `drawer shows ${want}:\n${text}`);
  }
  await shot(page, 'ops-02-log-detail-1440');
  // a reload keeps the drawer open (the id is in the URL)
  await page.reload();
  await page.locator('.drawer td', { hasText: 'ops-e2e-agent' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.drawer').waitFor({ state: 'detached' });
  assert(!/[?&]log=/.test(page.url()), 'closing clears the URL');
  void server;
});

test('log settings: server error in place, discard prompt, then saved', async ({ page, server }) => {
  await page.click('button:has-text("Log settings")');
  await page.locator('#ls-maxdays').waitFor();
  assert(await page.inputValue('#ls-maxdays') === '5', 'default max days');
  await eventually(() => page.locator('.drawer button[type=submit]').isDisabled(), 'nothing to save yet');
  await page.fill('#ls-maxdays', '-1');
  await page.click('.drawer button[type=submit]');
  await page.locator('#ls-maxdays ~ .err').waitFor();
  // closing with changes asks first; "Keep editing" keeps them
  await page.click('.drawer button:has-text("Cancel")');
  await page.locator('[role=alertdialog]', { hasText: 'Discard unsaved changes?' }).waitFor();
  await shot(page, 'ops-03-log-settings-discard');
  await page.click('[role=alertdialog] button:has-text("Keep editing")');
  assert(await page.inputValue('#ls-maxdays') === '-1', 'the edit is kept');
  // Escape asks too; Discard drops the changes
  await page.keyboard.press('Escape');
  await page.click('[role=alertdialog] button:has-text("Discard")');
  await page.locator('.drawer').waitFor({ state: 'detached' });
  let s = (await api(server, 'GET', '/api/settings', su)).body.logs;
  assert(s.maxDays === 5, 'nothing saved: ' + JSON.stringify(s));
  // saved for real
  await page.click('button:has-text("Log settings")');
  await page.fill('#ls-maxdays', '9');
  await page.selectOption('#ls-minlevel', '4');
  await page.check('#ls-logauthid');
  await page.uncheck('#ls-logip');
  await page.click('.drawer button[type=submit]');
  await page.locator('.drawer').waitFor({ state: 'detached' });
  s = (await api(server, 'GET', '/api/settings', su)).body.logs;
  assert(s.maxDays === 9 && s.minLevel === 4 && s.logAuthId === true && s.logIP === false, 'saved: ' + JSON.stringify(s));
  // reopened: the saved values, nothing dirty, closes without a prompt
  await page.click('button:has-text("Log settings")');
  await page.locator('#ls-maxdays').waitFor();
  assert(await page.inputValue('#ls-maxdays') === '9', 'reloaded value');
  await page.keyboard.press('Escape');
  await page.locator('.drawer').waitFor({ state: 'detached' });
  assert(await page.locator('[role=alertdialog]').count() === 0, 'no prompt without changes');
  // put logging back (minLevel 4 would drop the INFO entries later steps look at)
  await api(server, 'PATCH', '/api/settings', su, { logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false } });
});

test('logs at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.locator('table.data tbody tr').first().waitFor();
  await page.locator('.chart rect.bar').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 1, 'no horizontal page scroll at 390 px: ' + overflow);
  await shot(page, 'ops-04-logs-390');
  await page.locator('table.data tbody tr').first().click();
  await page.locator('.drawer h2', { hasText: 'Log entry' }).waitFor();
  await page.locator('.drawer td').first().waitFor();
  await shot(page, 'ops-05-log-detail-390');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('crons: the jobs with their expressions; run now shows the result', async ({ page, server }) => {
  await page.click('a[title="Crons"]');
  await page.locator('h1', { hasText: 'Crons' }).waitFor();
  const jobs = (await api(server, 'GET', '/api/crons', su)).body;
  assert(jobs.length >= 3, 'system jobs: ' + JSON.stringify(jobs));
  for (const j of jobs) {
    const row = page.locator(`tr[data-job="${j.id}"]`);
    await row.waitFor();
    assert((await row.innerText()).includes(j.expression), `${j.id} shows ${j.expression}`);
    // Scheduled jobs run on the wall clock (deleteExpiredRecords every ten
    // minutes): a job may have run on schedule before this point, so the
    // row must agree with the API rather than always say "never".
    if (!j.lastRun) assert((await row.innerText()).includes('never'), `${j.id} never ran`);
  }
  assert((await page.locator('tr[data-job="__pbLogsCleanup__"]').innerText()).includes('every 6 hours'), 'expression in words');
  await shot(page, 'ops-06-crons-1440');
  await page.click('button[aria-label="Run __pbLogsCleanup__ now"]');
  const row = page.locator('tr[data-job="__pbLogsCleanup__"]');
  await row.locator('.state.ok').waitFor();
  assert((await row.innerText()).includes('manual'), 'a manual run');
  const after = (await api(server, 'GET', '/api/crons', su)).body.find((j) => j.id === '__pbLogsCleanup__');
  assert(after.lastRun && !after.lastError && after.lastTrigger === 'manual', 'the API reports the run: ' + JSON.stringify(after));
  assert((await row.innerText()).includes(after.lastRun), 'the row shows the run time ' + after.lastRun);
  // the other jobs did not run manually (a scheduled run on the hour is allowed)
  const otp = (await api(server, 'GET', '/api/crons', su)).body.find((j) => j.id === '__pbOTPCleanup__');
  assert(otp.lastTrigger !== 'manual', 'other jobs untouched: ' + JSON.stringify(otp));
  if (!otp.lastRun) assert((await page.locator('tr[data-job="__pbOTPCleanup__"]').innerText()).includes('never'), 'other jobs untouched');
  await shot(page, 'ops-07-crons-ran-1440');
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 1, 'no horizontal page scroll at 390 px: ' + overflow);
  await shot(page, 'ops-08-crons-390');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('metrics settings: a generated scraper token reads /api/metrics, removing it locks the scraper out', async ({ page, server }) => {
  await page.goto(page.url().replace(/#.*/, '#/settings/metrics'));
  await page.locator('h1', { hasText: 'Metrics' }).waitFor();
  const save = page.locator('.content button[type=submit]');
  await eventually(() => save.isDisabled(), 'nothing to save yet');
  // too short: the server's message at the field, nothing saved
  await page.fill('#st-mtoken', 'short');
  await save.click();
  await page.locator('#st-mtoken.invalid').waitFor();
  assert((await api(server, 'GET', '/api/metrics', 'Bearer short')).status === 401, 'short token not saved');
  await page.click('button:has-text("Generate")');
  const token = await page.inputValue('#st-mtoken');
  assert(/^[0-9a-f]{48}$/.test(token) && await page.getAttribute('#st-mtoken', 'type') === 'text', 'generated and shown: ' + token);
  await save.click();
  // saved: the form resets (Save is disabled while busy too, so wait for the reset)
  await page.waitForFunction(() => document.querySelector('#st-mtoken')?.value === '');
  await page.locator('.content button[type=submit]:disabled').waitFor();
  const settings = (await api(server, 'GET', '/api/settings', su)).body;
  assert(!JSON.stringify(settings).includes(token), 'the settings API never returns the token');
  const scrape = await api(server, 'GET', '/api/metrics', 'Bearer ' + token);
  assert(scrape.status === 200 && scrape.text.includes('basalt_http_request_duration_seconds'), 'the scraper reads metrics: ' + scrape.status);
  await page.check('#st-mclear');
  await save.click();
  await page.waitForFunction(() => document.querySelector('#st-mclear')?.checked === false);
  await page.locator('.content button[type=submit]:disabled').waitFor();
  assert((await api(server, 'GET', '/api/metrics', 'Bearer ' + token)).status === 401, 'removed token no longer reads');
  assert((await api(server, 'GET', '/api/metrics', su)).status === 200, 'superusers still read');
});

test('no console errors', async () => {
  assert(consoleErrors.length === 0, 'console errors:\n' + consoleErrors.join('\n'));
});

const bin = buildBinary();
const server = await startServer(bin);
const { context, close } = await launch();
ensureShots();
let ok = false;
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10000);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location()?.url || '';
    const text = m.text();
    // the 400 of a bad filter is an API answer, not an app error
    if (/Failed to load resource: the server responded with a status of (400|404)/.test(text) && /\/api\//.test(loc)) return;
    consoleErrors.push(text + (loc ? ' @ ' + loc : '')); console.log('     console error: ' + text);
  });
  page.on('pageerror', (e) => { consoleErrors.push('pageerror: ' + e.message); console.log('     pageerror: ' + e.message); });
  ok = await run({ page, server });
} finally {
  await close();
  server.stop();
}
process.exit(ok ? 0 : 1);
