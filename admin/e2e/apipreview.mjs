// End-to-end: the API preview of a collection (issue #24 item 5) against
// the real binary and Debian chromium. The drawer lists the endpoints the
// server's /api/openapi.json gives for the collection, with the rule in
// force and the record's fields; it follows a schema change; its JS and
// Dart snippets copy to the clipboard.
import { join } from 'node:path';
import { buildBinary, startServer, launch, runner, ensureShots, shotsDir, assert, api } from './harness.mjs';

const EMAIL = 'api-admin@example.com';
const PASS = 'secret-pass-123';
const { test, run } = runner();
const shot = (page, name) => page.screenshot({ path: join(shotsDir, name + '.png'), fullPage: true });
const consoleErrors = [];
let su = '';

const drawer = (page) => page.locator('.apipreview');
const fieldNames = (page) => drawer(page).locator('table[aria-label="Record fields"] tbody tr td:first-child').allInnerTexts();

test('installer creates the superuser', async ({ page, server }) => {
  await page.goto(server.installer);
  await page.fill('#inst-email', EMAIL);
  await page.fill('#inst-password', PASS);
  await page.fill('#inst-password2', PASS);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/collections\/users/);
  su = (await api(server, 'POST', '/api/collections/_superusers/auth-with-password', '', { identity: EMAIL, password: PASS })).body.token;
  const r = await api(server, 'POST', '/api/collections', su, {
    name: 'articles', type: 'base', listRule: '', viewRule: '', createRule: '@request.auth.id != ""', updateRule: null, deleteRule: null,
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'kind', type: 'select', maxSelect: 1, values: ['news', 'howto'] },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
    ],
  });
  assert(r.status === 200, 'create articles: ' + r.text);
});

test('the preview lists the endpoints of the OpenAPI document with their rules', async ({ page, server }) => {
  // a reload so the dashboard's collection list has the new collection
  await page.goto(page.url().replace(/#.*/, '#/collections/articles'));
  await page.reload();
  await page.getByRole('button', { name: 'API preview of articles' }).click();
  await drawer(page).locator('.ep').first().waitFor();
  // the same operations as the document the server serves to superusers
  const doc = (await api(server, 'GET', '/api/openapi.json', su)).body;
  const want = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) if (op.tags?.includes('articles')) want.push(op.operationId);
  }
  const got = await drawer(page).locator('.ep').evaluateAll((els) => els.map((e) => e.dataset.op));
  assert(JSON.stringify([...got].sort()) === JSON.stringify(want.sort()), `endpoints ${got} != document ${want}`);
  assert(got.length === 5, 'five record endpoints: ' + got);
  // list: path, rule, parameters
  assert((await drawer(page).getByTestId('ep-path').innerText()) === '/api/collections/articles/records', 'list path');
  assert((await drawer(page).getByTestId('ep-rule').innerText()) === 'Everyone (empty rule)', 'list rule');
  const params = await drawer(page).locator('section.op table tbody tr td:first-child').allInnerTexts();
  for (const p of ['page', 'perPage', 'sort', 'filter', 'expand', 'fields', 'skipTotal']) assert(params.includes(p), 'param ' + p + ' in ' + params);
  assert((await drawer(page).getByTestId('ep-response').innerText()) === 'page of articles record', 'list response');
  // create: its rule text, the body with the select values
  await drawer(page).locator('[data-op="articles_create"]').click();
  assert((await drawer(page).getByTestId('ep-rule').innerText()) === '@request.auth.id != ""', 'create rule');
  await drawer(page).locator('[data-op="articles_delete"]').click();
  assert((await drawer(page).getByTestId('ep-rule').innerText()) === 'Superusers only', 'delete rule');
  // the record's fields, typed
  const names = await fieldNames(page);
  for (const f of ['id', 'title', 'kind', 'author', 'collectionId', 'expand']) assert(names.includes(f), 'field ' + f + ' in ' + names);
  const kind = await drawer(page).locator('tr[data-field="kind"] td:nth-child(2)').innerText();
  assert(kind === '"news" | "howto" | ""', 'kind type: ' + kind);
  await shot(page, 'apipreview-1440');
});

test('snippets copy to the clipboard (JS and Dart)', async ({ page, server }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await drawer(page).locator('[data-op="articles_create"]').click();
  const js = await drawer(page).getByTestId('snippet').innerText();
  assert(js.includes("pb.collection('articles').create(") && js.includes('"kind": "news"'), 'js snippet: ' + js);
  await drawer(page).getByRole('button', { name: 'Copy snippet' }).click();
  await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, js);
  await drawer(page).getByRole('tab', { name: 'Dart' }).click();
  const dart = await drawer(page).getByTestId('snippet').innerText();
  assert(dart.includes("pb.collection('articles').create(body: {") && dart.includes("'kind': 'news'"), 'dart snippet: ' + dart);
  await drawer(page).getByRole('button', { name: 'Copy snippet' }).click();
  await page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, dart);
});

test('the preview follows a schema change', async ({ page, server }) => {
  const col = (await api(server, 'GET', '/api/collections/articles', su)).body;
  const r = await api(server, 'PATCH', '/api/collections/articles', su, {
    listRule: 'kind = "news"', deleteRule: '@request.auth.id != ""',
    fields: [...col.fields, { name: 'mood', type: 'select', maxSelect: 2, values: ['happy', 'sad'] }],
  });
  assert(r.status === 200, 'update articles: ' + r.text);
  await page.keyboard.press('Escape');
  await drawer(page).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'API preview of articles' }).click();
  await page.waitForFunction(() => !!document.querySelector('.apipreview tr[data-field="mood"]'));
  const mood = await drawer(page).locator('tr[data-field="mood"] td:nth-child(2)').innerText();
  assert(mood === '"happy" | "sad"[]', 'mood type: ' + mood);
  await drawer(page).locator('[data-op="articles_list"]').click();
  assert((await drawer(page).getByTestId('ep-rule').innerText()) === 'kind = "news"', 'new list rule');
  await drawer(page).locator('[data-op="articles_delete"]').click();
  assert((await drawer(page).getByTestId('ep-rule').innerText()) === '@request.auth.id != ""', 'new delete rule');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'apipreview-390');
  await page.setViewportSize({ width: 1440, height: 900 });
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
  await page.setViewportSize({ width: 1440, height: 900 });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // the installer's check of its own (deleted) installer superuser is an API 404, not an app error
    if (/Failed to load resource: the server responded with a status of 404/.test(m.text()) && /\/api\/collections\/_superusers\/records\//.test(m.location()?.url || '')) return;
    consoleErrors.push(m.text() + ' @ ' + (m.location()?.url || '')); console.log('     console error: ' + m.text() + ' @ ' + (m.location()?.url || ''));
  });
  page.on('pageerror', (e) => { consoleErrors.push('pageerror: ' + e.message); console.log('     pageerror: ' + e.message); });
  ok = await run({ page, server });
} finally {
  await close();
  server.stop();
}
process.exit(ok ? 0 : 1);
