// `make screenshot`: the picture of the tutorial the README shows
// (docs/tutorial.png), taken from the built page in headless Chromium with
// the produce step open and telemetry flowing into four shards. Usage: node tests/browser/screenshot.mjs OUT.png
import { launch, serve } from './browser.mjs';

const out = process.argv[2] ?? 'docs/tutorial.png';
const { server, origin } = await serve();
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1180 }, deviceScaleFactor: 1 });
  await page.goto(`${origin}/#step-3`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.selectOption('#size', '1024');
  await page.focus('#rate');
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(12_000);
  await page.evaluate(() => { document.activeElement.blur(); scrollTo(0, 0); });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.close();
}
