// Starts the real S3-protocol server the Go tests use (Versity S3 Gateway,
// `versitygw`, posix backend; installed by
// internal/files/testdata/install-s3-server.sh, which scripts/test.sh runs)
// on a free loopback port with a private temp dir, and always kills it again.
// See ../README.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const START_TIMEOUT_MS = 15_000;

// Every S3 server still running (with its temp dir), killed and removed
// when the test process exits without stop() (a crash, SIGINT/SIGTERM).
const children = new Map();
process.on('exit', () => {
  for (const [child, root] of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
    try { fs.rmSync(root, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

/** findS3ServerBinary returns the versitygw path (PATH, then $(go env GOPATH)/bin) or ''. */
export function findS3ServerBinary() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'versitygw');
    if (dir && fs.existsSync(p)) return p;
  }
  const res = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8', timeout: 30_000 });
  for (const dir of (res.stdout ?? '').trim().split(path.delimiter)) {
    const p = path.join(dir, 'bin', 'versitygw');
    if (dir && fs.existsSync(p)) return p;
  }
  return '';
}

/**
 * s3ServerSkipReason is why S3 tests cannot run here ('' when they can):
 * the binary is missing. Under CI (CI set) a missing binary is an error
 * instead, so a CI run can never pass without the S3 tests.
 */
export function s3ServerSkipReason() {
  if (findS3ServerBinary()) return '';
  const msg = 'versitygw not found in PATH or $(go env GOPATH)/bin; run internal/files/testdata/install-s3-server.sh';
  if (process.env.CI) throw new Error(`CI is set: ${msg}`);
  return msg;
}

async function freeLoopbackAddr() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * startS3Server({ access, secret, bucket }) starts versitygw with that one
 * bucket (with the posix backend a bucket is a directory of the data root).
 * Returns { endpoint, bucketDir, logs, stop }; stop() is idempotent, kills
 * the server and removes its temp dir.
 */
export async function startS3Server({ access, secret, bucket }) {
  const bin = findS3ServerBinary();
  if (!bin) throw new Error(s3ServerSkipReason() || 'versitygw not found');
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'basalt-e2e-s3-'));
  const data = path.join(root, 'data');
  const meta = path.join(root, 'meta');
  const bucketDir = path.join(data, bucket);
  await fsp.mkdir(bucketDir, { recursive: true });
  await fsp.mkdir(meta, { recursive: true });
  const addr = await freeLoopbackAddr();
  let output = '';
  let stopped = false;
  const child = spawn(bin, ['--access', access, '--secret', secret, '--port', addr,
    '--region', 'us-east-1', '--quiet',
    // A sidecar dir for metadata, so the temp FS need not support xattrs.
    'posix', '--sidecar', meta, data], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(child, root);
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      let giveUp;
      await Promise.race([exited, new Promise((r) => { giveUp = setTimeout(r, 5_000); })]);
      clearTimeout(giveUp);
    }
    children.delete(child);
    await fsp.rm(root, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const [host, port] = addr.split(':');
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`versitygw exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
      }
      const up = await new Promise((resolve) => {
        const c = net.connect({ host, port: Number(port) });
        c.once('connect', () => { c.destroy(); resolve(true); });
        c.once('error', () => resolve(false));
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`versitygw did not listen on ${addr} within ${START_TIMEOUT_MS}ms:\n${output}`);
      await sleep(50);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: `http://${addr}`, bucketDir, logs: () => output, stop };
}
