// Benchmark, not a test: one hour of simulated history at a 1 s scrape
// interval with 50 requests_total series and three query panels graphing
// the hour, then the time from a click (or a keystroke in the query
// editor) to the next frame after the page repainted. Run by
// scripts/bench-playground.sh.
import { launchBrowser, startAppServer } from './support.mjs';

const CLICKS = 40;
const server = await startAppServer();
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  const loadStart = Date.now();
  await page.goto(`${server.url}?history=3600&series=50`);
  await page.getByTestId('visit-treecounter').waitFor();
  const loadMs = Date.now() - loadStart;
  // The worst case: the graphs span the whole hour, three panels.
  await page.locator('label[for=graph-span-2]').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=rate-graph] path.series').length === 50,
    null,
    { timeout: 10_000 },
  );
  for (const query of [
    'sum by (status) (rate(requests_total[1m]))',
    'histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket[1m])))',
  ]) {
    await page.getByTestId('add-query').click();
    const input = page.getByTestId('query-input').last();
    await input.fill(query);
    await input.press('Enter');
  }
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=query-graph] path.series').length >= 50 + 2,
    null,
    { timeout: 10_000 },
  );

  // Two figures per click:
  // - work: from the click until the DOM is updated and laid out (the
  //   handler, yew's render, style and layout), measured right after yew's
  //   scheduler ran;
  // - frame: from the click until the frame after it was painted, which also
  //   includes waiting for the display's next refresh (up to 16.7 ms at 60 Hz,
  //   however little work there was).
  const measure = (testid) =>
    page.evaluate(
      async ({ testid, clicks }) => {
        const button = document.querySelector(`[data-testid=${testid}]`);
        const exposition = document.querySelector('[data-testid=exposition]');
        const graph = document.querySelector('[data-testid=rate-graph]');
        const channel = new MessageChannel();
        // A task that runs after yew's render (queued as a microtask).
        const afterMicrotasks = () =>
          new Promise((resolve) => {
            channel.port1.onmessage = resolve;
            channel.port2.postMessage(null);
          });
        const afterPaint = () =>
          new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const work = [];
        const frame = [];
        for (let i = 0; i < clicks; i++) {
          await afterPaint();
          const before = exposition.textContent;
          const start = performance.now();
          button.click();
          await afterMicrotasks();
          void document.body.offsetHeight; // style and layout, now
          work.push(performance.now() - start);
          await afterPaint();
          frame.push(performance.now() - start);
          if (testid === 'visit-treecounter' && exposition.textContent === before) {
            throw new Error('the exposition did not change');
          }
          void graph.getBBox();
        }
        return { work, frame };
      },
      { testid, clicks: CLICKS },
    );
  const stats = (times) => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`;
  };

  // A keystroke in the first editor: the query typed one character at a
  // time (each keystroke re-highlights, re-checks and re-suggests).
  const typing = await page.evaluate(async (query) => {
    const area = document.querySelector('[data-testid=query-input]');
    const code = area.parentElement.querySelector('.editor-code');
    area.focus();
    const channel = new MessageChannel();
    const afterMicrotasks = () =>
      new Promise((resolve) => {
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(null);
      });
    const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const work = [];
    const frame = [];
    for (let i = 1; i <= query.length; i++) {
      await afterPaint();
      const start = performance.now();
      area.value = query.slice(0, i);
      area.setSelectionRange(i, i);
      area.dispatchEvent(new InputEvent('input', { bubbles: true, data: query[i - 1], inputType: 'insertText' }));
      await afterMicrotasks();
      void document.body.offsetHeight;
      work.push(performance.now() - start);
      await afterPaint();
      frame.push(performance.now() - start);
      if (code.textContent !== `${query.slice(0, i)}\n`) throw new Error(`not highlighted: ${code.textContent}`);
    }
    return { work, frame };
  }, 'sum by (endpoint) (rate(requests_total{status="200"}[1m]))');

  const visit = await measure('visit-treecounter');
  // "Step" advances the paused clock by one scrape: a scrape of the registry
  // and the three panels' graphs over the hour recomputed and redrawn.
  const step = await measure('step');
  const series = await page.locator('[data-testid=rate-graph] path.series').count();
  const lines = (await page.getByTestId('exposition').textContent()).split('\n').length;

  console.log(`page load with 1 h of history (3600 scrapes, ${series} series): ${loadMs} ms`);
  console.log(`exposition: ${lines} lines`);
  console.log(`click "Visit" (exposition re-encoded, diffed, re-rendered), ${CLICKS} clicks:`);
  console.log(`  work until laid out: ${stats(visit.work)}`);
  console.log(`  until the next frame was painted: ${stats(visit.frame)}`);
  console.log(`click "Step" (one scrape; three panels over 1 h, 50 + 2 + 1 series, recomputed and redrawn), ${CLICKS} clicks:`);
  console.log(`  work until laid out: ${stats(step.work)}`);
  console.log(`  until the next frame was painted: ${stats(step.frame)}`);
  console.log(`keystroke in the query editor (highlighted, checked, suggestions updated), ${typing.work.length} keys:`);
  console.log(`  work until laid out: ${stats(typing.work)}`);
  console.log(`  until the next frame was painted: ${stats(typing.frame)}`);
  console.log('target: 16 ms, one frame at 60 Hz');
} finally {
  await browser.close();
  server.stop();
}
