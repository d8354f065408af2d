// `make bench` (headless Chromium): the producer comparison in a page.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

// Tools and peers live in tests/node_modules.
const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { buildSync } = require('esbuild');
const { launch, serve } = await import('../tests/browser/browser.mjs');

const peers = buildSync({
  entryPoints: [fileURLToPath(new URL('producer-browser-peers.mjs', import.meta.url))],
  bundle: true, format: 'esm', platform: 'browser', minify: true, write: false,
  nodePaths: [fileURLToPath(new URL('../tests/node_modules/', import.meta.url))],
}).outputFiles[0].text;
const js = 'text/javascript';
const { server, origin } = await serve({
  '/bench/producer-peers.js': [js, peers],
  '/bench/harness.mjs': [js, readFileSync(new URL('harness.mjs', import.meta.url))],
  '/bench/page.mjs': [js, readFileSync(new URL('producer-browser-page.mjs', import.meta.url))],
  '/bench/': ['text/html', '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/bench/page.mjs"></script>'],
});
const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${origin}/bench/?rounds=${process.env.ROUNDS ?? 5}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 900_000 });
  console.log(await page.evaluate(() => window.__bench));
} finally {
  await browser.close();
  server.close();
}
