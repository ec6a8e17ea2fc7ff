// The end-to-end checks of the release build in a real headless Chromium,
// run once per way of hosting it (see the *.test.mjs files next to this):
// app-server at /, and a plain static file server under a subpath.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import path from 'node:path';

import { ROOT, launchBrowser, requestsTotal, watchForProblems } from './support.mjs';

/**
 * Defines the tests for the playground as served by `host`:
 * - `start()` resolves to `{ url, stop }`, `url` being the page's address;
 * - `realServer`: whether app-server's own routes are next to the page;
 * - `screenshot`: where to save the picture after the graph test (under ROOT);
 * - `expectedConsoleError(message)`: console errors that are not problems.
 */
export function playgroundChecks(host) {
  let server;
  let browser;
  let page;
  const problems = [];
  // Every response of the page's first load.
  const responses = [];

  before(async () => {
    server = await host.start();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    watchForProblems(page, problems, (message) => host.expectedConsoleError?.(message) ?? false);
    page.on('response', (response) => responses.push(response));
    await page.goto(server.url);
    await page.getByTestId('visit-treecounter').waitFor();
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  test('three visits are counted as the server counts them', async () => {
    for (let i = 0; i < 3; i++) await page.getByTestId('visit-treecounter').click();
    const totals = requestsTotal(await page.getByTestId('exposition').textContent());
    assert.equal(totals['/treecounter 200'], 3);
    assert.equal((totals['/upstream 200'] ?? 0) + (totals['/upstream 503'] ?? 0), 3);
    assert.equal(await page.locator('[data-testid=visit-log] tbody tr').count(), 3);
  });

  test('the format toggle switches to OpenMetrics and back', async () => {
    await page.locator('label[for=format-1]').click();
    const openmetrics = await page.getByTestId('exposition').textContent();
    assert.match(openmetrics, /^# EOF$/m);
    assert.match(openmetrics, /^# TYPE requests counter$/m);
    await page.locator('label[for=format-0]').click();
    const text = await page.getByTestId('exposition').textContent();
    assert.match(text, /^# TYPE requests_total counter$/m);
    assert.doesNotMatch(text, /# EOF/);
  });

  test('after simulated time passes the rate graph shows the series', async () => {
    await page.locator('label[for=speed-2]').click(); // 60×
    await page.getByTestId('traffic-rate').fill('4');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=rate-graph] path.series').length >= 1,
      null,
      { timeout: 15_000 },
    );
    // Let a few simulated minutes of traffic build up for the screenshot.
    await page.waitForTimeout(4_000);
    const series = await page.locator('[data-testid=rate-graph] path.series').count();
    assert.ok(series >= 1, `${series} series`);
    await page.getByTestId('rate-graph').scrollIntoViewIfNeeded();
    const box = await page.getByTestId('rate-graph').boundingBox();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4);
    await page.getByTestId('rate-graph-readout').waitFor();
    if (host.screenshot) await page.screenshot({ path: path.join(ROOT, host.screenshot) });
  });

  if (host.realServer) {
    test('the real server answers its own routes, and the page knows it', async () => {
      const metrics = await fetch(new URL('metrics', server.url));
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^requests_total\{/m);
      // The page asks for healthz when it loads, and notes the answer.
      const note = page.locator('#server-note[data-server]');
      await note.waitFor({ state: 'attached' });
      assert.equal(await note.getAttribute('data-server'), 'present');
      assert.equal(await note.isHidden(), true);
    });

    test('app-server sends the page and its files brotli-compressed', async () => {
      // scripts/build-playground.sh leaves a .br beside each file; Chromium
      // accepts br, and the page working at all shows they decoded.
      const encodings = {};
      for (const response of responses) {
        const name = new URL(response.url()).pathname.split('/').pop() || 'index.html';
        if (/\.(wasm|js|css|html)$/.test(name)) {
          encodings[name.replace(/-[0-9a-f]{16}/, '')] = (await response.allHeaders())['content-encoding'];
        }
      }
      assert.deepEqual(encodings, {
        'index.html': 'br',
        'playground.js': 'br',
        'playground_bg.wasm': 'br',
        'style.css': 'br',
      });
    });
  } else {
    test('without app-server the page says its routes are not there', async () => {
      const metrics = await fetch(new URL('metrics', server.url));
      assert.equal(metrics.status, 404);
      const note = page.locator('#server-note[data-server]');
      await note.waitFor({ state: 'attached' });
      assert.equal(await note.getAttribute('data-server'), 'absent');
      assert.equal(await note.isVisible(), true);
      assert.match(await note.textContent(), /No app-server here\.[\s\S]*routes[\s\S]*\/treecounter[\s\S]*\/metrics[\s\S]*are not on this host[\s\S]*simulation/);
      // So there is nothing to scrape live here, and the switch says why.
      await page.getByTestId('live-absent').waitFor();
      assert.equal(await page.getByTestId('live-toggle').isDisabled(), true);
    });
  }

  test('a narrow screen gets one column and no sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: path.join(ROOT, `target/e2e/narrow-${host.name}.png`), fullPage: true });
  });

  test('nothing went wrong in the page', async () => {
    assert.equal(await page.locator('#panic-message').isHidden(), true);
    assert.deepEqual(problems, []);
  });
}
