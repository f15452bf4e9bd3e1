// Test harness for the e2e suite: builds the Basalt binary (once per test
// run), starts a fresh server per test file on 127.0.0.1:0 with its own temp
// data dir and superuser, and always kills it again. See ../README.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';

const here = path.dirname(fileURLToPath(import.meta.url));
/** E2E_DIR is the e2e/ folder. */
export const E2E_DIR = path.resolve(here, '..');
/** REPO_DIR is the Go module root that `go build .` builds. */
export const REPO_DIR = path.resolve(E2E_DIR, '..');
const BIN_DIR = path.join(E2E_DIR, '.bin');
const BIN_PATH = path.join(BIN_DIR, process.platform === 'win32' ? 'basalt.exe' : 'basalt');
const STAMP_PATH = path.join(BIN_DIR, 'basalt.stamp');
const LOCK_DIR = path.join(BIN_DIR, 'build.lock');

/** SUPERUSER is the superuser every started server gets (created via the CLI). */
export const SUPERUSER = Object.freeze({ email: 'e2e-admin@example.com', password: 'e2e-password-123' });

/** REQUEST_TIMEOUT_MS bounds every SDK request made through clients from this module. */
export const REQUEST_TIMEOUT_MS = 15_000;
const BUILD_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = 20_000;
const CLI_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

// Every child process we start, so that an abrupt exit still kills them.
const children = new Set();
function killAllChildren() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  children.clear();
}
process.on('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => { killAllChildren(); process.exit(130); });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * runId identifies one test run: the node test runner starts every test file
 * as a child process, so the parent pid is shared by all files of one run.
 * BASALT_E2E_RUN_ID overrides it (run.sh does not need to set it).
 */
function runId() {
  return process.env.BASALT_E2E_RUN_ID || `ppid-${process.ppid}`;
}

function readStamp() {
  try { return fs.readFileSync(STAMP_PATH, 'utf8').trim(); } catch { return ''; }
}

async function acquireLock() {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A lock older than the build timeout belongs to a dead builder.
      try {
        const age = Date.now() - fs.statSync(LOCK_DIR).mtimeMs;
        if (age > BUILD_TIMEOUT_MS) { fs.rmSync(LOCK_DIR, { recursive: true, force: true }); continue; }
      } catch { continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for build lock ${LOCK_DIR}`);
      await sleep(100);
    }
  }
}

/**
 * buildBinary builds the server into e2e/.bin/ once per test run and returns
 * its path. BASALT_E2E_BIN=/path/to/basalt skips the build and uses that binary.
 */
export async function buildBinary() {
  if (process.env.BASALT_E2E_BIN) return path.resolve(process.env.BASALT_E2E_BIN);
  const id = runId();
  if (readStamp() === id && fs.existsSync(BIN_PATH)) return BIN_PATH;
  fs.mkdirSync(BIN_DIR, { recursive: true });
  await acquireLock();
  try {
    if (readStamp() === id && fs.existsSync(BIN_PATH)) return BIN_PATH;
    const tmp = `${BIN_PATH}.tmp-${process.pid}`;
    const res = spawnSync('go', ['build', '-o', tmp, '.'], {
      cwd: REPO_DIR, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS,
    });
    if (res.error || res.status !== 0) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`go build failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stderr}`);
    }
    fs.renameSync(tmp, BIN_PATH); // atomic: running servers keep their old inode
    fs.writeFileSync(STAMP_PATH, id + '\n');
    return BIN_PATH;
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * BASALT_E2E_POSTGRES (a postgres:// URL) runs every server on PostgreSQL
 * (issue #26): each gets a fresh schema, created and dropped with psql.
 * onPostgres tells tests of SQLite-only features to skip.
 */
export const onPostgres = !!process.env.BASALT_E2E_POSTGRES;

function schemaOf(rootDir) {
  return 's_' + path.basename(rootDir).replace(/[^A-Za-z0-9]/g, '_').toLowerCase();
}

function psql(sql) {
  const res = spawnSync('psql', [process.env.BASALT_E2E_POSTGRES, '-qXc', sql], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  if (res.status !== 0) throw new Error(`psql ${sql}: ${res.stderr || res.error}`);
}

function postgresArgs(rootDir) {
  if (!onPostgres) return [];
  const schema = schemaOf(rootDir);
  psql(`CREATE SCHEMA "${schema}"`);
  const u = new URL(process.env.BASALT_E2E_POSTGRES);
  u.searchParams.set('search_path', schema);
  return ['--db', u.toString()];
}

function dropPostgresSchema(rootDir) {
  if (!onPostgres) return;
  try { psql(`DROP SCHEMA IF EXISTS "${schemaOf(rootDir)}" CASCADE`); } catch { /* the cluster may be gone already */ }
}

/** runCli runs the binary with args (bounded in time) and returns its stdout; throws on failure. */
export function runCli(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args.join(' ')}: timed out after ${CLI_TIMEOUT_MS}ms\n${out}`));
    }, CLI_TIMEOUT_MS);
    child.on('error', (err) => { clearTimeout(timer); children.delete(child); reject(err); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')}: exit ${code ?? signal}\n${out}`));
    });
  });
}

/**
 * newClient returns a PocketBase SDK client for url with auto-cancellation
 * off (tests fire concurrent identical requests) and every request bounded by
 * REQUEST_TIMEOUT_MS.
 */
export function newClient(url) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  pb.beforeSend = (reqUrl, options) => {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    options.signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    return { url: reqUrl, options };
  };
  return pb;
}

/**
 * startServer starts a fresh server (new temp data dir, superuser SUPERUSER)
 * and resolves to
 *   { url, pb, stop, dataDir, superuser, newClient, superuserClient, logs }
 * - pb: an unauthenticated client (newClient(url));
 * - newClient(): another unauthenticated client;
 * - superuserClient(): a new client already authenticated as the superuser;
 * - logs(): everything the server printed so far (for failure messages);
 * - dataDir: <private temp root>/pb_data (migrations land in <root>/pb_migrations);
 * - stop(): kills the server (SIGTERM, SIGKILL after 5 s) and removes the temp
 *   root; idempotent. Call it from `after()`; it also runs at process exit.
 * opts.args adds extra `serve` flags, opts.env extra environment variables.
 */
export async function startServer(opts = {}) {
  const bin = await buildBinary();
  // The data dir is nested in a private root because the server keeps
  // snapshot migrations beside it (<dir>/../pb_migrations) and applies them
  // on start: a shared parent would leak collections between servers.
  const rootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'basalt-e2e-'));
  const dataDir = path.join(rootDir, 'pb_data');
  let child = null;
  let output = '';
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      let giveUp;
      const bounded = new Promise((r) => { giveUp = setTimeout(r, STOP_TIMEOUT_MS + 2_000); });
      await Promise.race([exited, bounded]);
      clearTimeout(t);
      clearTimeout(giveUp);
    }
    if (child) children.delete(child);
    dropPostgresSchema(rootDir);
    await fsp.rm(rootDir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const dbArgs = postgresArgs(rootDir);
    await runCli(bin, ['superuser', 'upsert', SUPERUSER.email, SUPERUSER.password, '--dir', dataDir, ...dbArgs]);

    child = spawn(bin, ['serve', '--http', '127.0.0.1:0', '--dir', dataDir, ...dbArgs, ...(opts.args ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(opts.env ?? {}) },
    });
    children.add(child);
    child.stderr.on('data', (d) => { output += d; });

    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not report its address within ${START_TIMEOUT_MS}ms:\n${output}`)),
        START_TIMEOUT_MS);
      child.stdout.on('data', (d) => {
        output += d;
        const m = /Server started at (http:\/\/\S+)/.exec(output);
        if (m) { clearTimeout(timer); resolve(m[1].replace(/\/+$/, '')); }
      });
      child.on('error', (err) => { clearTimeout(timer); reject(err); });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited early (${code ?? signal}):\n${output}`));
      });
    });

    const superuserClient = async () => {
      const c = newClient(url);
      await c.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
      return c;
    };

    return {
      url,
      pb: newClient(url),
      stop,
      dataDir,
      // dbArgs: the --db flag a CLI command needs to reach this server's
      // database (empty on SQLite, where --dir is enough)
      dbArgs,
      superuser: SUPERUSER,
      newClient: () => newClient(url),
      superuserClient,
      logs: () => output,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
