// End to end: the query panels (editor, table, graph, explain, share links)
// in the release build, in headless Chromium. Run by scripts/test-browser.sh:
//   node --test playground/e2e/
// The page's numbers are checked against the same engine run on the host
// (playground-core's `link_table` example replays the page's share link).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, closePlayground, openPlayground, watchForProblems } from './support.mjs';

const BY_ENDPOINT = 'sum by (endpoint) (rate(requests_total[1m]))';

let server;
let browser;
let page;
const problems = [];

function watch(p) {
  watchForProblems(p, problems);
}

/** The host's answer to `query` at the link's time, as `series\tvalue` lines. */
function hostTable(link, query) {
  const bin = process.env.LINK_TABLE_BIN ?? path.join(ROOT, 'target/release/examples/link_table');
  return execFileSync(bin, [link, query], { encoding: 'utf8' }).trim().split('\n');
}

/** The first panel's table rows as `series\tvalue` lines. */
async function pageTable(p) {
  const rows = p.getByTestId('query-table-row');
  await rows.first().waitFor();
  return rows.evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\n/g, ' ')).join('\t')),
  );
}

async function run(p, query) {
  const input = p.getByTestId('query-input').first();
  await input.fill(query);
  await input.press('Enter');
}

async function tab(p, name) {
  await p.locator('.query-panel').first().getByText(name, { exact: true }).click();
}

before(async () => {
  // A fixed seed, the clock paused: every number below is reproducible.
  ({ server, browser, page } = await openPlayground({ query: '?seed=42&paused=1', problems }));
  await page.getByTestId('visit-treecounter').waitFor();
  await page.getByTestId('traffic-rate').fill('4');
  for (let i = 0; i < 3; i++) await page.getByTestId('visit-treecounter').click();
  for (let i = 0; i < 12; i++) await page.getByTestId('step').click();
});

after(() => closePlayground({ server, browser }));

test('the first panel graphs rate(requests_total[1m]) out of the box', async () => {
  assert.equal(await page.getByTestId('query-input').first().inputValue(), 'rate(requests_total[1m])');
  assert.equal(await page.locator('[data-testid=rate-graph] path.series').count(), 3);
  assert.ok(await page.getByTestId('query-graph').first().isVisible());
});

test('a query typed and run with Enter gives the rows the host engine gives', async () => {
  await run(page, BY_ENDPOINT);
  await tab(page, 'Table');
  const rows = await pageTable(page);
  assert.equal(rows.length, 2, rows.join('\n'));
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.deepEqual(rows, hostTable(link, BY_ENDPOINT));
  for (const row of rows) assert.match(row, /^\{endpoint="\/(treecounter|upstream)"\}\t\d/);
});

test('the Run button runs what is in the editor', async () => {
  await page.getByTestId('query-input').first().fill('count(requests_total)');
  await page.getByTestId('query-run').first().click();
  assert.deepEqual(await pageTable(page), ['{}\t3']);
});

test('a bad query shows the error at its position while typing', async () => {
  const input = page.getByTestId('query-input').first();
  const query = 'sum(rate(requests_total[1x]))';
  await input.fill(query);
  const error = await page.getByTestId('query-error').textContent();
  const match = /^1:(\d+): parse error: (.+)$/.exec(error);
  assert.ok(match, error);
  const underlined = await page.locator('.query-panel').first().locator('.hl-err').allTextContents();
  assert.ok(underlined.length > 0, 'something is underlined');
  assert.equal(query.indexOf(underlined.join('')), Number(match[1]) - 1, `${error} / ${underlined}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  // Nothing ran: the table still shows the last good query.
  assert.deepEqual(await pageTable(page), ['{}\t3']);
  await input.fill('count(requests_total)');
  assert.equal(await page.getByTestId('query-error').count(), 0);
});

test('autocomplete offers requests_total after "req" and accepts it from the keyboard', async () => {
  const input = page.getByTestId('query-input').first();
  await input.fill('');
  await input.pressSequentially('req');
  const list = page.getByTestId('query-suggestions').first();
  await list.waitFor();
  const options = await list.locator('[role=option]').allTextContents();
  assert.ok(options.some((o) => o.includes('requests_total')), options.join(' | '));
  // Walk down to it and take it.
  const index = options.findIndex((o) => o.includes('requests_total'));
  for (let i = 0; i < index; i++) await input.press('ArrowDown');
  await input.press('Enter');
  assert.equal(await input.inputValue(), 'requests_total');
  // Label values in the right context.
  await input.pressSequentially('{endpoint="');
  const values = await list.locator('[role=option]').allTextContents();
  assert.ok(values.some((v) => v.includes('/upstream')), values.join(' | '));
  await input.press('Escape');
  assert.equal(await list.isHidden(), true);
});

test('the explain tree of sum(rate(requests_total[1m])) has its three nodes and the samples behind rate', async () => {
  await run(page, 'sum(rate(requests_total[1m]))');
  await tab(page, 'Explain');
  const tree = page.getByTestId('explain-tree');
  await tree.waitFor();
  const nodes = await tree.locator('[data-testid=explain-node] > .node-head > .node-text').allTextContents();
  assert.deepEqual(nodes, ['sum(rate(requests_total[1m]))', 'rate(requests_total[1m])', 'requests_total[1m]']);
  const chart = page.getByTestId('explain-window-chart');
  assert.ok((await chart.locator('circle.sample').count()) >= 2);
  const steps = await page.getByTestId('explain-arithmetic').locator('li').allTextContents();
  assert.match(steps.at(-1), /^rate = .* per second\.$/);
  const shot = process.env.UPDATE_SCREENSHOT ? 'docs/query-explain.png' : 'target/e2e/query-explain.png';
  await page.locator('.panel-graph').screenshot({ path: path.join(ROOT, shot) });
});

test('a shared link opened in a fresh page gives the identical table', async () => {
  await run(page, BY_ENDPOINT);
  await tab(page, 'Table');
  const rows = await pageTable(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const fresh = await context.newPage();
    watch(fresh);
    await fresh.goto(link);
    assert.equal(await fresh.getByTestId('query-input').first().inputValue(), BY_ENDPOINT);
    assert.deepEqual(await pageTable(fresh), rows);
    assert.equal(
      await fresh.getByTestId('sim-clock').textContent(),
      await page.getByTestId('sim-clock').textContent(),
    );
    // The same samples (prometheus-client lists a family's series in its
    // hash map's order, which differs between two pages).
    const lines = async (p) => (await p.getByTestId('exposition').innerText()).split('\n').sort();
    assert.deepEqual(await lines(fresh), await lines(page));
  } finally {
    await context.close();
  }
});

test('a malformed link falls back to defaults with a visible note', async () => {
  const context = await browser.newContext();
  try {
    const fresh = await context.newPage();
    watch(fresh);
    await fresh.goto(`${server.url}#v=1&seed=zz!&log=<script>`);
    const note = await fresh.getByTestId('link-note').textContent();
    assert.match(note, /could not be read/);
    assert.equal(await fresh.getByTestId('query-input').first().inputValue(), 'rate(requests_total[1m])');
    await fresh.getByTestId('visit-treecounter').click();
  } finally {
    await context.close();
  }
});

test('the last queries come back with the up arrow in an empty editor', async () => {
  const input = page.getByTestId('query-input').first();
  await run(page, 'max(requests_total)');
  await input.fill('');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'max(requests_total)');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), BY_ENDPOINT);
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), 'max(requests_total)');
});

test('panels can be added, reordered and removed', async () => {
  await page.getByTestId('add-query').click();
  const panels = page.getByTestId('query-panel');
  assert.equal(await panels.count(), 2);
  const second = page.getByTestId('query-input').nth(1);
  await second.fill('up');
  await second.press('Enter');
  await page.getByRole('button', { name: 'Move query 2 up' }).click();
  assert.equal(await page.getByTestId('query-input').first().inputValue(), 'up');
  // The first panel keeps the rate-graph id, whatever query it holds.
  assert.equal(await panels.first().getByTestId('rate-graph').count(), 1);
  await page.getByRole('button', { name: 'Remove query 1' }).click();
  assert.equal(await panels.count(), 1);
  assert.equal(await page.getByTestId('query-input').first().inputValue(), 'max(requests_total)');
});

test('the query panel fits a narrow screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await tab(page, 'Table');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.setViewportSize({ width: 1360, height: 1100 });
});

test('nothing went wrong in the pages', async () => {
  assert.equal(await page.locator('#panic-message').isHidden(), true);
  assert.deepEqual(problems, []);
});
