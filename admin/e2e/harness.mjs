// Shared e2e plumbing: build/start the real binary on 127.0.0.1:0 with a
// temp data dir, launch Debian's chromium through playwright-core, and a
// tiny sequential test runner that prints "N passed, N failed".
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const adminDir = resolve(here, '..');
export const repoDir = resolve(adminDir, '..');
export const shotsDir = join(adminDir, 'test-results');

export function buildBinary() {
  if (process.env.BASALT_BIN) return process.env.BASALT_BIN;
  const out = join(mkdtempSync(join(tmpdir(), 'basalt-bin-')), 'basalt');
  execFileSync('go', ['build', '-o', out, '.'], { cwd: repoDir, stdio: 'inherit' });
  return out;
}

export async function startServer(bin) {
  // the data dir sits inside its own temp dir: pb_migrations/ is written
  // beside it (automigrate), so nothing leaks between runs
  const root = mkdtempSync(join(tmpdir(), 'basalt-e2e-'));
  const dir = join(root, 'pb_data');
  mkdirSync(dir);
  const proc = spawn(bin, ['serve', '--http', '127.0.0.1:0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('server did not start:\n' + out)), 30000);
    const on = (d) => {
      out += d.toString();
      const url = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const inst = /(http:\/\/\S+\/_\/#\/pbinstal\/\S+)/.exec(out);
      if (url && inst) { clearTimeout(timer); res({ url: url[1], installer: inst[1] }); }
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.on('exit', (c) => rej(new Error('server exited ' + c + ':\n' + out)));
  });
  const info = await ready;
  return { ...info, dir, stop() { proc.kill('SIGTERM'); try { rmSync(root, { recursive: true, force: true }); } catch {} } };
}

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'basalt-chrome-'));
  // a fresh --user-data-dir (playwright passes it from the first argument)
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

export function runner() {
  const tests = [];
  return {
    test(name, fn) { tests.push({ name, fn }); },
    async run(ctx) {
      let passed = 0, failed = 0;
      for (const t of tests) {
        const t0 = Date.now();
        try {
          await t.fn(ctx);
          passed++;
          console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
        } catch (e) {
          failed++;
          console.log(`FAIL ${t.name}\n     ${(e && e.stack) || e}`);
          if (ctx.page) await ctx.page.screenshot({ path: join(shotsDir, 'FAIL-' + t.name.replace(/\W+/g, '_') + '.png') }).catch(() => {});
          if (ctx.stopOnFail !== false) break;
        }
      }
      const skipped = tests.length - passed - failed;
      console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
      return failed === 0 && skipped === 0;
    },
  };
}

export function ensureShots() { if (!existsSync(shotsDir)) mkdirSync(shotsDir, { recursive: true }); }

export function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }
