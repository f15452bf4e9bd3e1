// `basalt typegen` output compiles with tsc --strict against the real
// `pocketbase` SDK package, and is strict enough that a wrong field
// access fails (a @ts-expect-error line that would go unused otherwise).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { startServer, buildBinary, E2E_DIR, REPO_DIR } from '../lib/server.mjs';

const TSC = path.join(E2E_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
const TSC_TIMEOUT_MS = 120_000;

let srv;
let work;
before(async () => {
  srv = await startServer();
  const pb = await srv.superuserClient();
  // The schema of the Go generator tests: every field kind, relations,
  // a hidden field, an auth collection.
  const schema = JSON.parse(await fsp.readFile(path.join(REPO_DIR, 'internal/openapi/testdata/schema.json'), 'utf8'));
  await pb.collections.import(schema, false);
  // Inside e2e/ so that "pocketbase" resolves to e2e/node_modules.
  work = await fsp.mkdtemp(path.join(E2E_DIR, '.typegen-'));
});
after(async () => {
  await srv?.stop();
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

/** tsc runs tsc --noEmit --strict on files; returns { status, output }. */
function tsc(files) {
  const r = spawnSync(process.execPath, [TSC, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--skipLibCheck', ...files], { cwd: work, encoding: 'utf8', timeout: TSC_TIMEOUT_MS });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ?? ''}` };
}

const client = `import PocketBase from "pocketbase"
import type { TypedPocketBase, PostsResponse, PostsCreate, UsersResponse } from "./types.js"
import { Collections } from "./types.js"

export async function use(pb: TypedPocketBase) {
  const post = await pb.collection("posts").getOne("abc", { expand: "author,tags" })
  const title: string = post.title
  const score: number = post.score
  const status: "draft" | "live" | "" = post.status
  const labels: ("news" | "howto" | "opinion")[] = post.labels
  const authorName: string | undefined = post.expand?.author?.name
  const tagNames: string[] | undefined = post.expand?.tags?.map((t) => t.name)
  const lon: number = post.location.lon
  const files: string[] = post.attachments
  const name: "posts" = post.collectionName
  // @ts-expect-error: posts have no such field
  post.nosuchfield
  // @ts-expect-error: status is not any string
  const bad: PostsResponse["status"] = "archived"
  // @ts-expect-error: the password is never in a response
  const pw: string = (await pb.collection("users").getOne("x")).password
  const me: UsersResponse = await pb.collection(Collections.Users).getOne("x")
  const body: PostsCreate = { title: "t", labels: ["news"], cover: new Blob(["x"]) }
  // @ts-expect-error: title is required on create
  const missing: PostsCreate = { score: 1 }
  await pb.collection("posts").create<PostsResponse>(body)
  const raw = new PocketBase("http://127.0.0.1") as TypedPocketBase
  const list = await raw.collection("tags").getList(1, 10)
  const first: string | undefined = list.items[0]?.name
  const titles = await raw.collection("post_titles").getFullList()
  const t0: string | undefined = titles[0]?.title
  return [t0, title, score, status, labels, authorName, tagNames, lon, files, name, bad, pw, me, missing, first]
}
`;

test('typegen output compiles against the pocketbase SDK with tsc --strict', async () => {
  assert.ok(fs.existsSync(TSC), `typescript is not installed at ${TSC} (npm ci in e2e/)`);
  const bin = await buildBinary();
  const out = path.join(work, 'types.ts');
  const r = spawnSync(bin, ['typegen', '--dir', srv.dataDir, ...srv.dbArgs, '--out', out], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const types = await fsp.readFile(out, 'utf8');
  assert.match(types, /export type PostsStatusOptions = "draft" \| "live"/);
  assert.doesNotMatch(types, /PostTitlesCreate/, 'a view collection has no create body');
  await fsp.writeFile(path.join(work, 'client.ts'), client);
  await fsp.writeFile(path.join(work, 'package.json'), '{"type":"module"}');
  const res = tsc(['types.ts', 'client.ts']);
  assert.equal(res.status, 0, res.output);
});

test('the tsc check fails on a wrong field access (the check can fail)', async () => {
  assert.ok(fs.existsSync(path.join(work, 'types.ts')), 'the compile test runs first');
  await fsp.writeFile(path.join(work, 'wrong.ts'),
    'import type { PostsResponse } from "./types.js"\nexport const f = (p: PostsResponse) => p.nosuchfield\n');
  await fsp.writeFile(path.join(work, 'package.json'), '{"type":"module"}');
  const res = tsc(['types.ts', 'wrong.ts']);
  assert.notEqual(res.status, 0, 'tsc accepted a field the collection does not have');
  assert.match(res.output, /nosuchfield/);
});
