import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

let srv;
let su; // superuser client
const TOTAL = 250;

/** expectError asserts that promise rejects with a ClientResponseError of the given status; returns it. */
async function expectError(promise, status, message) {
  let caught;
  await assert.rejects(promise, (err) => { caught = err; return true; });
  assert.ok(caught instanceof ClientResponseError, `expected ClientResponseError, got ${caught}`);
  assert.equal(caught.status, status, JSON.stringify(caught.response));
  if (message !== undefined) assert.equal(caught.response.message, message);
  return caught;
}

/** inChunks runs fn over items with at most `size` requests in flight. */
async function inChunks(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...await Promise.all(items.slice(i, i + size).map(fn)));
  }
  return out;
}

/** signUp creates a user through the public API and returns an authenticated client. */
async function signUp(email) {
  const pb = srv.newClient();
  const password = 'user-password-123';
  const rec = await pb.collection('users').create({ email, password, passwordConfirm: password, name: email.split('@')[0] });
  assert.equal(rec.verified, false);
  const auth = await pb.collection('users').authWithPassword(email, password);
  assert.equal(auth.record.id, rec.id);
  return pb;
}

before(async () => {
  srv = await startServer();
  su = await srv.superuserClient();
  const authors = await su.collections.create({
    name: 'authors', listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
    fields: [{ name: 'name', type: 'text', required: true }],
  });
  await su.collections.create({
    name: 'posts', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'body', type: 'editor' },
      { name: 'views', type: 'number' },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
      { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 },
    ],
  });
  await su.collections.create({
    name: 'items', listRule: '', viewRule: '',
    fields: [{ name: 'n', type: 'number' }, { name: 'odd', type: 'bool' }],
  });
  await inChunks(Array.from({ length: TOTAL }, (_, i) => i + 1), 25,
    (n) => su.collection('items').create({ n, odd: n % 2 === 1 }));
  await su.collections.create({
    name: 'notes',
    listRule: 'owner = @request.auth.id',
    viewRule: 'owner = @request.auth.id',
    createRule: '@request.auth.id != "" && owner = @request.auth.id',
    updateRule: 'owner = @request.auth.id',
    deleteRule: 'owner = @request.auth.id',
    fields: [
      { name: 'text', type: 'text' },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
    ],
  });
  await su.collections.create({ name: 'locked', fields: [{ name: 'text', type: 'text' }] }); // all rules null
});
after(async () => { await srv?.stop(); });

test('getList envelope: page, perPage, sort, filter', async () => {
  const res = await srv.pb.collection('items').getList(2, 50, { filter: 'n > 100', sort: '-n' });
  assert.equal(res.page, 2);
  assert.equal(res.perPage, 50);
  assert.equal(res.totalItems, 150);
  assert.equal(res.totalPages, 3);
  assert.equal(res.items.length, 50);
  assert.deepEqual(res.items.map((r) => r.n), Array.from({ length: 50 }, (_, i) => 200 - i));
  const r = res.items[0];
  assert.equal(r.collectionName, 'items');
  assert.match(r.collectionId, /^pbc_\d+$/);
  assert.match(r.id, /^[a-z0-9]{15}$/);
});

test('getList defaults, skipTotal, page past the end, multi-sort', async () => {
  const def = await srv.pb.collection('items').getList();
  assert.equal(def.page, 1);
  assert.equal(def.perPage, 30);
  assert.equal(def.totalItems, TOTAL);
  assert.equal(def.totalPages, Math.ceil(TOTAL / 30));

  const skip = await srv.pb.collection('items').getList(1, 5, { skipTotal: true, sort: 'n' });
  assert.equal(skip.totalItems, -1);
  assert.equal(skip.totalPages, -1);
  assert.deepEqual(skip.items.map((r) => r.n), [1, 2, 3, 4, 5]);

  const past = await srv.pb.collection('items').getList(99, 10);
  assert.equal(past.page, 99);
  assert.deepEqual(past.items, []);
  assert.equal(past.totalItems, TOTAL);

  const multi = await srv.pb.collection('items').getList(1, 4, { sort: '-odd,n', filter: 'n <= 10' });
  assert.deepEqual(multi.items.map((r) => r.n), [1, 3, 5, 7]);
  assert.equal(multi.totalItems, 10);
});

test('getList: invalid filter or sort → 400', async () => {
  await expectError(srv.pb.collection('items').getList(1, 5, { filter: 'nope = 1' }), 400);
  await expectError(srv.pb.collection('items').getList(1, 5, { filter: 'n = ' }), 400);
  await expectError(srv.pb.collection('items').getList(1, 5, { sort: 'nope' }), 400);
  await expectError(srv.pb.collection('no_such').getList(1, 5), 404);
});

test('getFullList({batch: 100}) walks every page', async () => {
  const pb = srv.newClient();
  const seen = [];
  const inner = pb.beforeSend;
  // the SDK appends options.query to the URL after beforeSend
  pb.beforeSend = (url, options) => { seen.push({ url, query: { ...options.query } }); return inner(url, options); };
  const all = await pb.collection('items').getFullList({ batch: 100, sort: 'n' });
  assert.equal(all.length, TOTAL);
  assert.deepEqual(all.map((r) => r.n), Array.from({ length: TOTAL }, (_, i) => i + 1));
  assert.equal(new Set(all.map((r) => r.id)).size, TOTAL);
  assert.equal(seen.length, 3, `requests: ${JSON.stringify(seen)}`);
  assert.deepEqual(seen.map((r) => r.query.page), [1, 2, 3]);
  assert.ok(seen.every((r) => r.query.perPage === 100 && r.query.skipTotal), JSON.stringify(seen));

  const filtered = await srv.pb.collection('items').getFullList({ filter: 'odd = true', batch: 40 });
  assert.equal(filtered.length, TOTAL / 2);
  assert.ok(filtered.every((r) => r.odd === true));
});

test('getFirstListItem finds a match; no match → 404', async () => {
  const r = await srv.pb.collection('items').getFirstListItem('n = 42');
  assert.equal(r.n, 42);
  const first = await srv.pb.collection('items').getFirstListItem('n > 200', { sort: '-n' });
  assert.equal(first.n, TOTAL);
  const err = await expectError(srv.pb.collection('items').getFirstListItem('n = 100000'), 404);
  assert.equal(err.response.message, "The requested resource wasn't found.");
});

test('create, getOne, update, delete', async () => {
  const pb = srv.pb;
  const created = await pb.collection('posts').create({ title: 'Hello', views: 1, tags: ['a', 'b'], unknownKey: 'ignored' });
  assert.equal(created.title, 'Hello');
  assert.equal(created.views, 1);
  assert.deepEqual(created.tags, ['a', 'b']);
  assert.equal(created.author, '');
  assert.equal(created.body, '');
  assert.equal('unknownKey' in created, false);
  assert.equal(created.collectionName, 'posts');

  const got = await pb.collection('posts').getOne(created.id);
  assert.deepEqual(got, created);

  const updated = await pb.collection('posts').update(created.id, { title: 'Changed', 'tags-': ['a'] });
  assert.equal(updated.title, 'Changed');
  assert.deepEqual(updated.tags, ['b']);
  assert.equal(updated.views, 1);

  assert.equal(await pb.collection('posts').delete(created.id), true);
  await expectError(pb.collection('posts').getOne(created.id), 404, "The requested resource wasn't found.");
  await expectError(pb.collection('posts').update(created.id, { title: 'x' }), 404);
  await expectError(pb.collection('posts').delete(created.id), 404);
});

test('create with a custom id; validation errors keep the envelope', async () => {
  const rec = await srv.pb.collection('posts').create({ id: 'abcdefghijklmno', title: 'custom id' });
  assert.equal(rec.id, 'abcdefghijklmno');
  let err = await expectError(srv.pb.collection('posts').create({ id: 'abcdefghijklmno' }), 400, 'Failed to create record.');
  assert.equal(err.response.data.id.code, 'validation_not_unique');
  err = await expectError(srv.pb.collection('posts').create({ tags: ['zz'] }), 400, 'Failed to create record.');
  assert.equal(err.response.data.tags.code, 'validation_invalid_value');
  err = await expectError(srv.pb.collection('posts').update(rec.id, { id: 'zzzzzzzzzzzzzzz' }), 400, 'Failed to update record.');
  assert.equal(err.response.data.id.code, 'validation_pk_change');
});

test("update with the 'views+' modifier", async () => {
  const rec = await srv.pb.collection('posts').create({ title: 'counter', views: 1 });
  let res = await srv.pb.collection('posts').update(rec.id, { 'views+': 2 });
  assert.equal(res.views, 3);
  res = await srv.pb.collection('posts').update(rec.id, { 'views+': 2 });
  assert.equal(res.views, 5);
  res = await srv.pb.collection('posts').update(rec.id, { 'views-': 4 });
  assert.equal(res.views, 1);
  assert.equal((await srv.pb.collection('posts').getOne(rec.id)).views, 1);
});

test("pb.filter binds parameters safely (quote in value)", async () => {
  const pb = srv.pb;
  const rec = await pb.collection('posts').create({ title: "it's" });
  await pb.collection('posts').create({ title: 'its' });
  const filter = pb.filter('title = {:t}', { t: "it's" });
  const list = await pb.collection('posts').getList(1, 10, { filter });
  assert.deepEqual(list.items.map((r) => r.id), [rec.id]);
  const first = await pb.collection('posts').getFirstListItem(pb.filter('title = {:t} && views = {:v}', { t: "it's", v: 0 }));
  assert.equal(first.id, rec.id);
  const injected = await pb.collection('posts').getList(1, 10, { filter: pb.filter('title = {:t}', { t: '" || id != "' }) });
  assert.equal(injected.totalItems, 0);
});

test('expand a relation (view, list, create)', async () => {
  const author = await su.collection('authors').create({ name: 'Ann' });
  const post = await srv.pb.collection('posts').create({ title: 'with author', author: author.id }, { expand: 'author' });
  assert.equal(post.expand.author.id, author.id);
  assert.equal(post.expand.author.name, 'Ann');
  assert.equal(post.expand.author.collectionName, 'authors');

  const viewed = await srv.pb.collection('posts').getOne(post.id, { expand: 'author' });
  assert.equal(viewed.author, author.id);
  assert.equal(viewed.expand.author.name, 'Ann');

  const listed = await srv.pb.collection('posts').getList(1, 10, { filter: `id = "${post.id}"`, expand: 'author' });
  assert.equal(listed.items[0].expand.author.name, 'Ann');

  const plain = await srv.pb.collection('posts').getOne(post.id);
  assert.equal('expand' in plain, false, 'no expand key without ?expand');

  const empty = await srv.pb.collection('posts').create({ title: 'no author' });
  const emptyExp = await srv.pb.collection('posts').getOne(empty.id, { expand: 'author' });
  assert.deepEqual(emptyExp.expand, {}, 'empty relation → expand: {}');

  const filtered = await srv.pb.collection('posts').getList(1, 10, { filter: 'author.name = "Ann"' });
  assert.deepEqual(filtered.items.map((r) => r.id), [post.id]);
});

test('fields trimming incl. :excerpt', async () => {
  const author = await su.collection('authors').create({ name: 'Bob' });
  const rec = await srv.pb.collection('posts').create({
    title: 'fields', views: 4, author: author.id,
    body: '<p>Hello <b>big</b> world, this is a long body text</p>',
  });
  const one = await srv.pb.collection('posts').getOne(rec.id, { fields: 'id,title' });
  assert.deepEqual(one, { id: rec.id, title: 'fields' });

  const ex = await srv.pb.collection('posts').getOne(rec.id, { fields: 'id,body:excerpt(5,true)' });
  assert.deepEqual(ex, { id: rec.id, body: 'Hello...' });
  const ex10 = await srv.pb.collection('posts').getOne(rec.id, { fields: 'body:excerpt(10,true)' });
  assert.equal(ex10.body, 'Hello big...');
  const exNoDots = await srv.pb.collection('posts').getOne(rec.id, { fields: 'body:excerpt(10)' });
  assert.equal(exNoDots.body, 'Hello big');

  const list = await srv.pb.collection('posts').getList(1, 1, {
    filter: `id = "${rec.id}"`, expand: 'author', fields: 'id,expand.author.name',
  });
  assert.equal(list.totalItems, 1);
  assert.equal(list.page, 1);
  assert.deepEqual(list.items[0], { id: rec.id, expand: { author: { name: 'Bob' } } });

  const star = await srv.pb.collection('posts').getOne(rec.id, { fields: '*,expand.author.name', expand: 'author' });
  assert.equal(star.views, 4);
  assert.deepEqual(star.expand, { author: { name: 'Bob' } });

  const upd = await srv.pb.collection('posts').update(rec.id, { views: 5 }, { fields: 'views' });
  assert.deepEqual(upd, { views: 5 });
});

test('null rules: non-superusers get 403, superusers pass', async () => {
  const guest = srv.pb;
  const msg = 'Only superusers can perform this action.';
  await expectError(guest.collection('locked').getList(), 403, msg);
  await expectError(guest.collection('locked').create({ text: 'x' }), 403, msg);
  const rec = await su.collection('locked').create({ text: 'x' });
  await expectError(guest.collection('locked').getOne(rec.id), 403, msg);
  await expectError(guest.collection('locked').update(rec.id, { text: 'y' }), 403, msg);
  await expectError(guest.collection('locked').delete(rec.id), 403, msg);
  const user = await signUp('locked-user@example.com');
  await expectError(user.collection('locked').getList(), 403, msg);
  assert.equal((await su.collection('locked').getOne(rec.id)).text, 'x');
});

test('owner-only rules as normal users', async () => {
  const alice = await signUp('alice@example.com');
  const bob = await signUp('bob@example.com');
  const aliceId = alice.authStore.record.id;
  const bobId = bob.authStore.record.id;
  assert.equal(alice.authStore.isValid, true);
  assert.equal(alice.authStore.isSuperuser, false);

  // create: must set self as owner; guests and foreign owners → 400 (create-rule failure)
  const note = await alice.collection('notes').create({ text: 'alice note', owner: aliceId });
  assert.equal(note.owner, aliceId);
  await alice.collection('notes').create({ text: 'alice second', owner: aliceId });
  await bob.collection('notes').create({ text: 'bob note', owner: bobId });
  let err = await expectError(bob.collection('notes').create({ text: 'forged', owner: aliceId }), 400, 'Failed to create record.');
  assert.deepEqual(err.response.data, {});
  await expectError(srv.newClient().collection('notes').create({ text: 'guest', owner: aliceId }), 400);

  // list: rows of others silently filtered out
  const aliceList = await alice.collection('notes').getFullList({ sort: 'text' });
  assert.deepEqual(aliceList.map((r) => r.text), ['alice note', 'alice second']);
  const bobList = await bob.collection('notes').getList(1, 30);
  assert.equal(bobList.totalItems, 1);
  assert.deepEqual(bobList.items.map((r) => r.text), ['bob note']);
  const bobFiltered = await bob.collection('notes').getList(1, 30, { filter: `id = "${note.id}"` });
  assert.equal(bobFiltered.totalItems, 0);
  assert.deepEqual(bobFiltered.items, []);
  const guestList = await srv.newClient().collection('notes').getList();
  assert.equal(guestList.totalItems, 0);
  assert.equal((await su.collection('notes').getList()).totalItems, 3);

  // view/update/delete by another user → 404; by the owner → ok
  assert.equal((await alice.collection('notes').getOne(note.id)).text, 'alice note');
  await expectError(bob.collection('notes').getOne(note.id), 404);
  await expectError(bob.collection('notes').getFirstListItem(`id = "${note.id}"`), 404);
  await expectError(bob.collection('notes').update(note.id, { text: 'hacked' }), 404);
  await expectError(bob.collection('notes').delete(note.id), 404);
  await expectError(srv.newClient().collection('notes').getOne(note.id), 404);
  assert.equal((await su.collection('notes').getOne(note.id)).text, 'alice note');

  const updated = await alice.collection('notes').update(note.id, { text: 'edited' });
  assert.equal(updated.text, 'edited');
  assert.equal(await alice.collection('notes').delete(note.id), true);
  await expectError(alice.collection('notes').getOne(note.id), 404);

  // non-superusers may not filter by @request./@collection.
  await expectError(bob.collection('notes').getList(1, 10, { filter: '@request.auth.id != ""' }), 403);

  // the default users collection: each user sees only itself, with its own e-mail
  const users = await bob.collection('users').getFullList();
  assert.deepEqual(users.map((u) => u.id), [bobId]);
  assert.equal(users[0].email, 'bob@example.com');
  assert.equal('password' in users[0], false);
  assert.equal('tokenKey' in users[0], false);
  await expectError(bob.collection('users').getOne(aliceId), 404);
  await expectError(bob.collection('users').update(aliceId, { name: 'x' }), 404);

  // updating the authenticated record refreshes the SDK auth store
  await bob.collection('users').update(bobId, { name: 'Bobby' });
  assert.equal(bob.authStore.record.name, 'Bobby');
});

test('user sign-up errors: password mismatch and duplicate e-mail', async () => {
  const pb = srv.newClient();
  let err = await expectError(pb.collection('users').create({
    email: 'mismatch@example.com', password: 'user-password-123', passwordConfirm: 'other-password-123',
  }), 400, 'Failed to create record.');
  assert.equal(err.response.data.passwordConfirm.code, 'validation_values_mismatch');
  await signUp('dupe@example.com');
  err = await expectError(pb.collection('users').create({
    email: 'dupe@example.com', password: 'user-password-123', passwordConfirm: 'user-password-123',
  }), 400, 'Failed to create record.');
  assert.equal(err.response.data.email.code, 'validation_not_unique');
  await expectError(pb.collection('users').authWithPassword('dupe@example.com', 'wrong-password-1'), 400, 'Failed to authenticate.');
});
