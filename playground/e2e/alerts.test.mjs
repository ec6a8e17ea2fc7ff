// End to end: the alerts section. The stack's rules are evaluated in the
// page as its simulated clock runs; stopping the app fails the scrapes, and
// TreeCounterDown goes pending, then firing once `for: 1m` of simulated time
// has passed. Run by scripts/test-browser.sh: node --test playground/e2e/
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, closePlayground, openPlayground } from './support.mjs';

let server;
let browser;
let page;
const problems = [];

const row = (rule) => page.locator(`[data-testid=alert-row][data-rule="${rule}"]`);
const ruleState = (rule) => row(rule).getAttribute('data-state');
const pressed = (id) => page.getByTestId(id).getAttribute('aria-pressed');
const targetState = () => page.getByTestId('target-state').getAttribute('data-state');

/** The simulated clock, in seconds (`m:ss` or `h:mm:ss`). */
async function clock() {
  const text = await page.getByTestId('sim-clock').textContent();
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

/** Moves the paused clock on by one scrape interval and waits for the page to show it. */
async function step() {
  const before = await clock();
  await page.getByTestId('step').click();
  await page.waitForFunction(
    (previous) =>
      document
        .querySelector('[data-testid=sim-clock]')
        .textContent.split(':')
        .reduce((total, part) => total * 60 + Number(part), 0) > previous,
    before,
  );
}

async function waitForRuleState(rule, state) {
  await page.waitForFunction(
    ([name, expected]) =>
      document.querySelector(`[data-testid=alert-row][data-rule="${name}"]`)?.dataset.state === expected,
    [rule, state],
  );
}

before(async () => {
  // A fixed seed, the clock paused: time moves only when the test steps it.
  ({ server, browser, page } = await openPlayground({ query: '?seed=7&paused=1', problems }));
  await page.getByTestId('alerts-view').waitFor();
});

after(() => closePlayground({ server, browser }));

test('the three rules of alerts.yaml are listed, all inactive, the scenarios off', async () => {
  const rows = page.getByTestId('alert-row');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await rows.evaluateAll((all) => all.map((r) => `${r.dataset.rule} ${r.dataset.state}`)), [
    'TreeCounterDown inactive',
    'TreeCounterUpstreamErrorsHigh inactive',
    'TreeCounterSlow inactive',
  ]);
  for (const id of ['scenario-stop-app', 'scenario-slow-page', 'scenario-errors']) {
    assert.equal(await pressed(id), 'false', id);
  }
});

test('stopping the app makes TreeCounterDown pend, then fire after a minute of simulated time', async () => {
  await page.getByTestId('scenario-stop-app').click();
  assert.equal(await pressed('scenario-stop-app'), 'true');
  // The next scrape fails; the evaluation after it finds up == 0.
  await step();
  await waitForRuleState('TreeCounterDown', 'pending');
  const pendingAt = await clock();
  assert.match(await row('TreeCounterDown').textContent(), /The tree-counter app app:8001 is down/);
  let firingAt;
  for (let i = 0; i < 10 && firingAt === undefined; i++) {
    await step();
    if ((await ruleState('TreeCounterDown')) === 'firing') firingAt = await clock();
    else assert.equal(await ruleState('TreeCounterDown'), 'pending');
  }
  assert.ok(firingAt !== undefined, 'TreeCounterDown never fired');
  assert.ok(firingAt - pendingAt >= 60, `pending at ${pendingAt} s, firing at ${firingAt} s`);
  // The other rules are untouched.
  assert.equal(await ruleState('TreeCounterSlow'), 'inactive');
  // The strip ends now: firing shows on it once time has passed since.
  await step();
  assert.equal(await ruleState('TreeCounterDown'), 'firing');
  assert.equal(await row('TreeCounterDown').locator('svg rect.pending').count(), 1);
  assert.equal(await row('TreeCounterDown').locator('svg rect.firing').count(), 1);
});

test('the stopped app is DOWN on the targets view, and refuses a visit', async () => {
  assert.equal(await targetState(), 'down');
  assert.match(
    await page.getByTestId('targets-view').textContent(),
    /Get "http:\/\/app:8001\/metrics": dial tcp [\d.:]+: connect: connection refused/,
  );
  await page.getByTestId('visit-treecounter').click();
  assert.match(await page.locator('[data-testid=visit-log] tbody tr').first().textContent(), /refused/);
  await page.getByTestId('alerts-view').scrollIntoViewIfNeeded();
  const shot = process.env.UPDATE_SCREENSHOT ? 'docs/alerts.png' : 'target/e2e/alerts.png';
  await page.locator('.panel-alerts').screenshot({ path: path.join(ROOT, shot) });
});

test('starting the app again resolves the alert: back to inactive', async () => {
  await page.getByTestId('scenario-stop-app').click();
  assert.equal(await pressed('scenario-stop-app'), 'false');
  await step();
  await waitForRuleState('TreeCounterDown', 'inactive');
  assert.equal(await targetState(), 'up');
  assert.equal(await row('TreeCounterDown').getByTestId('alert').count(), 0);
});

test('at 60× the errors scenario fires its alert on its own', async () => {
  await page.getByTestId('scenario-errors').click();
  assert.equal(await pressed('scenario-errors'), 'true');
  // The scenario brings traffic when there is none.
  assert.notEqual(await page.getByTestId('traffic-rate').inputValue(), '0');
  await page.locator('label[for=speed-2]').click();
  await page.getByTestId('pause').click();
  // 100 s for the ratio to pass 30 %, then 5 minutes pending: about 7 s at 60×.
  await waitForRuleState('TreeCounterUpstreamErrorsHigh', 'pending');
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid=alert-row][data-rule="TreeCounterUpstreamErrorsHigh"]').dataset.state ===
      'firing',
    null,
    { timeout: 30_000 },
  );
  await page.getByTestId('pause').click();
  await page.getByTestId('scenario-errors').click();
  assert.equal(await pressed('scenario-errors'), 'false');
});

test('nothing went wrong in the page', async () => {
  assert.equal(await page.locator('#panic-message').isHidden(), true);
  assert.deepEqual(problems, []);
});
