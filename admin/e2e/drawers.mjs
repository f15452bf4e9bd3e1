// End-to-end: "never lose work" and the collection/auth tools, against the
// real binary and Debian chromium. For every drawer (collection create and
// edit with its tabs, the OAuth2 provider drawer nested in it, the log and
// backup settings) and every settings page with a form (application, mail,
// rate limits, import, token secrets): Save is enabled only when something
// changed and again disabled after an undo; Escape, a backdrop click and
// Cancel ask before discarding (keep editing / discard); Escape closes only
// the innermost layer (autocomplete, nested dialog, nested drawer). Then
// collection names normalised as PocketBase does, the OAuth2 provider grid
// (search, logos, mapping, login alert) read back through the API, the
// "Forgotten password?" mail to the SMTP sink, rule highlighting and field
// insertion, and server errors at every rule input with nothing half-saved.
import { join } from 'node:path';
import { buildBinary, startServer, launch, runner, ensureShots, shotsDir, assert, startSMTPSink, mailLink, eventually, api } from './harness.mjs';

const EMAIL = 'drawers-admin@example.com';
const PASS = 'secret-pass-123';
const { test, run } = runner();
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png') });
const consoleErrors = [];
let su = '';

const PROMPT = '[role=alertdialog]';
const prompt = (page) => page.locator(PROMPT, { hasText: 'Discard unsaved changes?' });

/** clickBackdrop clicks the overlay left of a right-hand drawer. */
const clickBackdrop = (page) => page.mouse.click(8, 400);

/** guard runs the unsaved-changes checks of one drawer. d: open() opens
 * it, edit()/undo() change one value and put it back, kept() says whether
 * the edit is still there, save is the Save button, root a selector that
 * is present exactly while the drawer is open. */
async function guard(page, d) {
  await d.open();
  await page.locator(d.root).waitFor();
  const save = page.locator(d.save);
  await eventually(() => save.isDisabled(), d.name + ': Save disabled before any change');
  await d.edit();
  await eventually(() => save.isEnabled(), d.name + ': Save enabled after a change');
  await d.undo();
  await eventually(() => save.isDisabled(), d.name + ': Save disabled again after the undo');
  // a clean drawer closes on Escape without asking
  await page.keyboard.press('Escape');
  await page.locator(d.root).waitFor({ state: 'detached' });
  assert(await prompt(page).count() === 0, d.name + ': no prompt when nothing changed');

  await d.open();
  await page.locator(d.root).waitFor();
  await d.edit();
  // Escape asks; Escape on the prompt means "keep editing"
  await page.keyboard.press('Escape');
  await prompt(page).waitFor();
  await page.keyboard.press('Escape');
  await prompt(page).waitFor({ state: 'detached' });
  assert(await page.locator(d.root).count() === 1 && await d.kept(), d.name + ': Escape on the prompt keeps the drawer and the edit');
  // the backdrop asks; "Keep editing"
  if (d.backdrop !== false) {
    await (d.backdrop || clickBackdrop)(page);
    await prompt(page).waitFor();
    await page.click(PROMPT + ' button:has-text("Keep editing")');
    await prompt(page).waitFor({ state: 'detached' });
    assert(await page.locator(d.root).count() === 1 && await d.kept(), d.name + ': backdrop + keep editing keeps the edit');
  }
  // Cancel asks; "Discard" closes without saving
  await page.click(d.cancel);
  await prompt(page).waitFor();
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.locator(d.root).waitFor({ state: 'detached' });
  if (d.after) await d.after();
}

test('installer creates the superuser; SMTP points at the sink', async ({ page, server, sink }) => {
  await page.goto(server.installer);
  await page.fill('#inst-email', EMAIL);
  await page.fill('#inst-password', PASS);
  await page.fill('#inst-password2', PASS);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/collections\/users/);
  su = (await api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password: PASS })).body.token;
  const r = await api(server, 'PATCH', '/api/settings', su, {
    meta: { appURL: server.url, senderAddress: 'noreply@example.com', senderName: 'Drawers' },
    smtp: { enabled: true, host: '127.0.0.1', port: sink.port },
  });
  assert(r.status === 200, 'smtp: ' + r.text);
  const users = (await api(server, 'GET', '/api/collections/users', su)).body;
  const p = await api(server, 'POST', '/api/collections', su, {
    name: 'posts', type: 'base', fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 }],
  });
  assert(p.status === 200, 'posts: ' + p.text);
  const u = await api(server, 'PATCH', '/api/collections/users', su, { fields: [...users.fields, { name: 'nick', type: 'text' }] });
  assert(u.status === 200, 'users.nick: ' + u.text);
  await page.goto(server.url + '/_/#/collections/posts');
  await page.reload(); // the dashboard loaded the collections before the API created these
  await page.locator('h1', { hasText: 'posts' }).waitFor();
});

test('collection drawer (edit): Save only when changed, guard on Escape, backdrop and Cancel', async ({ page, server }) => {
  const before = (await api(server, 'GET', '/api/collections/posts', su)).body;
  await guard(page, {
    name: 'edit collection', root: '#cp-name', save: 'footer button[type=submit]', cancel: 'footer button:has-text("Cancel")',
    open: () => page.click('button[aria-label="Edit collection posts"]'),
    edit: () => page.fill('#cp-name', 'posts_renamed'),
    undo: () => page.fill('#cp-name', 'posts'),
    kept: async () => (await page.inputValue('#cp-name')) === 'posts_renamed',
  });
  const after = (await api(server, 'GET', '/api/collections/posts', su)).body;
  assert(after.name === 'posts' && after.updated === before.updated, 'nothing was saved');
  // every tab: opening it is not an edit; an edit and its undo toggle Save
  await page.click('button[aria-label="Edit collection posts"]');
  const save = page.locator('footer button[type=submit]');
  for (const tab of ['API rules', 'Indexes', 'Fields']) {
    await page.click(`.tabs button:has-text("${tab}")`);
    await eventually(() => save.isDisabled(), tab + ': opening the tab changes nothing');
  }
  await page.click('button[aria-label="Options of title"]');
  await page.check('.fopts label:has-text("Required") input');
  await eventually(() => save.isEnabled(), 'field option change enables Save');
  await page.uncheck('.fopts label:has-text("Required") input');
  await eventually(() => save.isDisabled(), 'field option undo disables Save');
  await page.click('.tabs button:has-text("API rules")');
  await page.click('[data-rule="rule-listRule"] button:has-text("Unlock")');
  await eventually(() => save.isEnabled(), 'unlocking a rule (null → "") is a change');
  await page.click('[data-rule="rule-listRule"] button[aria-label*="superusers only"]');
  await eventually(() => save.isDisabled(), 'locking it again is the undo');
  await page.keyboard.press('Escape');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
});

test('collection drawer (new): Create only with a name; names normalised as PocketBase does', async ({ page, server }) => {
  await guard(page, {
    name: 'new collection', root: '#cp-name', save: 'footer button[type=submit]', cancel: 'footer button:has-text("Cancel")',
    open: () => page.click('.side button:has-text("New collection")'),
    edit: () => page.fill('#cp-name', 'drafts'),
    undo: () => page.fill('#cp-name', ''),
    kept: async () => (await page.inputValue('#cp-name')) === 'drafts',
  });
  assert((await api(server, 'GET', '/api/collections/drafts', su)).status === 404, 'the discarded collection was not created');
  await page.click('.side button:has-text("New collection")');
  await page.click('#cp-name');
  await page.keyboard.type('my-posts v2.0');
  assert(await page.inputValue('#cp-name') === 'my_posts_v2_0', 'typed name normalised: ' + await page.inputValue('#cp-name'));
  await page.fill('#cp-name', 'Café=Crème!');
  assert(await page.inputValue('#cp-name') === 'Cafe_Creme', 'pasted name normalised: ' + await page.inputValue('#cp-name'));
  await page.fill('#cp-name', 'my-posts');
  assert(await page.inputValue('#cp-name') === 'my_posts', 'my-posts → my_posts');
  await page.click('footer button[type=submit]');
  await page.locator('h1', { hasText: 'my_posts' }).waitFor();
  assert((await api(server, 'GET', '/api/collections/my_posts', su)).status === 200, 'created as my_posts');
  // the server stays authoritative: a name the normaliser lets through is still checked there (taken)
  await page.click('.side button:has-text("New collection")');
  await page.fill('#cp-name', 'posts');
  await page.click('footer button[type=submit]');
  await page.locator('#cp-name ~ .err').waitFor();
  await page.click('footer button:has-text("Cancel")');
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
});

test('Escape closes only the innermost layer: autocomplete, add-field menu, delete dialog', async ({ page }) => {
  await page.goto(page.url().replace(/#.*/, '#/collections/posts'));
  await page.locator('h1', { hasText: 'posts' }).waitFor();
  await page.click('button[aria-label="Edit collection posts"]');
  await page.click('.tabs button:has-text("API rules")');
  await page.click('[data-rule="rule-viewRule"] button:has-text("Unlock")');
  await page.click('#rule-viewRule');
  await page.keyboard.type('@req');
  await page.locator('#rule-viewRule-ac').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#rule-viewRule-ac').waitFor({ state: 'detached' });
  assert(await page.locator('#cp-name').count() === 1 && await prompt(page).count() === 0, 'autocomplete closed, drawer open, no prompt');
  assert(await page.inputValue('#rule-viewRule') === '@req', 'the typed text is kept');
  // the next Escape reaches the drawer: it has changes, so it asks
  await page.keyboard.press('Escape');
  await prompt(page).waitFor();
  await page.keyboard.press('Escape');
  await prompt(page).waitFor({ state: 'detached' });
  // the add-field menu
  await page.click('.tabs button:has-text("Fields")');
  await page.click('.addwrap button:has-text("New field")');
  await page.locator('.kinds[role=menu]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.kinds[role=menu]').waitFor({ state: 'detached' });
  assert(await page.locator('#cp-name').count() === 1 && await prompt(page).count() === 0, 'menu closed, drawer open');
  // a nested dialog: the delete confirmation
  await page.click('.drawer header button.danger:has-text("Delete")');
  await page.locator('#cd-name').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#cd-name').waitFor({ state: 'detached' });
  assert(await page.locator('#cp-name').count() === 1 && await prompt(page).count() === 0, 'dialog closed, drawer open');
  await page.click('footer button:has-text("Cancel")');
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
});

test('rules: syntax highlighting, available fields inserted at the cursor', async ({ page }) => {
  await page.click('button[aria-label="Edit collection posts"]');
  await page.click('.tabs button:has-text("API rules")');
  await page.click('[data-rule="rule-listRule"] button:has-text("Unlock")');
  await page.fill('#rule-listRule', 'title = "x" && @request.auth.id != "" || @collection.users.id ?= author && created > @now');
  const hl = '[data-rule="rule-listRule"] .hl-layer';
  const texts = async (cls) => page.locator(`${hl} .t-${cls}`).allInnerTexts();
  assert((await texts('field')).includes('title') && (await texts('field')).includes('author'), 'fields: ' + await texts('field'));
  assert((await texts('request')).includes('@request.auth.id'), '@request: ' + await texts('request'));
  assert((await texts('collection')).includes('@collection.users.id'), '@collection: ' + await texts('collection'));
  assert((await texts('macro')).includes('@now'), 'macro: ' + await texts('macro'));
  assert((await texts('op')).join(' ') === '= && != || ?= && >', 'operators: ' + await texts('op'));
  assert((await texts('string')).join(' ') === '"x" ""', 'strings: ' + await texts('string'));
  // the layer mirrors the text exactly and sits under the textarea
  assert(await page.locator(hl).innerText() === await page.inputValue('#rule-listRule') + ' ', 'overlay text = textarea text');
  const [a, b] = await Promise.all([page.locator(hl).boundingBox(), page.locator('#rule-listRule').boundingBox()]);
  assert(Math.abs(a.x - b.x) < 1 && Math.abs(a.y - b.y) < 1 && Math.abs(a.width - b.width) < 1, 'overlay aligned: ' + JSON.stringify([a, b]));
  await shot(page, 'drawers-01-rule-highlight');
  // available fields: a click inserts at the cursor (here: the start)
  await page.fill('#rule-listRule', ' = 1');
  await page.click('#rule-listRule');
  await page.keyboard.press('Home');
  await page.click('[data-rule="rule-listRule"] button[aria-label^="Show available fields"]');
  const list = page.locator('#rule-listRule-fields');
  await list.waitFor();
  const chips = await list.locator('button').allInnerTexts();
  for (const want of ['title', 'author', '@request.auth.id', '@request.body.title', '@collection.users.']) assert(chips.includes(want), 'listed: ' + want + ' in ' + chips);
  await list.locator('button', { hasText: /^title$/ }).click();
  assert(await page.inputValue('#rule-listRule') === 'title = 1', 'inserted at the cursor: ' + await page.inputValue('#rule-listRule'));
  await page.keyboard.press('End');
  await page.keyboard.type(' && ');
  await list.locator('button', { hasText: '@collection.users.' }).click();
  assert(await page.inputValue('#rule-listRule') === 'title = 1 && @collection.users.', 'second insert after the typing: ' + await page.inputValue('#rule-listRule'));
  // a trailing "." opens the autocomplete of the next segment
  await page.locator('#rule-listRule-ac').waitFor();
  await page.keyboard.press('Escape');
  await page.click('footer button:has-text("Cancel")');
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
});

test('every rule input shows the server\'s message at the field; nothing is half-saved', async ({ page, server }) => {
  const check = async (colName, ruleId, path, openTab) => {
    const before = (await api(server, 'GET', '/api/collections/' + colName, su)).body;
    await page.goto(page.url().replace(/#.*/, '#/collections/' + colName));
    await page.reload(); // the schema may have changed through the API
    await page.locator('h1', { hasText: colName }).waitFor();
    await page.click(`button[aria-label="Edit collection ${colName}"]`);
    await page.click(`.tabs button:has-text("${openTab}")`);
    // a harmless second change in the same save: it must not land either
    const rule = page.locator(`[data-rule="${ruleId}"]`);
    if (await rule.locator('button:has-text("Unlock")').count()) await rule.locator('button:has-text("Unlock")').click();
    await page.fill('#' + ruleId, 'no_such_field = 1');
    await page.click('footer button[type=submit]');
    const err = rule.locator('.err');
    await err.waitFor();
    const msg = await err.innerText();
    assert(/no_such_field|unknown|invalid/i.test(msg), ruleId + ': server message at the field: ' + msg);
    const after = (await api(server, 'GET', '/api/collections/' + colName, su)).body;
    assert(JSON.stringify(after) === JSON.stringify(before), ruleId + ': the collection is unchanged');
    await page.click('footer button:has-text("Cancel")');
    await page.click(PROMPT + ' button:has-text("Discard")');
    await page.locator('#cp-name').waitFor({ state: 'detached' });
    return path;
  };
  for (const r of ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule']) await check('posts', 'rule-' + r, r, 'API rules');
  for (const r of ['authRule', 'manageRule']) await check('users', 'rule-' + r, r, 'API rules');
  // the MFA rule sits in the auth options (MFA on)
  let r = await api(server, 'PATCH', '/api/collections/users', su, { otp: { enabled: true }, mfa: { enabled: true, duration: 1800, rule: '' } });
  assert(r.status === 200, 'mfa on: ' + r.text);
  await check('users', 'rule-mfa', 'mfa.rule', 'Auth options');
  r = await api(server, 'PATCH', '/api/collections/users', su, { otp: { enabled: false }, mfa: { enabled: false, duration: 1800, rule: '' } });
  assert(r.status === 200, 'mfa off: ' + r.text);
});

test('OAuth2: searchable grid with logos, provider drawer guarded and nested, mapping and login alert saved', async ({ page, server }) => {
  await page.goto(page.url().replace(/#.*/, '#/collections/users'));
  await page.reload(); // MFA was switched off through the API
  await page.locator('h1', { hasText: 'users' }).waitFor();
  await page.click('button[aria-label="Edit collection users"]');
  await page.click('.tabs button:has-text("Auth options")');
  const save = page.locator('.drawer footer button[type=submit]').first();
  await eventually(() => save.isDisabled(), 'opening the auth options changes nothing');
  await page.check('label:has-text("Enable OAuth2") input');
  const tiles = page.locator('.pgrid button.ptile');
  assert(await tiles.count() >= 30, 'all providers: ' + await tiles.count());
  await page.fill('#ao-psearch', 'git');
  await page.waitForFunction(() => document.querySelectorAll('.pgrid button.ptile').length === 4);
  assert(JSON.stringify(await tiles.evaluateAll((b) => b.map((x) => x.dataset.provider))) === '["gitea","gitee","github","gitlab"]', 'search narrows');
  const logo = page.locator('[data-provider="github"] svg.logo');
  assert(await logo.getAttribute('data-logo') === 'brand', 'github has its brand logo');
  assert((await logo.locator('path').getAttribute('d')).length > 100, 'a real logo path');
  await page.fill('#ao-psearch', 'micro');
  assert(await page.locator('[data-provider="microsoft"] svg.logo').getAttribute('data-logo') === 'fallback', 'microsoft: neutral glyph');
  await page.fill('#ao-psearch', 'zzz');
  await page.locator('.pgrid', { hasText: 'No provider matches' }).waitFor();
  await page.fill('#ao-psearch', '');
  await page.locator('#ao-map-name').scrollIntoViewIfNeeded();
  await shot(page, 'drawers-02-oauth2-grid');
  await page.fill('#ao-psearch', 'github');

  // the provider drawer: nested, guarded, Escape innermost
  await guard(page, {
    name: 'provider drawer', root: '#ao-p-id', save: '.nested button[type=submit]', cancel: '.nested footer button:has-text("Cancel")',
    open: () => page.click('[data-provider="github"]'),
    edit: () => page.fill('#ao-p-id', 'gh-client'),
    undo: () => page.fill('#ao-p-id', ''),
    kept: async () => (await page.inputValue('#ao-p-id')) === 'gh-client',
    after: async () => assert(await page.locator('#cp-name').count() === 1, 'the collection drawer stays open under it'),
  });
  await page.click('[data-provider="github"]');
  await page.fill('#ao-p-id', 'gh-client');
  await page.fill('#ao-p-secret', 'gh-secret-value');
  await page.fill('#ao-p-dn', 'GitHub SSO');
  await shot(page, 'drawers-03-provider-drawer');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'drawers-03b-provider-drawer-390');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('.nested button[type=submit]');
  await page.locator('#ao-p-id').waitFor({ state: 'detached' });
  await page.locator('[data-provider="github"] .badge', { hasText: 'on' }).waitFor();
  // mapping and login alert
  await page.selectOption('#ao-map-name', 'nick');
  await page.selectOption('#ao-map-avatarURL', '');
  await page.check('#ao-alert');
  await page.click('.drawer footer button[type=submit]');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
  const col = (await api(server, 'GET', '/api/collections/users', su)).body;
  const gh = col.oauth2.providers.find((p) => p.name === 'github');
  assert(col.oauth2.enabled && gh && gh.clientId === 'gh-client' && gh.displayName === 'GitHub SSO', 'provider saved: ' + JSON.stringify(col.oauth2));
  assert(col.oauth2.mappedFields.name === 'nick' && col.oauth2.mappedFields.avatarURL === '', 'mapping saved: ' + JSON.stringify(col.oauth2.mappedFields));
  assert(col.authAlert.enabled === true, 'login alert saved: ' + JSON.stringify(col.authAlert));
  // read back into the editor
  await page.click('button[aria-label="Edit collection users"]');
  await page.click('.tabs button:has-text("Auth options")');
  assert(await page.inputValue('#ao-map-name') === 'nick' && await page.isChecked('#ao-alert'), 'editor shows the saved mapping and alert');
  await page.click('[data-provider="github"]');
  assert(await page.inputValue('#ao-p-id') === 'gh-client' && await page.inputValue('#ao-p-secret') === '', 'client id back, secret not echoed');
  await page.keyboard.press('Escape');
  await page.locator('#ao-p-id').waitFor({ state: 'detached' });
  await page.keyboard.press('Escape');
  await page.locator('#cp-name').waitFor({ state: 'detached' });
});

test('auth options and mail templates are part of the collection guard', async ({ page }) => {
  let subject = '';
  await guard(page, {
    name: 'auth options', root: '#cp-name', save: 'footer button[type=submit]', cancel: 'footer button:has-text("Cancel")',
    open: async () => {
      await page.click('button[aria-label="Edit collection users"]');
      await page.click('.tabs button:has-text("Auth options")');
      subject = await page.inputValue('#ao-subj');
    },
    edit: () => page.fill('#ao-subj', 'Verify, please'),
    undo: () => page.fill('#ao-subj', subject),
    kept: async () => (await page.inputValue('#ao-subj')) === 'Verify, please',
  });
  await guard(page, {
    name: 'login alert toggle', root: '#cp-name', save: 'footer button[type=submit]', cancel: 'footer button:has-text("Cancel")',
    open: async () => { await page.click('button[aria-label="Edit collection users"]'); await page.click('.tabs button:has-text("Auth options")'); },
    edit: () => page.uncheck('#ao-alert'),
    undo: () => page.check('#ao-alert'),
    kept: async () => !(await page.isChecked('#ao-alert')),
  });
});

test('log and backup settings drawers', async ({ page }) => {
  await page.click('a[title="Logs"]');
  await guard(page, {
    name: 'log settings', root: '#ls-maxdays', save: '.drawer button[type=submit]', cancel: '.drawer footer button:has-text("Cancel")',
    open: () => page.click('button:has-text("Log settings")'),
    edit: () => page.fill('#ls-maxdays', '11'),
    undo: () => page.fill('#ls-maxdays', '5'),
    kept: async () => (await page.inputValue('#ls-maxdays')) === '11',
  });
  await page.click('a[title="Backups"]');
  await guard(page, {
    name: 'backup settings', root: '#bs-auto', save: '.drawer button[type=submit]', cancel: '.drawer footer button:has-text("Cancel")',
    open: () => page.click('button:has-text("Backup settings")'),
    edit: () => page.check('#bs-auto'),
    undo: () => page.uncheck('#bs-auto'),
    kept: async () => page.isChecked('#bs-auto'),
  });
});

test('settings pages: Save only when changed; Cancel and leaving the page ask first', async ({ page, server }) => {
  const pages = [
    ['application', '#st-name', 'Renamed app'],
    ['mail', '#st-sname', 'Other sender'],
    ['batch', '#st-bsize', '12345'],
    ['proxy', '#st-headers', 'X-Real-IP'],
    // a write-only secret outside the loaded settings counts too
    ['mail', '#st-pass', 'new-smtp-secret'],
  ];
  for (const [tab, sel, val] of pages) {
    await page.goto(page.url().replace(/#.*/, '#/settings/' + tab));
    await page.locator(sel).waitFor();
    const save = page.locator('.content button[type=submit]');
    const orig = await page.inputValue(sel);
    await eventually(() => save.isDisabled(), tab + ': Save disabled before a change');
    await page.fill(sel, val);
    await eventually(() => save.isEnabled(), tab + ': Save enabled after a change');
    await page.fill(sel, orig);
    await eventually(() => save.isDisabled(), tab + ': Save disabled after the undo');
    await page.fill(sel, val);
    // the page has seen the edit (Save enabled) before we try to leave
    await page.locator('.content button[type=submit]:enabled').waitFor();
    // leaving asks; keep editing stays on the page with the edit
    await page.click('.side a:has-text("Rate limits")');
    await prompt(page).waitFor();
    await page.click(PROMPT + ' button:has-text("Keep editing")');
    assert(page.url().endsWith('#/settings/' + tab) && await page.inputValue(sel) === val, tab + ': stayed with the edit: ' + page.url());
    // Cancel asks; discard reloads the saved values
    await page.click('.content button:has-text("Cancel")');
    await page.keyboard.press('Escape');
    await prompt(page).waitFor({ state: 'detached' });
    assert(await page.inputValue(sel) === val, tab + ': Escape on the prompt keeps the edit');
    await page.click('.content button:has-text("Cancel")');
    await page.click(PROMPT + ' button:has-text("Discard")');
    await page.waitForFunction(([s, v]) => document.querySelector(s)?.value === v, [sel, orig]);
    // leaving with a change, then discard: the other page opens, nothing saved
    await page.fill(sel, val);
    await page.locator('.content button[type=submit]:enabled').waitFor();
    await page.click('.side a:has-text("Rate limits")');
    await page.click(PROMPT + ' button:has-text("Discard")');
    await page.waitForURL(/#\/settings\/ratelimits/);
  }
  const st = (await api(server, 'GET', '/api/settings', su)).body;
  assert(st.meta.appName !== 'Renamed app' && st.meta.senderName !== 'Other sender' && st.batch.maxBodySize !== 12345, 'nothing saved');
  // import: pasted JSON not imported yet
  await page.goto(page.url().replace(/#.*/, '#/settings/import'));
  await page.fill('#im-json', '[]');
  await page.click('.side a:has-text("Export collections")');
  await prompt(page).waitFor();
  await page.click(PROMPT + ' button:has-text("Keep editing")');
  assert(await page.inputValue('#im-json') === '[]', 'import: pasted text kept');
  await page.click('.side a:has-text("Export collections")');
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.waitForURL(/#\/settings\/export/);
  // token secrets: a selection of secrets to regenerate
  await page.click('.side a:has-text("Token secrets")');
  await page.locator('fieldset:has(legend:text-is("users")) label:has-text("Auth tokens") input').check();
  await page.click('.side a:has-text("Application")');
  await prompt(page).waitFor();
  await page.click(PROMPT + ' button:has-text("Discard")');
  await page.waitForURL(/#\/settings\/application/);
});

test('"Forgotten password?" sends a reset mail and answers the same for unknown addresses', async ({ page, server, sink }) => {
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(server.url + '/_/');
  await page.click('button:has-text("Forgotten password?")');
  await page.fill('#login-email', 'nobody-here@example.com');
  await page.click('button[type=submit]');
  const okUnknown = await page.locator('.ok-box[role=status]').innerText();
  await page.click('button:has-text("Back to login")');
  await page.click('button:has-text("Forgotten password?")');
  const since = sink.mark();
  await page.fill('#login-email', EMAIL);
  await page.click('button[type=submit]');
  const okKnown = await page.locator('.ok-box[role=status]').innerText();
  assert(okUnknown.replace('nobody-here@example.com', EMAIL) === okKnown, 'the same neutral answer: ' + okUnknown + ' / ' + okKnown);
  await shot(page, 'drawers-04-forgot-password');
  const mail = await sink.waitFor(EMAIL, /confirm-password-reset/, since);
  assert(mail.text.includes('/_/#/auth/confirm-password-reset/'), 'the reset link is in the mail');
  assert(!sink.mails.some((m) => m.to.includes('nobody-here@example.com')), 'no mail to the unknown address');
  // the link sets a new superuser password
  const link = mailLink(mail, 'confirm-password-reset');
  assert(link.startsWith(server.url + '/_/#/auth/'), 'link on this server: ' + link);
  await page.goto(link);
  await page.fill('#aa-pass', 'brand-new-pass-456');
  await page.fill('#aa-pass2', 'brand-new-pass-456');
  await page.click('button:has-text("Confirm")');
  await page.locator('.ok-box', { hasText: 'Your password was changed' }).waitFor();
  const login = (password) => api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password });
  assert((await login('brand-new-pass-456')).status === 200, 'the new password works');
  assert((await login(PASS)).status === 400, 'the old one does not');
});

test('no console errors (CSP included)', async () => {
  assert(consoleErrors.length === 0, 'console errors:\n' + consoleErrors.join('\n'));
});

const bin = buildBinary();
const sink = await startSMTPSink();
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
    // the 400s of refused rules/names are API answers, not app errors
    if (/Failed to load resource: the server responded with a status of (400|404)/.test(text) && /\/api\//.test(loc)) return;
    consoleErrors.push(text + (loc ? ' @ ' + loc : '')); console.log('     console error: ' + text);
  });
  page.on('pageerror', (e) => { consoleErrors.push('pageerror: ' + e.message); console.log('     pageerror: ' + e.message); });
  // E2E_KEEP_GOING=1 runs every test even after a failure (e.g. to see which fail against an older build)
  ok = await run({ page, server, sink, stopOnFail: !process.env.E2E_KEEP_GOING });
} finally {
  await close();
  server.stop();
  await sink.close();
}
process.exit(ok ? 0 : 1);
