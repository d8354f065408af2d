// The built package inside a real workerd (Cloudflare Workers' runtime):
// a Worker module imports `kinesis-edge` (its `workerd` entry: the web
// target, initSync with a wasm module import), runs the v4 vectors and the
// error checks, and signs requests that must match what Node signs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as api from '../../pkg/node.js';
import { loadV4Vectors } from '../js/vectors.mjs';
import { kinesisRequests, routingSample } from '../js/vector-check.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { buildSync } = createRequire(new URL('../package.json', import.meta.url))('esbuild');
const WORKERD = here('../node_modules/.bin/workerd');

/** A module line of a workerd config (the kind follows the file's extension). */
function moduleLine(name, file = name) {
  const kind = file.endsWith('.wasm') ? 'wasm' : file.endsWith('.json') ? 'json' : 'esModule';
  return `    (name = "${name}", ${kind} = embed "${file}"),`;
}

/**
 * Copies the built package into `dir` as a Worker bundle — its `workerd`
 * entry as the module `kinesis-edge`, and the files it imports — and
 * returns their module lines.
 */
function stagePackage(dir) {
  const files = ['api.js', 'public.js', 'producer.js', 'kinesis_edge.js', 'kinesis_edge_bg.wasm'];
  copyFileSync(here('../../pkg/workerd.js'), join(dir, 'kinesis-edge.js'));
  for (const f of files) copyFileSync(here(`../../pkg/${f}`), join(dir, f));
  return [moduleLine('kinesis-edge', 'kinesis-edge.js'), ...files.map((f) => moduleLine(f))].join('\n');
}

test('signs, routes and aggregates in workerd exactly as in Node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-workerd-'));
  try {
    const packageModules = stagePackage(dir);
    copyFileSync(here('../js/vector-check.mjs'), join(dir, 'vector-check.mjs'));
    copyFileSync(here('worker-module.mjs'), join(dir, 'worker-module.mjs'));
    copyFileSync(here('backend.mjs'), join(dir, 'backend.mjs'));
    writeFileSync(join(dir, 'vectors.json'), JSON.stringify(loadV4Vectors()));
    writeFileSync(join(dir, 'routing.json'), JSON.stringify(routingSample(api)));
    writeFileSync(join(dir, 'expected.json'), JSON.stringify(kinesisRequests().map((r) => api.signRequest(r).authorization)));
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .main), (name = "backend", worker = .backend) ],
);
const main :Workerd.Worker = (
  modules = [
    (name = "worker-module.mjs", esModule = embed "worker-module.mjs"),
${packageModules}
    (name = "vector-check.mjs", esModule = embed "vector-check.mjs"),
    (name = "vectors.json", json = embed "vectors.json"),
    (name = "expected.json", json = embed "expected.json"),
    (name = "routing.json", json = embed "routing.json"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "backend",
);
const backend :Workerd.Worker = (
  modules = [ (name = "backend.mjs", esModule = embed "backend.mjs") ],
  compatibilityDate = "2025-01-01",
);
`,
    );
    const run = spawnSync(WORKERD, ['test', join(dir, 'config.capnp')], { encoding: 'utf8', timeout: 120_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /76 vector forms and 24 Kinesis\/Firehose signatures match/);
    assert.match(output, /\[ PASS \] main/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shard engine, the Producer, and the AWS SDK answered by the engine, run in workerd through their workerd entries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-workerd-engine-'));
  try {
    mkdirSync(join(dir, 'engine'));
    const packageModules = stagePackage(dir);
    copyFileSync(here('../../pkg/engine-workerd.js'), join(dir, 'kinesis-edge-engine.js'));
    for (const f of ['engine.js', 'engine/kinesis_edge_engine.js', 'engine/kinesis_edge_engine_bg.wasm']) copyFileSync(here(`../../pkg/${f}`), join(dir, f));
    copyFileSync(here('engine-worker.mjs'), join(dir, 'engine-worker.mjs'));
    copyFileSync(here('../js/producer-check.mjs'), join(dir, 'producer-check.mjs'));
    // The AWS SDK's Kinesis client as a Worker bundles it (its browser build).
    buildSync({
      stdin: { contents: "export { KinesisClient, CreateStreamCommand, PutRecordsCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';", resolveDir: here('..') },
      bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'client-kinesis.mjs'),
    });
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = ( services = [ (name = "main", worker = .main) ] );
const main :Workerd.Worker = (
  modules = [
    (name = "engine-worker.mjs", esModule = embed "engine-worker.mjs"),
    (name = "producer-check.mjs", esModule = embed "producer-check.mjs"),
    (name = "client-kinesis.mjs", esModule = embed "client-kinesis.mjs"),
${packageModules}
    (name = "kinesis-edge-engine", esModule = embed "kinesis-edge-engine.js"),
    (name = "engine.js", esModule = embed "engine.js"),
    (name = "engine/kinesis_edge_engine.js", esModule = embed "engine/kinesis_edge_engine.js"),
    (name = "engine/kinesis_edge_engine_bg.wasm", wasm = embed "engine/kinesis_edge_engine_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
`,
    );
    const run = spawnSync(WORKERD, ['test', join(dir, 'config.capnp')], { encoding: 'utf8', timeout: 120_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /workerd producer: 2000 records acknowledged, 0 missing, large bodies hashed by WebCrypto: true/);
    assert.match(output, /workerd engine: \d+ records read back, \d+ throttled, split, Firehose and signature checks pass/);
    assert.match(output, /workerd AWS SDK through engine\.requestHandler: 500 records put, 500 read back equal, a wrong secret refused \(InvalidSignatureException\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
