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

const names = (list) => list.map((c) => c.name);
const fieldNames = (c) => c.fields.map((f) => f.name);

/** expectError asserts that promise rejects with a ClientResponseError of the given status; returns it. */
async function expectError(promise, status, message) {
  let caught;
  await assert.rejects(promise, (err) => { caught = err; return true; });
  assert.ok(caught instanceof ClientResponseError, `expected ClientResponseError, got ${caught}`);
  assert.equal(caught.status, status, JSON.stringify(caught.response));
  assert.equal(caught.response.status, status);
  assert.equal(typeof caught.response.data, 'object');
  assert.notEqual(caught.response.data, null);
  if (message !== undefined) assert.equal(caught.response.message, message);
  return caught;
}

const postsBody = (name) => ({
  name,
  type: 'base',
  listRule: '',
  viewRule: '',
  createRule: '@request.auth.id != ""',
  updateRule: 'author = @request.auth.id',
  deleteRule: null,
  fields: [
    { name: 'title', type: 'text', required: true, max: 100 },
    { name: 'body', type: 'editor' },
    { name: 'views', type: 'number', onlyInt: true },
    { name: 'published', type: 'bool' },
    { name: 'status', type: 'select', values: ['draft', 'pub'], maxSelect: 1 },
    { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
    { name: 'meta', type: 'json' },
    { name: 'when', type: 'date' },
    { name: 'site', type: 'url' },
    { name: 'contact', type: 'email' },
    { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
    { name: 'created', type: 'autodate', onCreate: true },
    { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
  ],
  indexes: [`CREATE INDEX idx_${name}_status ON ${name} (status)`],
});

test('getFullList lists the system collections and users', async () => {
  const list = await pb.collections.getFullList();
  for (const n of ['_superusers', '_mfas', '_otps', '_externalAuths', '_authOrigins', 'users']) {
    assert.ok(names(list).includes(n), `missing ${n}`);
  }
  const su = list.find((c) => c.name === '_superusers');
  assert.equal(su.id, 'pbc_3142635823');
  assert.equal(su.type, 'auth');
  assert.equal(su.system, true);
  assert.equal(list.find((c) => c.name === 'users').id, '_pb_users_auth_');
});

test('getList envelope, filter, sort and fields on collections', async () => {
  const res = await pb.collections.getList(1, 2, { filter: 'system = true', sort: '-name', fields: 'id,name' });
  assert.equal(res.page, 1);
  assert.equal(res.perPage, 2);
  assert.equal(res.totalItems, 5);
  assert.equal(res.totalPages, 3);
  assert.equal(res.items.length, 2);
  assert.deepEqual(res.items.map((c) => c.name), ['_superusers', '_otps']);
  assert.deepEqual(Object.keys(res.items[0]).sort(), ['id', 'name']);
  // only id, created, updated, name, system, type are filterable (spec C1)
  await expectError(pb.collections.getList(1, 1, { filter: 'listRule = ""' }), 400);
});

test('getOne by name (case-insensitive) and id; unknown → 404', async () => {
  const byName = await pb.collections.getOne('users');
  assert.equal(byName.id, '_pb_users_auth_');
  assert.equal(byName.type, 'auth');
  assert.ok(fieldNames(byName).includes('email'));
  const byId = await pb.collections.getOne('_pb_users_auth_');
  assert.equal(byId.name, 'users');
  const upper = await pb.collections.getOne('USERS');
  assert.equal(upper.id, '_pb_users_auth_');
  await expectError(pb.collections.getOne('does_not_exist'), 404, "The requested resource wasn't found.");
});

test('create a base collection with several field kinds and rules', async () => {
  const c = await pb.collections.create(postsBody('c_posts'));
  assert.match(c.id, /^pbc_\d+$/);
  assert.equal(c.name, 'c_posts');
  assert.equal(c.type, 'base');
  assert.equal(c.system, false);
  assert.equal(c.listRule, '');
  assert.equal(c.createRule, '@request.auth.id != ""');
  assert.equal(c.updateRule, 'author = @request.auth.id');
  assert.equal(c.deleteRule, null);
  assert.deepEqual(fieldNames(c), ['id', 'title', 'body', 'views', 'published', 'status', 'tags', 'meta',
    'when', 'site', 'contact', 'author', 'created', 'updated']);
  const byName = Object.fromEntries(c.fields.map((f) => [f.name, f]));
  assert.equal(byName.id.system, true);
  assert.equal(byName.id.primaryKey, true);
  assert.equal(byName.title.type, 'text');
  assert.equal(byName.title.required, true);
  assert.equal(byName.title.max, 100);
  assert.equal(byName.views.onlyInt, true);
  assert.deepEqual(byName.status.values, ['draft', 'pub']);
  assert.equal(byName.tags.maxSelect, 3);
  assert.equal(byName.author.collectionId, '_pb_users_auth_');
  for (const f of c.fields) assert.ok(f.id, `field ${f.name} has an id`);
  assert.equal(c.indexes.length, 1);
  assert.match(c.indexes[0], /idx_c_posts_status/);
  assert.match(c.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);

  const got = await pb.collections.getOne('c_posts');
  assert.deepEqual(got.fields, c.fields);
  // and records can be written into it
  const rec = await pb.collection('c_posts').create({ title: 'hello', views: 2, tags: ['a', 'b'], meta: { k: 1 } });
  assert.equal(rec.title, 'hello');
  assert.deepEqual(rec.tags, ['a', 'b']);
  assert.deepEqual(rec.meta, { k: 1 });
});

test('create errors keep the {status,message,data} shape', async () => {
  await pb.collections.create({ name: 'c_dup' });
  let err = await expectError(pb.collections.create({ name: 'C_DUP' }), 400, 'Failed to create collection.');
  assert.equal(err.response.data.name.code, 'validation_collection_name_exists');

  err = await expectError(pb.collections.create({ name: 'c_badrule', listRule: 'nope = 1' }), 400, 'Failed to create collection.');
  assert.equal(err.response.data.listRule.code, 'validation_invalid_rule');
  assert.equal(typeof err.response.data.listRule.message, 'string');

  err = await expectError(pb.collections.create({ name: 'c_badtype', fields: [{ name: 'a', type: 'zzz' }] }), 400);
  assert.deepEqual(err.response.data, {});

  err = await expectError(pb.collections.create({
    name: 'c_badsel', fields: [{ name: 'sel', type: 'select', values: [] }],
  }), 400, 'Failed to create collection.');
  // field indexes refer to the final fields array where the auto-added id is index 0
  assert.equal(err.response.data.fields['1'].values.code, 'validation_required');

  // nothing was created by the failed calls
  const list = names(await pb.collections.getFullList());
  for (const n of ['c_badrule', 'c_badtype', 'c_badsel']) assert.ok(!list.includes(n));
});

test('update: rules, rename a field keeps its data, add and remove fields', async () => {
  const c = await pb.collections.create({
    name: 'c_upd',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  const rec = await pb.collection('c_upd').create({ title: 'keep me', views: 7 });

  const ruled = await pb.collections.update('c_upd', { listRule: 'id != ""' });
  assert.equal(ruled.listRule, 'id != ""');
  assert.deepEqual(ruled.fields, c.fields, 'fields untouched when not sent');

  // rename: same field id, new name
  const renamed = await pb.collections.update('c_upd', {
    fields: c.fields.map((f) => (f.name === 'title' ? { ...f, name: 'heading' } : f)),
  });
  assert.deepEqual(fieldNames(renamed), ['id', 'heading', 'views']);
  assert.equal(renamed.fields[1].id, c.fields[1].id);
  let got = await pb.collection('c_upd').getOne(rec.id);
  assert.equal(got.heading, 'keep me');
  assert.equal('title' in got, false);

  // add `extra`, drop `views`
  const changed = await pb.collections.update('c_upd', {
    fields: [...renamed.fields.filter((f) => f.name !== 'views'), { name: 'extra', type: 'text' }],
  });
  assert.deepEqual(fieldNames(changed), ['id', 'heading', 'extra']);
  got = await pb.collection('c_upd').getOne(rec.id);
  assert.equal(got.heading, 'keep me');
  assert.equal(got.extra, '');
  assert.equal('views' in got, false);
  await pb.collection('c_upd').update(rec.id, { extra: 'new' });
  assert.equal((await pb.collection('c_upd').getOne(rec.id)).extra, 'new');

  // rename the collection itself
  const moved = await pb.collections.update('c_upd', { name: 'c_upd2' });
  assert.equal(moved.id, c.id);
  assert.equal((await pb.collection('c_upd2').getOne(rec.id)).heading, 'keep me');
});

test('update errors: type change, system field rename, unknown collection', async () => {
  const c = await pb.collections.create({ name: 'c_upderr', fields: [{ name: 'n', type: 'text' }] });
  let err = await expectError(pb.collections.update('c_upderr', {
    fields: c.fields.map((f) => (f.name === 'n' ? { ...f, type: 'number' } : f)),
  }), 400, 'Failed to update collection.');
  assert.equal(err.response.data.fields['1'].type.code, 'validation_field_type_change');

  err = await expectError(pb.collections.update('c_upderr', {
    fields: c.fields.map((f) => (f.name === 'id' ? { ...f, name: 'ident' } : f)),
  }), 400, 'Failed to update collection.');
  // the index depends on where the server re-adds the missing `id` field
  assert.ok(Object.values(err.response.data.fields).some((e) => e.name?.code === 'validation_system_field_change'),
    JSON.stringify(err.response.data));


  await expectError(pb.collections.update('no_such_collection', { listRule: '' }), 404);
  assert.deepEqual(fieldNames(await pb.collections.getOne('c_upderr')), ['id', 'n']);
});

test('update: changing the collection type → 400 validation_collection_type_change (spec C4)', async () => {
  await pb.collections.create({ name: 'c_typechg', fields: [{ name: 'n', type: 'text' }] });
  const err = await expectError(pb.collections.update('c_typechg', { type: 'auth' }), 400, 'Failed to update collection.');
  assert.equal(err.response.data.type.code, 'validation_collection_type_change');
  assert.equal((await pb.collections.getOne('c_typechg')).type, 'base');
});

test('delete: 204 → gone; system collection cannot be deleted; unknown → 404', async () => {
  await pb.collections.create({ name: 'c_del' });
  assert.equal(await pb.collections.delete('c_del'), true);
  await expectError(pb.collections.getOne('c_del'), 404);
  await expectError(pb.collection('c_del').getList(), 404);
  await expectError(pb.collections.delete('_superusers'), 400);
  await expectError(pb.collections.delete('c_del'), 404);
});

test('delete is refused while another collection references it', async () => {
  const target = await pb.collections.create({ name: 'c_target' });
  await pb.collections.create({
    name: 'c_referrer',
    fields: [{ name: 'ref', type: 'relation', collectionId: target.id, maxSelect: 1 }],
  });
  await expectError(pb.collections.delete('c_target'), 400);
  assert.equal((await pb.collections.getOne('c_target')).id, target.id);
});

test('getScaffolds returns blank auth, base and view collections', async () => {
  const s = await pb.collections.getScaffolds();
  assert.deepEqual(Object.keys(s).sort(), ['auth', 'base', 'view']);
  for (const type of ['auth', 'base', 'view']) {
    assert.equal(s[type].type, type);
    assert.equal(s[type].id, '');
    assert.equal(s[type].name, '');
    assert.ok(Array.isArray(s[type].fields));
    assert.ok(Array.isArray(s[type].indexes));
  }
  assert.ok(fieldNames(s.base).includes('id'));
  for (const f of ['id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']) {
    assert.ok(fieldNames(s.auth).includes(f), `auth scaffold has ${f}`);
  }
  assert.equal(s.auth.passwordAuth.enabled, true);
  assert.equal(s.view.viewQuery, '');
});

test('getScaffolds: the auth scaffold carries its tokenKey/email unique index definitions (spec C8, §5.1)', async () => {
  const s = await pb.collections.getScaffolds();
  assert.ok(s.auth.indexes.some((i) => /UNIQUE INDEX/i.test(i) && /tokenKey/.test(i)),
    `auth scaffold indexes: ${JSON.stringify(s.auth.indexes)}`);
  assert.ok(s.auth.indexes.some((i) => /UNIQUE INDEX/i.test(i) && /email/.test(i)),
    `auth scaffold indexes: ${JSON.stringify(s.auth.indexes)}`);
});

test('truncate removes every record but keeps the collection', async () => {
  await pb.collections.create({ name: 'c_trunc', fields: [{ name: 'n', type: 'number' }] });
  await Promise.all([1, 2, 3, 4, 5].map((n) => pb.collection('c_trunc').create({ n })));
  assert.equal((await pb.collection('c_trunc').getList(1, 1)).totalItems, 5);
  assert.equal(await pb.collections.truncate('c_trunc'), true);
  const after = await pb.collection('c_trunc').getList(1, 10);
  assert.equal(after.totalItems, 0);
  assert.deepEqual(after.items, []);
  assert.equal((await pb.collections.getOne('c_trunc')).name, 'c_trunc');
  await expectError(pb.collections.truncate('no_such_collection'), 404);
});

test('import without deleteMissing: creates new, merges existing, keeps missing fields', async () => {
  await pb.collections.create({ name: 'i_a', fields: [{ name: 'a1', type: 'text' }, { name: 'a2', type: 'text' }] });
  const rec = await pb.collection('i_a').create({ a1: 'x', a2: 'y' });
  await pb.collections.create({ name: 'i_untouched' });

  assert.equal(await pb.collections.import([
    { name: 'i_a', fields: [{ name: 'a3', type: 'number' }] },
    { name: 'i_new', listRule: '', fields: [{ name: 'n', type: 'text' }] },
  ], false), true);

  const a = await pb.collections.getOne('i_a');
  for (const f of ['id', 'a1', 'a2', 'a3']) assert.ok(fieldNames(a).includes(f), `i_a keeps/gets ${f}`);
  const got = await pb.collection('i_a').getOne(rec.id);
  assert.equal(got.a1, 'x');
  assert.equal(got.a2, 'y');
  assert.equal(got.a3, 0);

  const created = await pb.collections.getOne('i_new');
  assert.equal(created.listRule, '');
  assert.ok(fieldNames(created).includes('n'));
  assert.ok(names(await pb.collections.getFullList()).includes('i_untouched'));
});

test('import with deleteMissing: drops missing fields and collections, keeps system ones', async () => {
  await pb.collections.create({ name: 'i_keep', fields: [{ name: 'k1', type: 'text' }, { name: 'k2', type: 'text' }] });
  const rec = await pb.collection('i_keep').create({ k1: 'one', k2: 'two' });
  await pb.collections.create({ name: 'i_gone' });

  const all = await pb.collections.getFullList();
  const wanted = all
    .filter((c) => c.name !== 'i_gone')
    .map((c) => (c.name === 'i_keep' ? { ...c, fields: c.fields.filter((f) => f.name !== 'k2') } : c));
  assert.equal(await pb.collections.import(wanted, true), true);

  const list = names(await pb.collections.getFullList());
  assert.ok(!list.includes('i_gone'));
  assert.ok(list.includes('i_keep'));
  assert.ok(list.includes('_superusers'));
  assert.deepEqual(fieldNames(await pb.collections.getOne('i_keep')), ['id', 'k1']);
  const got = await pb.collection('i_keep').getOne(rec.id);
  assert.equal(got.k1, 'one');
  assert.equal('k2' in got, false);
});

test('import errors: empty list and invalid collection abort with 400', async () => {
  let err = await expectError(pb.collections.import([], false), 400, 'An error occurred while validating the submitted data.');
  assert.equal(err.response.data.collections.code, 'validation_required');

  err = await expectError(pb.collections.import([
    { name: 'i_ok_but_aborted' },
    { name: 'i_bad', listRule: 'nope = 1' },
  ], false), 400, 'Failed to import collections.');
  assert.equal(err.response.data.collections.code, 'validation_collections_import_failure');
  const list = names(await pb.collections.getFullList());
  assert.ok(!list.includes('i_bad'));
  assert.ok(!list.includes('i_ok_but_aborted'), 'import runs in one transaction');
});

test('collections API needs a superuser', async () => {
  const guest = srv.newClient();
  await expectError(guest.collections.getList(1, 1), 401);
  await expectError(guest.collections.create({ name: 'c_guest' }), 401);
});
