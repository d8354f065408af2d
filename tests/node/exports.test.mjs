// package.json `exports`: one import, `kinesis-edge`, resolves to the Node
// entry in Node, to the browser entry in a bundler for pages, and to the
// workerd entry under Cloudflare's conditions. Each entry then works (the
// Node, browser and workerd suites exercise them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../../pkg', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));
const { buildSync } = require('esbuild');

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-exports-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(pkg, join(dir, 'node_modules', 'kinesis-edge'), 'dir');
  writeFileSync(join(dir, 'main.mjs'), "import { signRequest, presignUrl } from 'kinesis-edge';\nconsole.log(typeof signRequest, typeof presignUrl);\n");
  return dir;
}

test('Node resolves kinesis-edge to its ready-on-import entry', () => {
  const dir = project();
  try {
    const run = spawnSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'function function');
    const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('kinesis-edge'))"], { cwd: dir, encoding: 'utf8' });
    assert.match(resolved.stdout, /\/node\.js$/m, resolved.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [what, options, entry] of [
  ['a bundler for pages', { platform: 'browser' }, 'browser.js'],
  ['Cloudflare Workers (wrangler conditions)', { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }, 'workerd.js'],
]) {
  test(`${what} resolves kinesis-edge to ${entry}`, () => {
    const dir = project();
    try {
      const result = buildSync({
        entryPoints: [join(dir, 'main.mjs')],
        bundle: true, format: 'esm', write: false, metafile: true, preserveSymlinks: true,
        absWorkingDir: dir, external: ['*.wasm'], logLevel: 'silent', ...options,
      });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(inputs.some((i) => i.endsWith(`kinesis-edge/${entry}`)), inputs.join(', '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const [what, options, entry] of [
  ['Node', { platform: 'node' }, 'engine-node.js'],
  ['a bundler for pages', { platform: 'browser' }, 'engine-browser.js'],
  ['Cloudflare Workers (wrangler conditions)', { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }, 'engine-workerd.js'],
]) {
  test(`${what} resolves kinesis-edge/engine to ${entry}, and the producer entry does not pull the engine in`, () => {
    const dir = project();
    try {
      writeFileSync(join(dir, 'engine.mjs'), "import { ShardEngine } from 'kinesis-edge/engine';\nconsole.log(typeof ShardEngine);\n");
      const build = (file) => buildSync({
        entryPoints: [join(dir, file)],
        bundle: true, format: 'esm', write: false, metafile: true, preserveSymlinks: true,
        absWorkingDir: dir, external: ['*.wasm', 'node:*'], logLevel: 'silent', ...options,
      });
      const engineInputs = Object.keys(build('engine.mjs').metafile.inputs);
      assert.ok(engineInputs.some((i) => i.endsWith(`kinesis-edge/${entry}`)), engineInputs.join(', '));
      const producerInputs = Object.keys(build('main.mjs').metafile.inputs);
      assert.ok(!producerInputs.some((i) => /engine/.test(i)), producerInputs.join(', '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the type declarations parse as TypeScript', async () => {
  const { readFileSync } = await import('node:fs');
  const { transformSync } = require('esbuild');
  for (const file of ['index.d.ts', 'engine.d.ts', 'producer/index.d.ts', 'gateway-client/index.d.ts', 'persistence.d.ts', 'clickstream.d.ts']) {
    assert.doesNotThrow(() => transformSync(readFileSync(join(pkg, file), 'utf8'), { loader: 'ts' }), file);
  }
});

// `kinesis-edge/producer`: the producer alone, its own lean .wasm; and
// `kinesis-edge/gateway-client`, the producer for a gateway only. Nothing
// of the main build (api.js, its .wasm) or the engine comes with either.
for (const [name, imported] of [['producer', 'Producer, FirehoseProducer'], ['gateway-client', 'Producer']]) for (const [what, options, runtime] of [
  ['Node', { platform: 'node' }, 'node.js'],
  ['a bundler for pages', { platform: 'browser' }, 'browser.js'],
  ['Cloudflare Workers (wrangler conditions)', { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }, 'workerd.js'],
]) {
  const entry = `${name}/${runtime}`;
  test(`${what} resolves kinesis-edge/${name} to ${entry}, with nothing else of the package`, () => {
    const dir = project();
    try {
      writeFileSync(join(dir, 'producer.mjs'), `import { ${imported} } from 'kinesis-edge/${name}';\nconsole.log(${imported.split(', ').map((n) => `typeof ${n}`).join(', ')});\n`);
      const result = buildSync({
        entryPoints: [join(dir, 'producer.mjs')],
        bundle: true, format: 'esm', write: false, metafile: true, preserveSymlinks: true,
        absWorkingDir: dir, external: ['*.wasm', 'node:*'], logLevel: 'silent', ...options,
      });
      const inputs = Object.keys(result.metafile.inputs).filter((i) => i.includes('kinesis-edge/'));
      assert.ok(inputs.some((i) => i.endsWith(`kinesis-edge/${entry}`)), inputs.join(', '));
      assert.deepEqual(inputs.filter((i) => !i.includes(`kinesis-edge/${name}/`)), [], `only files of ${name}/`);
      if (options.platform === 'node') {
        const run = spawnSync(process.execPath, [join(dir, 'producer.mjs')], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout.trim(), imported.split(', ').map(() => 'function').join(' '));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('kinesis-edge/persistence and kinesis-edge/clickstream resolve, each alone', () => {
  const dir = project();
  try {
    for (const [entry, names] of [['persistence', 'indexedDbStore'], ['clickstream', 'clickstream, sessionId']]) {
      writeFileSync(join(dir, `${entry}.mjs`), `import { ${names} } from 'kinesis-edge/${entry}';\nconsole.log(${names.split(', ').map((n) => `typeof ${n}`).join(', ')});\n`);
      const result = buildSync({
        entryPoints: [join(dir, `${entry}.mjs`)], bundle: true, format: 'esm', write: false, metafile: true, preserveSymlinks: true,
        absWorkingDir: dir, logLevel: 'silent', platform: 'browser',
      });
      const inputs = Object.keys(result.metafile.inputs).filter((i) => i.includes('kinesis-edge/'));
      assert.deepEqual(inputs.map((i) => i.replace(/^.*kinesis-edge\//, '')), [`${entry}.js`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
