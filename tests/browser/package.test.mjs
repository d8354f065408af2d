// The package as users get it: `npm pack`, installed from the tarball into
// a fresh project, then the README's quick starts (examples/quickstart/,
// which the README quotes verbatim) run against the engine's HTTP server
// from the installed package: (1) Node ESM, (2) a page and its Web Worker
// bundled with esbuild, in headless Chromium, (3) a Worker in workerd; and
// every file its manifest names, or its modules import, is in it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { startServer } from '../../tools/serve.mjs';
import { stop, freePort } from '../js/servers.mjs';
import { GATEWAY_EXPECTED } from '../js/gateway-check.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(here('../package.json'));
const { buildSync } = require('esbuild');
const WORKERD = here('../node_modules/.bin/workerd');
const QUICKSTART = here('../../examples/quickstart/');

let dir, app, installed, engine, endpoint;

function start(cmd, args, pattern, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.log = '';
  return new Promise((resolve, reject) => {
    const collect = (d) => {
      child.log += d;
      const m = pattern && pattern.exec(child.log);
      if (m) resolve([child, m[1]]);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${child.log}`)));
    if (!pattern) resolve([child]);
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-package-'));
  const packed = spawnSync('npm', ['pack', here('../../pkg'), '--pack-destination', dir, '--json'], { encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(dir, JSON.parse(packed.stdout)[0].filename);
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const install = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  installed = join(app, 'node_modules', 'kinesis-edge');
  // The engine, from the installed package, as the quick starts say.
  [engine, endpoint] = await start(process.execPath, [join(installed, 'cli.mjs'), 'serve', '--port', '0', '--create-stream', 'clicks:2'], /listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
});

after(async () => {
  if (engine) await stop(engine);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the README quotes every quick start verbatim', () => {
  const readme = readFileSync(here('../../README.md'), 'utf8');
  for (const file of ['node.mjs', 'page.html', 'page.js', 'worker.js', 'cloudflare.js']) {
    assert.ok(readme.includes(readFileSync(join(QUICKSTART, file), 'utf8')), `README.md does not quote examples/quickstart/${file} as it is`);
  }
});

test("every file the installed package's manifest names is in it, and its modules and declarations import only files it holds", () => {
  // (A file left out of `files` works from pkg/ and fails once installed.)
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  const named = [];
  const walk = (v) => (typeof v === 'string' ? named.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const field of ['main', 'browser', 'types']) named.push(manifest[field]);
  assert.deepEqual(named.filter((f) => !existsSync(join(installed, f))), [], 'named in package.json, not installed');
  const files = readdirSync(installed, { recursive: true }).filter((f) => /\.(m?js|d\.ts)$/.test(f));
  const missing = [];
  const checked = [];
  for (const file of files) {
    const text = readFileSync(join(installed, file), 'utf8');
    // Static imports and re-exports (minified or not), dynamic imports, and
    // files found with new URL(…, import.meta.url).
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      // A declaration's './x.js' is './x.d.ts'.
      const target = join(dirname(join(installed, file)), file.endsWith('.d.ts') ? m[1].replace(/\.js$/, '.d.ts') : m[1]);
      checked.push(`${file} → ${relative(installed, target)}`);
      if (!existsSync(target)) missing.push(checked.at(-1));
    }
  }
  assert.deepEqual(missing, []);
  // The kinds of import it reads, each seen at least once.
  for (const seen of ['deferred.js → init.js', 'browser.js → kinesis_edge_bg.wasm', 'producer/index.d.ts → index.d.ts', 'engine-browser.js → engine/kinesis_edge_engine.js']) {
    assert.ok(checked.includes(seen), `${seen} not among the ${checked.length} imports checked`);
  }
});

test('Node ESM: the installed package, the Node quick start', () => {
  copyFileSync(join(QUICKSTART, 'node.mjs'), join(app, 'node.mjs'));
  const run = spawnSync(process.execPath, ['node.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, KINESIS_ENDPOINT: endpoint }, timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^100 records stored, the first in shardId-00000000000[01] as \d+\n$/);
});

test("Node ESM: the installed package's kinesis-edge/gateway-client sends through a gateway", () => {
  copyFileSync(here('../js/gateway-check.mjs'), join(app, 'gateway-check.mjs'));
  writeFileSync(join(app, 'gateway.mjs'), [
    "import { Producer } from 'kinesis-edge/gateway-client';",
    "import { gatewayScenario } from './gateway-check.mjs';",
    'console.log(JSON.stringify(await gatewayScenario(Producer)));',
  ].join('\n'));
  const run = spawnSync(process.execPath, ['gateway.mjs'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), GATEWAY_EXPECTED);
});

test('a page and its Web Worker, bundled with esbuild from the installed package, in headless Chromium', async () => {
  const src = join(app, 'src');
  const dist = join(app, 'dist');
  mkdirSync(src);
  for (const f of ['page.html', 'page.js', 'worker.js']) copyFileSync(join(QUICKSTART, f), join(src, f));
  buildSync({ entryPoints: [join(src, 'page.js'), join(src, 'worker.js')], bundle: true, format: 'esm', outdir: dist, absWorkingDir: app, platform: 'browser', logLevel: 'silent' });
  // esbuild leaves `new URL('./kinesis_edge_bg.wasm', import.meta.url)` as
  // it is: the .wasm goes beside the bundle (Vite does this by itself).
  copyFileSync(join(installed, 'producer', 'kinesis_edge_bg.wasm'), join(dist, 'kinesis_edge_bg.wasm'));
  copyFileSync(join(src, 'page.html'), join(dist, 'page.html'));
  const server = await startServer(0, { extra: [['/app/', dist]], routes: { '/favicon.ico': ['image/x-icon', ''] } });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    // A slow network: the .wasm comes 2 s late. The click, made at once,
    // waits for it and is not lost (page.js imports the producer with
    // import(), so its listener is there before the .wasm).
    await page.route('**/kinesis_edge_bg.wasm', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.continue();
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/app/page.html?endpoint=${encodeURIComponent(endpoint)}`);
    await page.click('#buy');
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('stored in') && document.querySelector('#status').dataset.worker, null, { timeout: 30_000 })
      .catch(async (e) => { throw new Error(`${e.message}; status ${await page.textContent('#status')}; errors ${errors.join(' | ')}`); });
    const status = await page.textContent('#status');
    assert.match(status, /^stored in shardId-00000000000[01] as \d+$/);
    assert.match(await page.getAttribute('#status', 'data-worker'), /^shardId-00000000000[01]$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test('a Cloudflare Worker in workerd, from the installed package', async () => {
  const w = join(dir, 'workerd');
  mkdirSync(join(w, 'kinesis-edge'), { recursive: true });
  copyFileSync(join(QUICKSTART, 'cloudflare.js'), join(w, 'cloudflare.js'));
  copyFileSync(join(installed, 'producer', 'workerd.js'), join(w, 'kinesis-edge', 'producer.entry.js'));
  copyFileSync(join(installed, 'producer', 'kinesis_edge_bg.wasm'), join(w, 'kinesis-edge', 'kinesis_edge_bg.wasm'));
  const port = await freePort();
  writeFileSync(
    join(w, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .main), (name = "loopback", network = (allow = ["local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const main :Workerd.Worker = (
  modules = [
    (name = "cloudflare.js", esModule = embed "cloudflare.js"),
    (name = "kinesis-edge/producer", esModule = embed "kinesis-edge/producer.entry.js"),
    (name = "kinesis-edge/kinesis_edge_bg.wasm", wasm = embed "kinesis-edge/kinesis_edge_bg.wasm"),
  ],
  bindings = [
    (name = "AWS_REGION", text = "us-east-1"),
    (name = "AWS_ACCESS_KEY_ID", text = "local"),
    (name = "AWS_SECRET_ACCESS_KEY", text = "local"),
    (name = "KINESIS_ENDPOINT", text = "${endpoint}"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`,
  );
  const [workerd] = await start(WORKERD, ['serve', join(w, 'config.capnp')]);
  try {
    let res;
    for (let i = 0; ; i++) {
      try {
        res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"type":"edge"}' });
        break;
      } catch (e) {
        if (i > 200 || workerd.exitCode !== null) throw new Error(`workerd did not start: ${workerd.log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.equal(res.status, 200, workerd.log);
    const result = await res.json();
    assert.match(result.shardId, /^shardId-00000000000[01]$/);
    assert.match(result.sequenceNumber, /^\d+$/);
  } finally {
    await stop(workerd);
  }
});
