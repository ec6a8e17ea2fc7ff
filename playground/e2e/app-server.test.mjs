// End to end: the release build served by app-server at /, as
// ./scripts/run.sh and the container serve it. Run by scripts/test-browser.sh
// (which builds everything first): node --test playground/e2e/
import { playgroundChecks } from './checks.mjs';
import { startAppServer } from './support.mjs';

playgroundChecks({
  name: 'app-server',
  start: startAppServer,
  realServer: true,
  // The README's picture is refreshed on request only, so a test run leaves
  // the checkout clean: UPDATE_SCREENSHOT=1 scripts/test-browser.sh.
  screenshot: process.env.UPDATE_SCREENSHOT ? 'docs/screenshot.png' : 'target/e2e/screenshot.png',
});
