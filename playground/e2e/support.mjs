// Shared by the end-to-end test and the benchmark: start app-server on a
// free port serving the release build, and launch the Debian Chromium.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
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

/** Starts app-server serving `dist/`; resolves once it answers. */
export async function startAppServer() {
  const port = await freePort();
  const bin = process.env.APP_SERVER_BIN ?? path.join(ROOT, 'target/release/app-server');
  const child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--static-dir', path.join(ROOT, 'dist')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app-server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/metrics`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('app-server did not answer within 20 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

/** Launches headless Chromium (the Debian package, never a downloaded one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
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
