// End to end: the same release build on a plain static file server, under
// a subpath, as GitHub Pages hosts a project's page (https://user.github.io/repo/):
// every asset must load from relative URLs, and the page must work fully in
// simulation and say that the real server's routes are absent.
import { playgroundChecks } from './checks.mjs';
import { SUBPATH, startStaticServer } from './support.mjs';

playgroundChecks({
  name: 'static-subpath',
  start: startStaticServer,
  realServer: false,
  // The page asks for healthz to know whether app-server is there; a
  // static host answers 404, which Chromium reports on the console.
  expectedConsoleError: (message) =>
    message.text().includes('404') && new URL(message.location().url).pathname === `${SUBPATH}healthz`,
});
