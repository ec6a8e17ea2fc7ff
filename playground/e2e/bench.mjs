// Benchmark, not a test: one hour of simulated history at a 1 s scrape
// interval with 50 requests_total series, then the time from a click to the
// next frame after the page repainted. Run by scripts/bench-playground.sh.
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
  // The worst case: the graph spans the whole hour.
  await page.locator('label[for=graph-span-2]').click();
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=rate-graph] path.series').length === 50,
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

  const visit = await measure('visit-treecounter');
  // "Step" advances the paused clock by one scrape: a scrape of the registry
  // and the 50-series rate graph over the hour recomputed and redrawn.
  const step = await measure('step');
  const series = await page.locator('[data-testid=rate-graph] path.series').count();
  const lines = (await page.getByTestId('exposition').textContent()).split('\n').length;

  console.log(`page load with 1 h of history (3600 scrapes, ${series} series): ${loadMs} ms`);
  console.log(`exposition: ${lines} lines`);
  console.log(`click "Visit" (exposition re-encoded, diffed, re-rendered), ${CLICKS} clicks:`);
  console.log(`  work until laid out: ${stats(visit.work)}`);
  console.log(`  until the next frame was painted: ${stats(visit.frame)}`);
  console.log(`click "Step" (one scrape, 50-series rate graph over 1 h recomputed and redrawn), ${CLICKS} clicks:`);
  console.log(`  work until laid out: ${stats(step.work)}`);
  console.log(`  until the next frame was painted: ${stats(step.frame)}`);
  console.log('target: 16 ms, one frame at 60 Hz');
} finally {
  await browser.close();
  server.stop();
}
