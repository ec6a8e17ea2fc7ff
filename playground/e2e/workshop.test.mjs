// End to end: the workshop guide in the page. A learner's path through
// every step, done as a learner would (clicks, typed answers and queries),
// each step ticking itself off; a wrong answer gets its hint. Run by
// scripts/test-browser.sh: node --test playground/e2e/
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, closePlayground, openPlayground } from './support.mjs';

let server;
let browser;
let page;
const problems = [];

const step = (id) => page.locator(`[data-testid=workshop-step][data-step="${id}"]`);
const done = async (id) => (await step(id).getAttribute('data-done')) === 'true';

async function answer(id, text) {
  const input = step(id).getByTestId('workshop-input');
  await input.fill(text);
  await step(id).getByTestId('workshop-check').click();
  return step(id).getByTestId('workshop-said').textContent();
}

before(async () => {
  // A fresh context: no progress stored, so the guide is open.
  ({ server, browser, page } = await openPlayground({ query: '?seed=7&paused=1', problems }));
  await page.getByTestId('workshop-panel').waitFor();
});

after(() => closePlayground({ server, browser }));

test('the guide is open on a first visit with its six steps, none done', async () => {
  assert.equal(await page.getByTestId('workshop-step').count(), 6);
  assert.deepEqual(await page.getByTestId('workshop-step').evaluateAll((steps) => steps.map((s) => s.dataset.done)), [
    'false', 'false', 'false', 'false', 'false', 'false',
  ]);
  // Only the first step is open; a click on a title opens another.
  assert.equal(await page.getByTestId('workshop-input').count(), 1);
  await step('count-visits').getByRole('button', { name: /Custom metrics/ }).click();
  // Each section's code is the solution's, in the page.
  const code = await step('count-visits').locator('pre code').allTextContents();
  assert.ok(code.some((c) => c.includes('requests_total')), code.join('\n---\n'));
});

test('section 1: a wrong name gets a hint, the right one ticks', async () => {
  await step('find-the-counter').getByRole('button', { name: /Exposing metrics/ }).click();
  const hint = await answer('find-the-counter', 'requests');
  assert.match(hint, /_total/);
  assert.equal(await done('find-the-counter'), false);
  await answer('find-the-counter', 'requests_total');
  assert.equal(await done('find-the-counter'), true);
  // On to the next step.
  assert.equal(await step('count-visits').locator('.step-body').count(), 1);
});

test('section 2: three visits by hand tick the step', async () => {
  for (let i = 0; i < 2; i++) await page.getByTestId('visit-treecounter').click();
  assert.equal(await done('count-visits'), false);
  await page.getByTestId('visit-treecounter').click();
  await page.waitForFunction(() => document.querySelector('[data-step="count-visits"]').dataset.done === 'true');
});

test('section 3: a new scrape interval ticks once the target is scraped at it', async () => {
  const targets = page.getByTestId('targets-view');
  const state = () => targets.getByTestId('target-state').getAttribute('data-state');
  // The clock has not run: never scraped, as Prometheus says before the first scrape.
  assert.equal(await state(), 'unknown');
  assert.equal(await targets.getByTestId('target-last-scrape').textContent(), 'never');
  await page.getByLabel('Scrape interval').selectOption('5');
  assert.equal(await done('change-scrape-interval'), false);
  await page.getByTestId('step').click();
  await page.waitForFunction(() => document.querySelector('[data-step="change-scrape-interval"]').dataset.done === 'true');
  assert.equal(await state(), 'up');
  assert.match(await targets.textContent(), /scraped every 5s/);
  assert.match(await targets.getByTestId('target-last-scrape').textContent(), /^\d+s ago$/);
});

test('sections 4 to 6: queries are judged by their answers, with hints for known mistakes', async () => {
  // Data first: traffic for a few simulated minutes.
  await page.getByTestId('traffic-rate').fill('10');
  for (let i = 0; i < 40; i++) await page.getByTestId('step').click();
  const wrong = await answer(
    'error-ratio',
    'sum(rate(requests_total{endpoint="/upstream", status="200"}[1m])) / sum(rate(requests_total{endpoint="/upstream"}[1m]))',
  );
  assert.match(wrong, /status="503"/);
  assert.equal(await done('error-ratio'), false);
  // A correct query written differently from the reference passes.
  const right = await answer(
    'error-ratio',
    'sum(rate(requests_total{status="503",endpoint="/upstream"}[2m])) / sum(rate(requests_total{endpoint="/upstream"}[2m]))',
  );
  assert.match(right, /^Right/);
  assert.equal(await done('error-ratio'), true);
  await answer('rate-by-endpoint', 'sum by (endpoint) (rate(requests_total[1m]))');
  assert.equal(await done('rate-by-endpoint'), true);
  const median = await answer(
    'p90',
    'histogram_quantile(0.5, sum by (le) (rate(request_latency_seconds_bucket{endpoint="/treecounter"}[1m])))',
  );
  assert.match(median, /0\.9/);
  await answer('p90', 'histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket{endpoint="/treecounter"}[1m])))');
  assert.equal(await done('p90'), true);
  assert.equal(await page.getByTestId('workshop-progress').textContent(), '6 of 6 done');
  const shot = process.env.UPDATE_SCREENSHOT ? 'docs/workshop-guide.png' : 'target/e2e/workshop-guide.png';
  await page.getByTestId('workshop-panel').screenshot({ path: path.join(ROOT, shot) });
});

test('progress survives a reload and travels in a share link; start over clears it', async () => {
  await page.reload();
  await page.getByTestId('workshop-panel').waitFor();
  assert.equal(await page.getByTestId('workshop-progress').textContent(), '6 of 6 done');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /&guide=/);
  const context = await browser.newContext();
  try {
    const fresh = await context.newPage();
    await fresh.goto(link);
    await fresh.getByTestId('workshop-panel').waitFor();
    assert.equal(await fresh.getByTestId('workshop-progress').textContent(), '6 of 6 done');
  } finally {
    await context.close();
  }
  await page.getByRole('button', { name: 'Start over' }).click();
  assert.equal(await page.getByTestId('workshop-progress').textContent(), '0 of 6 done');
});

test('the guide closes, stays closed on reload, and opens again', async () => {
  await page.getByTestId('workshop-close').click();
  assert.equal(await page.getByTestId('workshop-panel').count(), 0);
  await page.reload();
  await page.getByTestId('workshop-open').waitFor();
  assert.equal(await page.getByTestId('workshop-panel').count(), 0);
  await page.getByTestId('workshop-open').click();
  await page.getByTestId('workshop-panel').waitFor();
});

test('nothing went wrong in the page', async () => {
  assert.equal(await page.locator('#panic-message').isHidden(), true);
  assert.deepEqual(problems, []);
});
