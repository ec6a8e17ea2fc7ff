// Shared by the end-to-end tests and the benchmark: serve the release build
// (by app-server, or by a plain static file server under a subpath) on a
// free port, and launch the Debian Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = require(path.join(ROOT, 'node_modules/playwright-core'));

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers 2xx; throws if `child` exits or 20 s pass. */
async function waitUntilServing(child, name, url) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`${name} did not answer within 20 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts app-server serving `dist/` at `/`, with `args` added to its command
 * line (`['--latency-max', '0']`). `url` is the page's address.
 */
export async function startAppServer(args = []) {
  const port = await freePort();
  const bin = process.env.APP_SERVER_BIN ?? path.join(ROOT, 'target/release/app-server');
  const child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--static-dir', path.join(ROOT, 'dist'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitUntilServing(child, 'app-server', `${url}metrics`);
  return { url, stop: () => child.kill('SIGTERM') };
}

/** The subpath the static host serves `dist/` under, as a GitHub project page would be. */
export const SUBPATH = '/some/sub/path/';

/**
 * Serves `dist/` under SUBPATH with a plain static file server (Python's
 * http.server), not app-server: nothing but files, as on GitHub Pages.
 */
export async function startStaticServer() {
  const port = await freePort();
  const root = mkdtempSync(path.join(os.tmpdir(), 'playground-static-'));
  const served = path.join(root, ...SUBPATH.split('/').filter(Boolean));
  mkdirSync(path.dirname(served), { recursive: true });
  symlinkSync(path.join(ROOT, 'dist'), served);
  const child = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', root, String(port)], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}${SUBPATH}`;
  await waitUntilServing(child, 'the static file server', url);
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Collects into `problems` what went wrong in `page`: uncaught errors, and
 * console errors but those `expected(message)` allows.
 */
export function watchForProblems(page, problems, expected = () => false) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected(message)) {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
}

/** Launches headless Chromium (the Debian package, never a downloaded one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * What most test files start from: app-server (with `args`), Chromium, and
 * one page of the playground opened at `query` (`?seed=7&paused=1`), what
 * goes wrong in it collected into `problems` (see watchForProblems).
 * Resolves to `{ server, browser, page }`; `closePlayground` ends them.
 */
export async function openPlayground({ query = '', args = [], viewport = { width: 1360, height: 1100 }, problems, expected }) {
  const server = await startAppServer(args);
  let browser;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport });
    watchForProblems(page, problems, expected);
    await page.goto(`${server.url}${query}`);
    return { server, browser, page };
  } catch (error) {
    // The caller gets nothing to close: close what started here.
    await closePlayground({ server, browser });
    throw error;
  }
}

/** Closes what `openPlayground` started. */
export async function closePlayground({ server, browser } = {}) {
  await browser?.close();
  server?.stop();
}

/** `requests_total` values by label text, read from exposition text. */
export function requestsTotal(exposition) {
  const values = {};
  for (const line of exposition.split('\n')) {
    const match = /^requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      match[1].split(',').map((pair) => {
        const [name, value] = pair.split('=');
        return [name, JSON.parse(value)];
      }),
    );
    values[`${labels.endpoint} ${labels.status}`] = Number(match[2]);
  }
  return values;
}
