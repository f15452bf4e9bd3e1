// End-to-end: the Rules workbench against the real binary and Debian
// chromium, every answer on screen checked against the API. Overview: each
// collection's rules as locked / public / expression, a click opens the
// collection's rules tab. Linter: the findings equal GET
// /api/_basalt/rules/lint. Test as user: the passing records equal the
// workbench API's answer and what the records API gives that user (and a
// guest), the per-record clause breakdown equals the API's, a locked rule
// shows as such, a bad request shows the server's message at the field.
// Then the visual pass: screenshots of every list screen in both themes at
// 1440 and 390 px (test-results/wb-*.png), no horizontal scroll at 390 px,
// and no text glyph standing in for an icon in the navigation.
import { join } from 'node:path';
import { buildBinary, startServer, launch, runner, ensureShots, shotsDir, assert, api } from './harness.mjs';

const EMAIL = 'wb-admin@example.com';
const PASS = 'secret-pass-123';
const { test, run } = runner();
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png'), fullPage: true });
const consoleErrors = [];
let su = '';
const users = {};
const notes = {};

async function must(server, method, path, token, body) {
  const r = await api(server, method, path, token, body);
  assert(r.status === 200 || r.status === 204, `${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}
const sorted = (a) => [...a].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const base = (page) => page.url().replace(/#.*/, '');

test('installer creates the superuser', async ({ page, server }) => {
  await page.goto(server.installer);
  await page.fill('#inst-email', EMAIL);
  await page.fill('#inst-password', PASS);
  await page.fill('#inst-password2', PASS);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/collections/);
  su = (await api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password: PASS })).body.token;
});

test('fixtures: users, notes with rules, a rule that never matches', async ({ server }) => {
  for (const [name, verified] of [['ann', true], ['bob', false]]) {
    const u = await must(server, 'POST', '/api/collections/users/records', su,
      { email: name + '@example.com', password: 'pass-12345', passwordConfirm: 'pass-12345', verified, name });
    const login = await must(server, 'POST', '/api/collections/users/auth-with-password', '', { identity: name + '@example.com', password: 'pass-12345' });
    users[name] = { id: u.id, token: login.token, email: name + '@example.com' };
  }
  const usersCol = await must(server, 'GET', '/api/collections/users', su);
  await must(server, 'POST', '/api/collections', su, {
    name: 'notes', type: 'base',
    fields: [{ name: 'title', type: 'text' }, { name: 'public', type: 'bool' },
      { name: 'owner', type: 'relation', collectionId: usersCol.id, maxSelect: 1 }],
    listRule: 'public = true || owner = @request.auth.id',
    viewRule: 'owner = @request.auth.id && public = true',
    createRule: '@request.auth.id != ""', updateRule: '', deleteRule: null,
  });
  for (const [title, pub, owner] of [['alpha', true, 'ann'], ['beta', false, 'bob'], ['gamma', false, 'ann'], ['delta', true, '']]) {
    notes[title] = (await must(server, 'POST', '/api/collections/notes/records', su,
      { title, public: pub, owner: owner ? users[owner].id : '' })).id;
  }
  await must(server, 'POST', '/api/collections', su, { name: 'risky', type: 'base', fields: [{ name: 'n', type: 'number' }], listRule: '1 = 2' });
});

test('overview shows every rule as locked, public or expression; a click opens its rules', async ({ page, server }) => {
  await page.click('a[title="Rules"]');
  await page.locator('h1', { hasText: 'Rules' }).waitFor();
  const cols = (await must(server, 'GET', '/api/collections?perPage=200', su)).items.filter((c) => !c.system);
  for (const c of cols) {
    const row = page.locator(`tr[data-collection="${c.name}"]`);
    await row.waitFor();
    const keys = c.type === 'view' ? ['listRule', 'viewRule'] : ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', ...(c.type === 'auth' ? ['manageRule'] : [])];
    for (const k of keys) {
      const v = c[k];
      const want = v === null ? 'locked' : v.trim() === '' ? 'public' : 'expression';
      const cell = row.locator(`td[data-rule="${k}"]`);
      assert(await cell.getAttribute('data-access') === want, `${c.name}.${k}: ${await cell.getAttribute('data-access')}, want ${want}`);
      if (want === 'expression') assert((await cell.innerText()).includes(v), `${c.name}.${k} shows its expression`);
    }
  }
  // the public update rule and the never-matching list rule carry a linter mark
  await page.locator('tr[data-collection="notes"] td[data-rule="updateRule"] .sev').waitFor();
  await page.locator('tr[data-collection="risky"] td[data-rule="listRule"] .sev').waitFor();
  await page.click('tr[data-collection="notes"] td[data-rule="viewRule"] a');
  await page.waitForURL(/#\/collections\/notes\?.*tab=rules/);
  await page.locator('[role=tab][aria-selected="true"]', { hasText: 'API rules' }).waitFor();
  await page.click('footer button:has-text("Cancel")');
  await page.locator('.drawer').waitFor({ state: 'detached' });
});

test('linter lists exactly the API findings', async ({ page, server }) => {
  await page.goto(base(page) + '#/rules/lint');
  await page.locator('li.finding').first().waitFor();
  const want = (await must(server, 'GET', '/api/_basalt/rules/lint', su)).findings.map((f) => `${f.collection}|${f.rule}|${f.code}`);
  const got = await page.locator('li.finding').evaluateAll((els) => els.map((e) => `${e.dataset.collection}|${e.dataset.rule}|${e.dataset.code}`));
  assert(same(got, want), `screen ${JSON.stringify(got)}, API ${JSON.stringify(want)}`);
  assert(want.includes('notes|updateRule|public_write') && want.includes('risky|listRule|never_matches'), 'the fixtures are flagged: ' + want);
  assert(await page.locator('[data-testid="lint-count"]').innerText() === String(want.length), 'the tab counts the findings');
  await shot(page, 'wb-02-lint-1440');
  // "Test" on a finding opens the test tab on that collection and rule
  await page.click('li.finding[data-collection="notes"][data-rule="updateRule"] button:has-text("Test")');
  await page.waitForURL(/#\/rules\/test/);
  assert(await page.inputValue('#wb-col') === 'notes' && await page.inputValue('#wb-rule') === 'updateRule', 'test tab preset');
});

/** answered runs click (which posts a test request) and waits until the
 * screen has applied the server's answer: the submit button is disabled
 * from the click until then. */
async function answered(page, click) {
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/_basalt/rules/test') && r.request().method() === 'POST'),
    click(),
  ]);
  await page.waitForFunction(() => !document.querySelector('form.testform button[type=submit]')?.disabled);
}

/** testAs fills the "test as user" form and runs it. */
async function testAs(page, { who, user, collection, rule, record }) {
  await page.goto(base(page) + '#/rules/test');
  await page.locator('#wb-who').waitFor();
  await page.selectOption('#wb-who', who);
  if (who) {
    await page.fill('#wb-user-search', user.email);
    await page.locator(`#wb-user option[value="${user.id}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#wb-user', user.id);
  }
  await page.selectOption('#wb-col', collection);
  await page.selectOption('#wb-rule', rule);
  if (record) await page.locator(`#wb-record-list option[value="${record}"]`).waitFor({ state: 'attached' });
  await page.fill('#wb-record', record || '');
  await answered(page, () => page.click('form.testform button[type=submit]'));
  await page.locator('section.result').waitFor();
}
const shownIds = (page) => page.locator('table.passing tbody tr').evaluateAll((els) => els.map((e) => e.dataset.id));

test('test as user: the passing records are what the records API gives that user and a guest', async ({ page, server }) => {
  for (const [label, who, user] of [['ann', 'users', users.ann], ['bob', 'users', users.bob], ['guest', '', null]]) {
    await testAs(page, { who, user, collection: 'notes', rule: 'listRule' });
    const got = await shownIds(page);
    const body = { collection: 'notes', rule: 'list', perPage: 20, ...(user ? { authCollection: 'users', authId: user.id } : { guest: true }) };
    const wb = await must(server, 'POST', '/api/_basalt/rules/test', su, body);
    const viaRecords = (await must(server, 'GET', '/api/collections/notes/records?perPage=200', user ? user.token : '')).items.map((r) => r.id);
    assert(same(got, wb.items.map((r) => r.id)), `${label}: screen ${got}, workbench API ${wb.items.map((r) => r.id)}`);
    assert(same(got, viaRecords), `${label}: screen ${got}, records API ${viaRecords}`);
    assert(got.length > 0, label + ' sees something');
  }
  await shot(page, 'wb-03-test-guest-1440');
});

test('test as user: one record, which clause decided', async ({ page, server }) => {
  await testAs(page, { who: 'users', user: users.ann, collection: 'notes', rule: 'viewRule', record: notes.gamma });
  const verdict = page.locator('[data-testid="verdict"]');
  await verdict.waitFor();
  const wb = await must(server, 'POST', '/api/_basalt/rules/test', su,
    { collection: 'notes', rule: 'view', authCollection: 'users', authId: users.ann.id, recordId: notes.gamma });
  const view = await api(server, 'GET', '/api/collections/notes/records/' + notes.gamma, users.ann.token);
  assert(await verdict.getAttribute('data-passes') === String(wb.record.passes), 'verdict as the API says');
  assert(wb.record.passes === (view.status === 200), `verdict ${wb.record.passes}, view answered ${view.status}`);
  // ann owns gamma, but it is not public: the second clause decided
  const leaves = await verdict.locator('li.clause:not(:has(li))').evaluateAll((els) =>
    els.map((e) => `${e.querySelector('code').textContent}|${e.dataset.pass}|${e.dataset.decisive}`));
  const apiLeaves = wb.record.clauses.children.map((c) => `${c.expr}|${c.pass}|${c.decisive}`);
  assert(same(leaves, apiLeaves), `screen ${leaves}, API ${apiLeaves}`);
  assert(apiLeaves.includes('public = true|false|true'), 'public = true decided: ' + apiLeaves);
  await shot(page, 'wb-04-explain-1440');
  // a record from the list: click "Explain" on it
  await testAs(page, { who: 'users', user: users.ann, collection: 'notes', rule: 'listRule' });
  assert(await page.locator('[data-testid="verdict"]').count() === 0, 'no verdict without a record');
  await answered(page, () => page.click(`tr[data-id="${notes.alpha}"] button:has-text("Explain")`));
  assert(await page.locator('[data-testid="verdict"]').getAttribute('data-passes') === 'true', 'alpha passes');
  assert(await page.locator('[data-testid="verdict"] .mono').first().innerText() === notes.alpha, 'the clicked record is explained');
});

test('test as user: a locked rule; bad input shows the server message at the field', async ({ page }) => {
  await testAs(page, { who: 'users', user: users.bob, collection: 'notes', rule: 'deleteRule' });
  assert(await page.locator('section.result').getAttribute('data-access') === 'locked', 'delete is locked');
  assert((await page.locator('section.result h2').innerText()).startsWith('0 records'), 'nothing passes a locked rule');
  // no user matches the search: the server refuses the empty authId
  await page.goto(base(page) + '#/rules/test');
  await page.selectOption('#wb-who', 'users');
  await page.fill('#wb-user-search', 'nobody-matches-this');
  await page.waitForFunction(() => document.querySelectorAll('#wb-user option').length === 0);
  await page.click('form.testform button[type=submit]');
  const err = page.locator('#wb-user ~ .err');
  await err.waitFor();
  assert((await err.innerText()).includes('Cannot be blank'), 'the server message at the field: ' + await err.innerText());
  await page.locator('.err-box[role=alert]').waitFor();
  // an id that is not in the collection: the server's message under the record field
  await page.fill('#wb-user-search', '');
  await page.locator(`#wb-user option[value="${users.ann.id}"]`).waitFor({ state: 'attached' });
  await page.selectOption('#wb-user', users.ann.id);
  await page.fill('#wb-record', 'no-such-record');
  await page.click('form.testform button[type=submit]');
  const recErr = page.locator('#wb-record ~ .err');
  await recErr.waitFor();
  assert((await recErr.innerText()).includes('No such record'), 'record error at the field: ' + await recErr.innerText());
});

// --- visual pass --------------------------------------------------------------

const screens = [
  ['rules', '#/rules', 'tr[data-collection="notes"]'],
  ['lint', '#/rules/lint', 'li.finding'],
  ['test', '#/rules/test', 'form.testform'],
  ['collections', '#/collections/notes', 'table.data'],
  ['logs', '#/logs', 'h1'],
  ['crons', '#/crons', 'tr[data-job]'],
  ['backups', '#/backups', 'h1'],
];

async function theme(page, want) {
  const cur = await page.evaluate(() => document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  if (cur !== want) await page.click('button[aria-label*="theme"]');
}

test('visual pass: every list screen in both themes at 1440 and 390 px', async ({ page }) => {
  for (const t of ['light', 'dark']) {
    await theme(page, t);
    for (const [w, h] of [[1440, 900], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [name, hash, ready] of screens) {
        await page.goto(base(page) + hash);
        await page.locator(ready).first().waitFor();
        await page.waitForFunction(() => !document.body.innerText.includes('Loading…'));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert(overflow <= 1, `${name} ${t} ${w}px: horizontal page scroll of ${overflow}px`);
        await shot(page, `wb-v-${name}-${t}-${w}`);
      }
      // the collection drawer over the records view
      await page.goto(base(page) + '#/collections/notes');
      await page.click('button[aria-label="Edit collection notes"]');
      await page.locator('.drawer .fieldrow').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(overflow <= 1, `drawer ${t} ${w}px: horizontal page scroll of ${overflow}px`);
      await shot(page, `wb-v-drawer-${t}-${w}`);
      await page.click('.drawer button[aria-label="Close"]');
      await page.locator('.drawer').waitFor({ state: 'detached' });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await theme(page, 'light');
});

test('visual pass: the navigation uses the SVG icon set, no text glyphs', async ({ page }) => {
  const glyphs = await page.locator('nav.nav').evaluate((nav) => {
    const bad = [];
    const walker = document.createTreeWalker(nav, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (/[\u2190-\u2BFF\u{1F000}-\u{1FFFF}]/u.test(n.textContent)) bad.push(n.textContent.trim());
    }
    return bad;
  });
  assert(glyphs.length === 0, 'text glyphs in the nav: ' + glyphs.join(' '));
  assert(await page.locator('nav.nav a svg.ico').count() >= 6, 'every nav entry has an icon');
});

test('visual pass: icon buttons of the records view and its drawer hold the SVG icons', async ({ page }) => {
  await page.goto(base(page) + '#/collections/notes');
  for (const sel of ['button[aria-label="Refresh records"]', 'button[aria-label="Edit collection notes"]']) {
    const el = page.locator(sel);
    await el.waitFor();
    assert(await el.locator('svg.ico').count() === 1, sel + ' shows an icon of the set');
    assert((await el.innerText()).trim() === '', sel + ' has no text glyph: ' + await el.innerText());
  }
  await page.click('button[aria-label="Edit collection notes"]');
  const close = page.locator('.drawer button[aria-label="Close"]');
  await close.waitFor();
  assert(await close.locator('svg.ico').count() === 1, 'the drawer\'s Close button shows the x icon');
  await shot(page, 'wb-v-drawer-close-1440');
  await close.click();
  await page.locator('.drawer').waitFor({ state: 'detached' });
});

test('empty states offer a next action', async ({ page, server }) => {
  // the linter's empty state: fix the risky rules through the API, then look
  await must(server, 'PATCH', '/api/collections/notes', su, { updateRule: 'owner = @request.auth.id' });
  await must(server, 'DELETE', '/api/collections/risky', su);
  const left = (await must(server, 'GET', '/api/_basalt/rules/lint', su)).findings;
  await page.goto(base(page) + '#/rules/lint');
  if (left.length === 0) {
    await page.locator('.empty', { hasText: 'No risky rules found' }).locator('button').waitFor();
    await shot(page, 'wb-05-lint-empty-1440');
  } else {
    await page.locator('li.finding').first().waitFor();
    assert(await page.locator('li.finding').count() === left.length, 'remaining findings listed');
  }
  // the test tab before a run
  await page.goto(base(page) + '#/rules/test');
  await page.locator('.empty', { hasText: 'Pick a caller' }).waitFor();
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
    // the 400 of a refused test request is an API answer, not an app error
    if (/Failed to load resource: the server responded with a status of (400|403|404)/.test(text) && /\/api\//.test(loc)) return;
    consoleErrors.push(text + (loc ? ' @ ' + loc : '')); console.log('     console error: ' + text);
  });
  page.on('pageerror', (e) => { consoleErrors.push('pageerror: ' + e.message); console.log('     pageerror: ' + e.message); });
  ok = await run({ page, server });
} finally {
  await close();
  server.stop();
}
process.exit(ok ? 0 : 1);
