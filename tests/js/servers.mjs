// Servers for tests and benchmarks: kinesis-edge's engine (`node pkg/cli.mjs
// serve`), kinesalite, and the Cloudflare Workers gateway
// (examples/cloudflare-worker) in workerd, each a child process on 127.0.0.1
// with a free port, stopped by its PID; a proxy in this process that can
// cut the network or slow it. And a signed raw `post` for wire-level
// checks.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../../pkg/node.js';

const CLI = fileURLToPath(new URL('../../pkg/cli.mjs', import.meta.url));
const KINESALITE = fileURLToPath(new URL('./kinesalite.cjs', import.meta.url));

export const CREDENTIALS = { accessKeyId: 'AKIDCONFORMANCE', secretAccessKey: 'conformance-secret' };

function launch(args, pattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const collect = (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve({ child, url: m[1], stop: () => stop(child) });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** Resolves once the child has exited (SIGTERM by PID). */
export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve({ code: child.exitCode, signal: null });
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => resolve({ code, signal }));
    process.kill(child.pid, 'SIGTERM');
  });
}

/** `node pkg/cli.mjs serve` with extra arguments. */
export function startEngine(args = []) {
  return launch([CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)\//);
}

/** kinesalite 3 from npm, in memory; streams CREATING, UPDATING and DELETING for `delayMs` (none by default). */
export function startKinesalite({ delayMs = 0 } = {}) {
  return launch([KINESALITE, '0', String(delayMs)], /listening on (http:\/\/127\.0\.0\.1:\d+)\//);
}

/**
 * POSTs a JSON 1.1 request signed with `credentials` (kinesalite requires an
 * Authorization header; the engine verifies it when started so).
 * Resolves to `{ status, json, type, message }`.
 */
export async function post(url, target, body, { credentials = CREDENTIALS, sign = true, headers: extra = {} } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, ...extra };
  const all = { ...headers };
  if (sign) {
    const signed = signRequest({ method: 'POST', url: `${url}/`, headers, body: text, region: 'us-east-1', service: 'kinesis', credentials });
    for (const [name, value] of signed.headers) all[name] = value;
  }
  const res = await fetch(`${url}/`, { method: 'POST', headers: all, body: text });
  const raw = await res.text();
  let json = null;
  try {
    json = raw ? JSON.parse(raw) : {};
  } catch {
    json = { raw };
  }
  const type = json?.__type ? String(json.__type).replace(/^.*#/, '') : undefined;
  return { status: res.status, json, type, message: json?.message, headers: res.headers };
}

/**
 * Every user record (deaggregated) of stream `name` on the server at
 * `url`, as text: one page per shard from TRIM_HORIZON, in shard order.
 */
export async function readUserRecords(url, name) {
  const { deaggregate } = await import('../../pkg/node.js');
  const out = [];
  const { json } = await post(url, 'Kinesis_20131202.ListShards', { StreamName: name });
  for (const shard of json.Shards) {
    const it = (await post(url, 'Kinesis_20131202.GetShardIterator', { StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })).json.ShardIterator;
    const page = (await post(url, 'Kinesis_20131202.GetRecords', { ShardIterator: it, Limit: 10000 })).json;
    for (const r of page.Records) {
      for (const u of deaggregate({ partitionKey: r.PartitionKey, data: new Uint8Array(Buffer.from(r.Data, 'base64')) })) out.push(new TextDecoder().decode(u.data));
    }
  }
  return out;
}

/** A free TCP port on 127.0.0.1 (for servers that cannot pick their own, e.g. workerd). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A gateway's bindings to forward to `stream` on the engine at `engineUrl` (verifying CREDENTIALS), and `more`. */
export function gatewayTo(engineUrl, stream, more) {
  return {
    STREAM_NAME: stream,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    KINESIS_ENDPOINT: `${engineUrl}/`,
    ...more,
  };
}

/**
 * The gateway Worker (examples/cloudflare-worker/src/worker.js as it is,
 * with kinesis-edge/producer as the package ships it) in `workerd serve`,
 * one socket per entry of `gateways` (each the Worker's bindings, e.g.
 * `{ STREAM_NAME, KINESIS_ENDPOINT, ALLOWED_ORIGINS }`), its outbound
 * traffic allowed to loopback only. Resolves to `{ urls, stop, log() }`.
 */
export async function startGateway(gateways) {
  const here = (p) => fileURLToPath(new URL(p, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-gateway-'));
  mkdirSync(join(dir, 'kinesis-edge'));
  copyFileSync(here('../../examples/cloudflare-worker/src/worker.js'), join(dir, 'worker.js'));
  copyFileSync(here('../../pkg/producer/workerd.js'), join(dir, 'kinesis-edge/producer.entry.js'));
  copyFileSync(here('../../pkg/producer/kinesis_edge_bg.wasm'), join(dir, 'kinesis-edge/kinesis_edge_bg.wasm'));
  const ports = [];
  for (const _ of gateways) ports.push(await freePort());
  // Every gateway runs the same files.
  const modules = `  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "kinesis-edge/producer", esModule = embed "kinesis-edge/producer.entry.js"),
    (name = "kinesis-edge/kinesis_edge_bg.wasm", wasm = embed "kinesis-edge/kinesis_edge_bg.wasm"),
  ],`;
  const workers = gateways.map(
    (bindings, i) => `const gateway${i} :Workerd.Worker = (
${modules}
  bindings = [
${Object.entries(bindings).map(([name, value]) => `    (name = ${JSON.stringify(name)}, text = ${JSON.stringify(String(value))}),`).join('\n')}
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`,
  );
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ ${gateways.map((_, i) => `(name = "gateway${i}", worker = .gateway${i}), `).join('')}(name = "loopback", network = (allow = ["local"])) ],
  sockets = [
${ports.map((port, i) => `    (name = "http${i}", address = "127.0.0.1:${port}", http = (), service = "gateway${i}"),`).join('\n')}
  ],
);
${workers.join('')}`,
  );
  const child = spawn(here('../node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const done = async () => {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  for (let i = 0; ; i++) {
    try {
      await Promise.all(urls.map((u) => fetch(`${u}/`)));
      break;
    } catch {
      if (i > 200 || child.exitCode !== null) {
        await done();
        throw new Error(`workerd did not start: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { urls, stop: done, log: () => log };
}

/**
 * An HTTP proxy on 127.0.0.1 to `target` (an origin) that a page reaches
 * servers through, in this process. While `proxy.blocked` is true it drops
 * every connection, as when the network is gone (a Playwright route would
 * miss the keepalive requests a page sends as it unloads), counting them
 * in `proxy.dropped`; `delayMs(req)` holds a request that long before it
 * goes on. `proxy.methods` lists the requests' methods, in order.
 * Resolves to the proxy, with its `url` (`http://127.0.0.1:port`) and
 * `close()`.
 */
export async function startProxy(target, { delayMs = () => 0 } = {}) {
  const to = new URL(target);
  const proxy = { blocked: false, dropped: 0, methods: [] };
  const server = createHttpServer((req, res) => {
    if (proxy.blocked) {
      proxy.dropped++;
      req.socket.destroy();
      return;
    }
    proxy.methods.push(req.method);
    const forward = () => {
      const out = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    const delay = delayMs(req);
    if (delay > 0) setTimeout(forward, delay);
    else forward();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  proxy.close = () => new Promise((r) => {
    server.close(r);
    server.closeAllConnections();
  });
  return proxy;
}
