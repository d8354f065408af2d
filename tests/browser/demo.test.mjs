// The page `make demo` serves: it signs in the browser, shows every stage,
// and its signature equals the one Node computes for the same input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../../pkg/node.js';
import { launch, serve } from './browser.mjs';

let browser, server, origin;
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

before(async () => {
  ({ server, origin } = await serve());
  browser = await launch();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the demo page signs in the browser, live', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(origin + '/sign.html');
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('input[name=signingDate]', '2026-11-26T12:00:00Z');
  const form = await page.evaluate(() => Object.fromEntries(new FormData(document.getElementById('request'))));
  const expected = signRequest({
    method: form.method,
    url: form.url,
    headers: form.headers.split('\n').map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    body: form.body,
    region: form.region,
    service: form.service,
    credentials: { accessKeyId: form.accessKeyId, secretAccessKey: form.secretAccessKey },
    signingDate: form.signingDate,
  });
  assert.equal(await page.textContent('#signature'), expected.signature);
  assert.equal(await page.textContent('#canonicalRequest'), expected.canonicalRequest);
  assert.equal(await page.textContent('#stringToSign'), expected.stringToSign);
  await page.screenshot({ path: artifacts + 'demo-headers.png', fullPage: true });

  // Editing the body changes the signature; a presigned URL can be made.
  await page.fill('textarea[name=body]', '{"changed":true}');
  assert.notEqual(await page.textContent('#signature'), expected.signature);
  await page.check('input[value=query]');
  assert.match(await page.textContent('#result'), /^https:\/\/kinesis\.us-east-1\.amazonaws\.com\/\?X-Amz-Algorithm=AWS4-HMAC-SHA256&/);

  // Bad input shows the error code instead of throwing.
  await page.fill('input[name=url]', '/relative');
  assert.match(await page.textContent('#error'), /^InvalidUrl: /);
  await page.screenshot({ path: artifacts + 'demo-error.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
