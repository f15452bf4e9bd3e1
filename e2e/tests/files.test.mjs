import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ClientResponseError } from 'pocketbase';
import { startServer } from '../lib/server.mjs';

let srv;
let su; // superuser client
let docs; // the "docs" collection

/** expectError asserts that promise rejects with a ClientResponseError of the given status; returns it. */
async function expectError(promise, status) {
  let caught;
  await assert.rejects(promise, (err) => { caught = err; return true; });
  assert.ok(caught instanceof ClientResponseError, `expected ClientResponseError, got ${caught}`);
  assert.equal(caught.status, status, JSON.stringify(caught.response));
  return caught;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** png returns a w×h RGB PNG with a simple pattern. */
function png(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 2) & 0xff; raw[o + 1] = (y * 3) & 0xff; raw[o + 2] = 128;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** pngSize reads the dimensions from a PNG's IHDR. */
function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'not a PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

async function download(url, init) {
  const res = await fetch(url, init);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

before(async () => {
  srv = await startServer();
  su = await srv.superuserClient();
  docs = await su.collections.create({
    name: 'docs', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 1000 },
      { name: 'files', type: 'file', maxSelect: 5, maxSize: 10000 },
      { name: 'img', type: 'file', maxSelect: 1, mimeTypes: ['image/png'], thumbs: ['50x50', '40x0'] },
    ],
  });
  await su.collections.create({
    name: 'secrets', listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id',
    createRule: '@request.auth.id != ""', updateRule: null, deleteRule: null,
    fields: [
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'plan', type: 'file', maxSelect: 1, protected: true },
    ],
  });
});

after(async () => { await srv?.stop(); });

test('FormData/Blob uploads on create, download through getURL', async () => {
  const fd = new FormData();
  fd.append('title', 'first');
  fd.append('doc', new Blob(['hello world'], { type: 'text/plain' }), 'My Notes.txt');
  fd.append('files', new Blob(['one']), 'one.txt');
  fd.append('files', new Blob(['two']), 'two.txt');
  const rec = await srv.pb.collection('docs').create(fd);
  assert.match(rec.doc, /^my_notes_[a-z0-9]{10}\.txt$/);
  assert.equal(rec.files.length, 2);

  const { res, body } = await download(srv.pb.files.getURL(rec, rec.doc));
  assert.equal(res.status, 200);
  assert.equal(body.toString(), 'hello world');
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename=/);

  const forced = await download(srv.pb.files.getURL(rec, rec.files[0], { download: true }));
  assert.equal(forced.body.toString(), 'one');
  assert.match(forced.res.headers.get('content-disposition'), /^attachment/);
});

test('plain objects with File values, append, prepend, remove and clear', async () => {
  const col = srv.pb.collection('docs');
  let rec = await col.create({ title: 'mods', files: [new File(['a'], 'aaa.txt'), new File(['b'], 'bbb.txt')] });
  const [a, b] = rec.files;

  rec = await col.update(rec.id, { 'files+': new File(['c'], 'ccc.txt') });
  assert.deepEqual(rec.files.slice(0, 2), [a, b]);
  assert.match(rec.files[2], /^ccc_/);

  rec = await col.update(rec.id, { '+files': new File(['p'], 'ppp.txt') });
  assert.match(rec.files[0], /^ppp_/);
  assert.equal(rec.files.length, 4);

  rec = await col.update(rec.id, { 'files-': [a, b] });
  assert.equal(rec.files.length, 2);
  assert.ok(!rec.files.includes(a) && !rec.files.includes(b));
  assert.equal((await fetch(srv.pb.files.getURL(rec, a))).status, 404, 'removed file is still served');

  // Old names beside a new upload are kept (the SDK sends them as @jsonPayload).
  rec = await col.update(rec.id, { files: [...rec.files, new File(['m'], 'mmm.txt')] });
  assert.equal(rec.files.length, 3);

  rec = await col.update(rec.id, { files: [] });
  assert.deepEqual(rec.files, []);
  const dir = path.join(srv.dataDir, 'storage', docs.id, rec.id);
  assert.ok(!fs.existsSync(dir) || fs.readdirSync(dir).length === 0, `files left in ${dir}`);
});

test('thumbnails through getURL(record, name, {thumb})', async () => {
  const rec = await srv.pb.collection('docs').create({ img: new File([png(120, 80)], 'photo.png', { type: 'image/png' }) });
  const cases = [['50x50', 50, 50], ['40x0', 40, 27], ['100x100', 100, 100], ['33x33', 120, 80]];
  for (const [thumb, w, h] of cases) {
    const { res, body } = await download(srv.pb.files.getURL(rec, rec.img, { thumb }));
    assert.equal(res.status, 200, thumb);
    assert.deepEqual(pngSize(body), [w, h], `thumb ${thumb}`);
    assert.match(res.headers.get('content-disposition'), /^inline/);
  }
});

test('bad uploads are refused with field errors', async () => {
  const col = srv.pb.collection('docs');
  let err = await expectError(col.create({ doc: new File(['x'.repeat(1001)], 'big.txt') }), 400);
  assert.equal(err.response.data.doc.code, 'validation_file_size_limit');
  err = await expectError(col.create({ img: new File(['not an image'], 'notes.txt') }), 400);
  assert.equal(err.response.data.img.code, 'validation_invalid_mime_type');
  err = await expectError(col.create({ doc: new File(['<html><script>x</script></html>'], 'evil.png') }), 400);
  assert.equal(err.response.data.doc.code, 'validation_file_content_mismatch');
});

test('protected files need a file token and the view rule', async () => {
  const mkUser = async (email) => {
    const pb = srv.newClient();
    await pb.collection('users').create({ email, password: 'user-password-123', passwordConfirm: 'user-password-123' });
    await pb.collection('users').authWithPassword(email, 'user-password-123');
    return pb;
  };
  const owner = await mkUser('owner@example.com');
  const other = await mkUser('other@example.com');
  const rec = await owner.collection('secrets').create({
    owner: owner.authStore.record.id, plan: new File(['the plan'], 'plan.txt'),
  });

  assert.equal((await fetch(owner.files.getURL(rec, rec.plan))).status, 404, 'served without token');
  const token = await owner.files.getToken();
  assert.equal(typeof token, 'string');
  const ok = await download(owner.files.getURL(rec, rec.plan, { token }));
  assert.equal(ok.res.status, 200);
  assert.equal(ok.body.toString(), 'the plan');

  const otherToken = await other.files.getToken();
  assert.equal((await fetch(other.files.getURL(rec, rec.plan, { token: otherToken }))).status, 404);
  const suToken = await su.files.getToken();
  assert.equal((await fetch(su.files.getURL(rec, rec.plan, { token: suToken }))).status, 200);
  await expectError(srv.newClient().files.getToken(), 401);
});

test('deleting a record deletes its files', async () => {
  const rec = await srv.pb.collection('docs').create({ doc: new File(['bye'], 'bye.txt'), img: new File([png(20, 20)], 'p.png') });
  const url = srv.pb.files.getURL(rec, rec.img, { thumb: '50x50' });
  assert.equal((await fetch(url)).status, 200);
  const dir = path.join(srv.dataDir, 'storage', docs.id, rec.id);
  assert.ok(fs.existsSync(dir));
  await srv.pb.collection('docs').delete(rec.id);
  assert.equal((await fetch(srv.pb.files.getURL(rec, rec.doc))).status, 404);
  assert.ok(!fs.existsSync(dir), `record dir ${dir} still exists`);
});
