// Shared set-up for the headless Chromium tests: Debian's Chromium driven
// by playwright-core (no browser download), and the static server on
// 127.0.0.1 serving pkg/, www/ and the test fixtures.
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tools/serve.mjs';

export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

export async function serve(routes = {}) {
  const testsDir = fileURLToPath(new URL('..', import.meta.url));
  const server = await startServer(0, { extra: [['/test/', testsDir]], routes });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens `path`, collects console errors, waits for window.__result. */
export async function resultOf(browser, origin, path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(origin + path);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  return { ...result, errors };
}

/**
 * What `read()` (records that arrive somewhere) gives once at least `min`
 * have arrived and three reads 100 ms apart find no more (at most `tries`
 * reads).
 */
export async function settle(read, min, tries = 100) {
  let got = [];
  let stable = 0;
  for (let i = 0; i < tries && stable < 3; i++) {
    const now = await read();
    stable = now.length >= min && now.length === got.length ? stable + 1 : 0;
    got = now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}
