// Benchmark, not a test: the PromQL engine in the release build, in
// Chromium. One hour of history with 50 requests_total series (and the
// latency histograms), queried as range queries over the hour at a 10 s
// step. Run by scripts/bench-promql.sh.
import { launchBrowser, startAppServer } from './support.mjs';

const REPEATS = 30;
const server = await startAppServer();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.wasmBindings?.bench_promql, null, { timeout: 30_000 });
  // Warm up: the first runs also pay for compiling the wasm's hot paths.
  await page.evaluate(() => window.wasmBindings.bench_promql(50, 10, 5));
  for (const scrapeInterval of [10, 1]) {
    const lines = await page.evaluate(
      ({ scrapeInterval, repeats }) => window.wasmBindings.bench_promql(50, scrapeInterval, repeats),
      { scrapeInterval, repeats: REPEATS },
    );
    console.log(`scrape interval ${scrapeInterval} s, ${REPEATS} runs each:`);
    for (const line of lines.trim().split('\n')) {
      const [query, series, points, median, min, max] = line.split('\t');
      console.log(`  ${query}\n    ${series} series, ${points} points: median ${median} ms, min ${min} ms, max ${max} ms`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
