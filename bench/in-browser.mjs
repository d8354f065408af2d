// The headless Chromium side of `make bench`: bundles a module of peers
// from tests/node_modules with esbuild, serves it with the harness and a
// page module, and prints what the page leaves in window.__bench.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { buildSync } = require('esbuild');
const { launch, serve } = await import('../tests/browser/browser.mjs');

/** `peers` and `page`: file names in bench/; the peers are served at `peersPath`. */
export async function runInBrowser({ peers, peersPath, page, rounds, timeoutMs = 600_000 }) {
  const here = (name) => new URL(name, import.meta.url);
  const bundle = buildSync({
    entryPoints: [fileURLToPath(here(peers))],
    bundle: true, format: 'esm', platform: 'browser', minify: true, write: false,
    nodePaths: [fileURLToPath(here('../tests/node_modules/'))],
  }).outputFiles[0].text;
  const js = 'text/javascript';
  const { server, origin } = await serve({
    [peersPath]: [js, bundle],
    '/bench/harness.mjs': [js, readFileSync(here('harness.mjs'))],
    '/bench/page.mjs': [js, readFileSync(here(page))],
    '/bench/': ['text/html', '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/bench/page.mjs"></script>'],
  });
  const browser = await launch();
  try {
    const tab = await browser.newPage();
    tab.on('pageerror', (e) => console.error('page error:', e));
    await tab.goto(`${origin}/bench/?rounds=${rounds}`);
    await tab.waitForFunction(() => window.__bench, null, { timeout: timeoutMs });
    console.log(await tab.evaluate(() => window.__bench));
  } finally {
    await browser.close();
    server.close();
  }
}
