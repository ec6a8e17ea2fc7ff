// End to end: the stack's Grafana dashboard in the page. Every panel of
// grafana/dashboards/treecounter.json, the file Grafana provisions, is drawn
// with data after simulated traffic. Run by scripts/test-browser.sh:
// node --test playground/e2e/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, closePlayground, openPlayground } from './support.mjs';

const file = JSON.parse(readFileSync(path.join(ROOT, 'grafana/dashboards/treecounter.json'), 'utf8'));
const titles = file.panels.filter((panel) => panel.type !== 'row').map((panel) => panel.title);

let server;
let browser;
let page;
const problems = [];

before(async () => {
  ({ server, browser, page } = await openPlayground({
    query: '?seed=7',
    viewport: { width: 1360, height: 1000 },
    problems,
  }));
  await page.getByTestId('dashboard-toggle').waitFor();
});

after(() => closePlayground({ server, browser }));

test('closed at first: no panel is evaluated', async () => {
  assert.equal(await page.getByTestId('dashboard-panel').count(), 0);
  assert.equal(await page.getByTestId('dashboard-toggle').getAttribute('aria-expanded'), 'false');
});

test('before any scrape every panel says No data', async () => {
  await page.getByTestId('pause').click();
  await page.getByTestId('reset').click();
  await page.getByTestId('dashboard-toggle').click();
  assert.deepEqual(await page.locator('[data-testid=dashboard-panel] .dash-title').allTextContents(), titles);
  assert.equal(await page.locator('[data-testid=dashboard-panel][data-has-data=false]').count(), titles.length);
});

test('after simulated traffic every panel of the file shows data', async () => {
  await page.getByTestId('traffic-rate').fill('5');
  await page.locator('label[for=speed-2]').click(); // 60×
  await page.getByTestId('pause').click();
  // Four simulated minutes: a $__rate_interval of 40 s has data everywhere.
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-testid=dashboard-panel][data-has-data=true]').length === count,
    titles.length,
    { timeout: 20_000 },
  );
  const panel = (title) => page.getByTestId('dashboard-panel').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  assert.equal(await panel('App up').locator('.stat-value').textContent(), 'UP');
  assert.match(await panel('Page views per second').locator('.stat-value').textContent(), /^\d+(\.\d+)? req\/s$/);
  assert.deepEqual(
    await panel('/treecounter latency: p50, p90, p99').locator('.dash-legend li').allTextContents(),
    ['p50', 'p90', 'p99'],
  );
  // For the README's picture, a few more simulated minutes of lines (no
  // assertion depends on them).
  if (process.env.UPDATE_SCREENSHOT) await page.waitForTimeout(6_000);
  const shot = process.env.UPDATE_SCREENSHOT ? 'docs/dashboard.png' : 'target/e2e/dashboard.png';
  await page.locator('.panel-dashboard').screenshot({ path: path.join(ROOT, shot) });
});

test('nothing went wrong in the page', async () => {
  assert.equal(await page.locator('#panic-message').isHidden(), true);
  assert.deepEqual(problems, []);
});
