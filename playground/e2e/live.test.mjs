// End to end: live mode, against a running app-server. The page sends real
// requests (GET /treecounter, GET /metrics on the wall clock), so the
// numbers are the server's; a refused target, a bad paste and switching
// back to the simulation are checked in the same page. Run by
// scripts/test-browser.sh: node --test playground/e2e/
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { closePlayground, openPlayground, requestsTotal } from './support.mjs';

const TREECOUNTER = 'requests_total{endpoint="/treecounter"}';
/** Long enough for the next live scrape (every 10 s) and its answer. */
const SCRAPE_WAIT = 25_000;

let server;
let browser;
let page;
const problems = [];

async function run(query) {
  const input = page.getByTestId('query-input').first();
  await input.fill(query);
  await input.press('Enter');
}

/** The first panel's table rows as `series\tvalue` lines, once `accept(rows)` holds. */
async function tableWhen(accept, timeout = SCRAPE_WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const rows = await page
      .locator('.query-panel')
      .first()
      .getByTestId('query-table-row')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join('\t')));
    if (accept(rows)) return rows;
    if (Date.now() > deadline) assert.fail(`the table never read as expected:\n${rows.join('\n')}`);
    await page.waitForTimeout(200);
  }
}

/** The exposition panel's text, once `accept(text)` holds. */
async function expositionWhen(accept, timeout = SCRAPE_WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await page.getByTestId('exposition').textContent();
    if (accept(text)) return text;
    if (Date.now() > deadline) assert.fail(`the exposition never read as expected:\n${text}`);
    await page.waitForTimeout(200);
  }
}

async function targetState(state) {
  await page.waitForFunction(
    (state) => document.querySelector('[data-testid=target-state]')?.dataset.state === state,
    state,
    { timeout: SCRAPE_WAIT },
  );
}

async function scrapeTarget(url) {
  await page.getByTestId('target-url').fill(url);
  await page.getByTestId('target-scrape').click();
}

before(async () => {
  ({ server, browser, page } = await openPlayground({
    // No artificial latency: three visits are answered at once.
    args: ['--latency-max', '0'],
    // A fixed seed, the clock paused: the simulated numbers are known.
    query: '?seed=42&paused=1',
    problems,
    // The browser logs the refused and 404 targets below itself.
    expected: (message) => /Failed to load resource|ERR_CONNECTION_REFUSED/.test(message.text()),
  }));
  await page.getByTestId('visit-treecounter').waitFor();
  // One simulated visit, scraped: the data to come back to.
  await page.getByTestId('visit-treecounter').click();
  await page.getByTestId('step').click();
  await page.locator('.query-panel').first().getByText('Table', { exact: true }).click();
});

after(() => closePlayground({ server, browser }));

test('live mode: three real visits read 3 after the next scrape', async () => {
  const toggle = page.getByTestId('live-toggle');
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  const banner = page.getByTestId('live-banner');
  assert.equal(await banner.getAttribute('data-mode'), 'live');
  assert.match(await banner.textContent(), new RegExp(`^Live: scraping ${server.url}metrics every 10s`));
  // The simulated controls wait, disabled.
  assert.equal(await page.getByTestId('step').isDisabled(), true);
  // The first scrape starts at once.
  await targetState('up');

  for (let i = 0; i < 3; i++) await page.getByTestId('visit-treecounter').click();
  // Real answers in the log, as the server gave them.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=visit-log] tbody tr').length === 3);
  await run(TREECOUNTER);
  const host = new URL(server.url).host;
  const rows = await tableWhen((rows) => rows.length === 1 && rows[0].endsWith('\t3'));
  assert.deepEqual(rows, [
    `requests_total{endpoint="/treecounter", instance="${host}", job="treecounter", status="200"}\t3`,
  ]);
  // The server agrees.
  const metrics = await (await fetch(new URL('metrics', server.url))).text();
  assert.equal(requestsTotal(metrics)['/treecounter 200'], 3);

  // GET /metrics shows the server's own answer, as received, and says whose.
  const shown = await expositionWhen((text) => requestsTotal(text)['/treecounter 200'] === 3);
  assert.match(shown, /^# EOF$/m, 'OpenMetrics, as app-server answers the page');
  const source = await page.getByTestId('exposition-source').textContent();
  assert.ok(source.startsWith(`Live: the answer of ${server.url}metrics to the scrape at `), source);
  assert.match(source, / UTC, as received \(application\/openmetrics-text; version=1\.0\.0; charset=utf-8\)\.$/);
  // Its format is the server's: the toggle is off.
  assert.equal(await page.locator('input[name=format]').first().isDisabled(), true);

  // The scenarios break the simulated app: off, with the reason.
  for (const id of ['scenario-stop-app', 'scenario-slow-page', 'scenario-errors']) {
    assert.equal(await page.getByTestId(id).isDisabled(), true, id);
  }
  assert.match(await page.getByTestId('scenarios-live').textContent(), /stop it yourself/);

  await page.getByTestId('share').click();
  assert.match(await page.getByTestId('link-note').textContent(), /live session cannot be shared/);
});

test('a target that refuses is a down target with the error, and the page goes on', async () => {
  await scrapeTarget('nothing-here/metrics');
  await targetState('down');
  assert.equal(await page.locator('.target-error').textContent(), 'server returned HTTP status 404 Not Found');
  // No text to show, and why.
  assert.equal(await page.getByTestId('exposition').textContent(), '# server returned HTTP status 404 Not Found\n');

  await scrapeTarget('http://127.0.0.1:1/metrics');
  await page.waitForFunction(() => document.querySelector('.target-error')?.textContent.includes('127.0.0.1:1'), null, {
    timeout: SCRAPE_WAIT,
  });
  assert.match(
    await page.locator('.target-error').textContent(),
    /^Get "http:\/\/127\.0\.0\.1:1\/metrics": Failed to fetch \(.*--cors-allow-origin\)$/,
  );
  // Still answering: `up` of the refused target is 0.
  await run('up{instance="127.0.0.1:1"}');
  assert.deepEqual(await tableWhen((rows) => rows.length === 1), ['up{instance="127.0.0.1:1", job="treecounter"}\t0']);

  // An empty field means this server's /metrics again.
  await scrapeTarget('');
  await targetState('up');
});

test('pasted exposition text is a scrape, and a bad line is reported by number', async () => {
  await page.locator('details.paste summary').click();
  const paste = page.getByTestId('paste-exposition');
  await paste.fill('# TYPE pasted counter\npasted_total 7\npasted_total{x="1} 2\n');
  await page.getByTestId('paste-load').click();
  assert.equal(await page.getByTestId('paste-result').textContent(), 'Nothing loaded: line 3: malformed label set.');

  await paste.fill('# TYPE pasted counter\npasted_total 7\n# EOF\n');
  await page.getByTestId('paste-load').click();
  assert.match(await page.getByTestId('paste-result').textContent(), /^Loaded 1 sample \(OpenMetrics\)/);
  await run('pasted_total');
  assert.deepEqual(await tableWhen((rows) => rows.length === 1), [
    'pasted_total{instance="paste", job="pasted"}\t7',
  ]);
});

test("the scrape interval is Prometheus's setting: changed while live, the live target is scraped at it", async () => {
  const select = page.getByTestId('scrape-interval');
  const caption = page.getByTestId('targets-view').locator('caption');
  // The live target started at the simulation's interval. The simulated
  // controls around the select wait, disabled; the select does not.
  assert.equal(await select.inputValue(), '10');
  assert.equal(await select.isDisabled(), false);
  assert.equal(await page.getByTestId('traffic-rate').isDisabled(), true);
  // When the live target was last scraped, in seconds since the epoch.
  await run(`timestamp(up{instance="${new URL(server.url).host}"})`);
  const scrapedAfter = async (t) =>
    Number((await tableWhen((rows) => rows.length === 1 && Number(rows[0].split('\t')[1]) > t))[0].split('\t')[1]);
  const changed = await scrapedAfter(0);

  await select.selectOption('5');
  assert.equal(await caption.textContent(), 'Job treecounter, scraped every 5s');
  assert.equal(
    await page.getByTestId('live-banner').textContent(),
    `Live: scraping ${server.url}metrics every 5s, on the wall clock (times in UTC). ` +
      `Visits go to ${server.url}treecounter. The simulation is paused and kept. ` +
      'A live session cannot be shared: a link holds the simulation.',
  );
  // The simulation's single step is still one of its own intervals.
  assert.equal(await page.getByTestId('step').textContent(), 'Step +10 s');
  // Scrapes keep coming: the first one new interval after the last (or at
  // once, if that is past), then every 5 s; the page's clock ticks every
  // 0.5 s, so a scrape may start a little late.
  const scrapes = [await scrapedAfter(changed)];
  for (let i = 0; i < 2; i++) scrapes.push(await scrapedAfter(scrapes.at(-1)));
  assert.ok(scrapes[0] - changed >= 5, `the first came ${scrapes[0] - changed} s after the last`);
  const gaps = [scrapes[1] - scrapes[0], scrapes[2] - scrapes[1]];
  assert.ok(gaps.every((gap) => gap >= 5 && gap < 8), `seconds between scrapes: ${gaps.join(', ')}`);
  assert.equal(await page.getByTestId('target-state').getAttribute('data-state'), 'up');

  // Each keeps its own: the simulation's is still 10 s, and the live
  // target's is 5 s again when live again.
  await page.getByTestId('live-toggle').click();
  assert.equal(await select.inputValue(), '10');
  assert.equal(await caption.textContent(), 'Job treecounter, scraped every 10s');
  await page.getByTestId('live-toggle').click();
  assert.equal(await select.inputValue(), '5');
  assert.equal(await caption.textContent(), 'Job treecounter, scraped every 5s');
});

test('switching back shows the simulated data again', async () => {
  await page.getByTestId('live-toggle').click();
  assert.equal(await page.getByTestId('live-toggle').getAttribute('aria-checked'), 'false');
  assert.equal(await page.getByTestId('live-banner').getAttribute('data-mode'), 'simulation');
  await run(TREECOUNTER);
  assert.deepEqual(await tableWhen((rows) => rows.length === 1 && rows[0].includes('app:8001')), [
    'requests_total{endpoint="/treecounter", instance="app:8001", job="treecounter", status="200"}\t1',
  ]);
  assert.equal(await page.getByTestId('step').isDisabled(), false);
  assert.equal(await page.locator('[data-testid=visit-log] tbody tr').count(), 1);
  // The simulated app's exposition again, its one visit, the toggle and the scenarios on.
  assert.equal(requestsTotal(await page.getByTestId('exposition').textContent())['/treecounter 200'], 1);
  assert.equal(await page.getByTestId('exposition-source').count(), 0);
  assert.equal(await page.locator('input[name=format]').first().isDisabled(), false);
  assert.equal(await page.getByTestId('scenario-stop-app').isDisabled(), false);
  assert.equal(await page.getByTestId('scenarios-live').count(), 0);
});

test('nothing went wrong in the page', async () => {
  assert.equal(await page.locator('#panic-message').isHidden(), true);
  assert.deepEqual(problems, []);
});
