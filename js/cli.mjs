#!/usr/bin/env node
// kinesis-edge command line.
//   kinesis-edge serve [--host 127.0.0.1] [--port 4567] [--shards-per-stream N] [--no-throttling]
//                      [--verify-signatures KEY:SECRET] [--fault-rate R] [--seed S] …
// serves the shard engine over HTTP/1.1 and HTTP/2 (cleartext, on the same
// port; JSON 1.1 and CBOR, CORS) so that a page, @aws-sdk/client-kinesis
// (HTTP/2 by default in Node), boto3 or the AWS CLI can use it as an endpoint.
import { createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createTcpServer } from 'node:net';
import { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ShardEngine } from './engine-node.js';

const USAGE = `usage: kinesis-edge serve [options]
  --host H                  address to listen on (default 127.0.0.1)
  --port P                  port (default 4567; 0 picks a free one)
  --shards-per-stream N     ShardCount of CreateStream requests that give none
  --create-stream S[:N]     create stream S (N shards, default 1) at start; repeatable
  --no-throttling           do not enforce the per-shard limits
  --control-plane-limits    enforce AWS's control-plane call rates (DescribeStream
                            10/s per account, ListShards 1,000/s per stream, ...)
  --verify-signatures K:S   reject requests not signed (SigV4) with access key K and secret S
  --fault-rate R            share (0..1) of PutRecords records failed with InternalFailure
  --throttle-fault-rate R   share (0..1) of records failed as throttled instead
  --error-rate R            share (0..1) of data-plane requests failed with HTTP 500
  --latency-ms MS           delay every data-plane answer
  --seed S                  seed of the fault injection (same seed, same faults)
  --create-delay-ms MS      how long new streams stay CREATING (default 0)
  --update-delay-ms MS      how long a stream stays UPDATING after a reshard or
                            encryption change, which takes effect then (default 0)
  --delete-delay-ms MS      how long a deleted stream stays DELETING (default 0)
  --max-record-bytes N      record limit of new streams, 1048576 (default) to 10485760
  --region R, --account-id A  used in ARNs, messages and signature scopes`;
const MAX_BODY = 16 * 1024 * 1024;
// The answer to a larger body, in the request's format (AWS's CBOR for
// the AWS SDK for Java).
const TOO_LARGE_JSON = '{"__type":"SerializationException","message":"Request body too large"}';
const cborText = (s) => [0x60 + s.length, ...Buffer.from(s)]; // (shorter than 24 bytes)
const TOO_LARGE_CBOR = Buffer.from([0xa2, ...cborText('__type'), ...cborText('SerializationException'), ...cborText('message'), ...cborText('Request body too large')]);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'serve') throw new Error(USAGE);
  const options = { host: '127.0.0.1', port: 4567, shardsPerStream: undefined, throttling: true, faults: {}, streams: [] };
  const number = (arg, text, check, what) => {
    const v = Number(text);
    if (text === '' || !check(v)) throw new Error(`${arg} must be ${what}`);
    return v;
  };
  const share = (arg, text) => number(arg, text, (v) => v >= 0 && v <= 1, 'a number from 0 to 1');
  const whole = (arg, text, min = 0) => number(arg, text, (v) => Number.isSafeInteger(v) && v >= min, `a whole number of at least ${min}`);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) throw new Error(`${arg} needs a value\n${USAGE}`);
      return rest[++i];
    };
    if (arg === '--host') options.host = value();
    else if (arg === '--port') options.port = number(arg, value(), (v) => Number.isInteger(v) && v >= 0 && v <= 65535, '0..65535');
    else if (arg === '--shards-per-stream') options.shardsPerStream = whole(arg, value(), 1);
    else if (arg === '--no-throttling') options.throttling = false;
    else if (arg === '--control-plane-limits') options.controlPlaneLimits = true;
    else if (arg === '--create-stream') {
      const [name, shards = '1', ...more] = value().split(':');
      if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(name) || more.length > 0) throw new Error('--create-stream must be NAME or NAME:SHARDS (a stream name: 1 to 128 of a-z, A-Z, 0-9, _ . -)');
      options.streams.push({ streamName: name, shardCount: whole('--create-stream', shards, 1) });
    }
    else if (arg === '--verify-signatures') {
      const text = value();
      const colon = text.indexOf(':');
      if (colon < 1 || colon === text.length - 1) throw new Error('--verify-signatures must be ACCESS_KEY_ID:SECRET_ACCESS_KEY');
      options.verifySignatures = { accessKeyId: text.slice(0, colon), secretAccessKey: text.slice(colon + 1) };
    } else if (arg === '--fault-rate') options.faults.recordFailureRate = share(arg, value());
    else if (arg === '--throttle-fault-rate') {
      options.faults.recordFailureRate = share(arg, value());
      options.faults.recordFault = 'Throttling';
    } else if (arg === '--error-rate') options.faults.requestFailureRate = share(arg, value());
    else if (arg === '--latency-ms') options.faults.latencyMs = whole(arg, value());
    else if (arg === '--seed') options.seed = whole(arg, value());
    else if (arg === '--create-delay-ms') options.createDelayMs = whole(arg, value());
    else if (arg === '--update-delay-ms') options.updateDelayMs = whole(arg, value());
    else if (arg === '--delete-delay-ms') options.deleteDelayMs = whole(arg, value());
    else if (arg === '--max-record-bytes') options.maxRecordBytes = number(arg, value(), (v) => Number.isInteger(v) && v >= 1048576 && v <= 10485760, 'a whole number from 1048576 to 10485760');
    else if (arg === '--region') options.region = value();
    else if (arg === '--account-id') options.accountId = value();
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

// CORS as AWS answers it (kinesalite's recording, its index.js): only for
// a request with an Origin, any origin allowed; a preflight gets the
// method and headers it asks for.
function cors(req) {
  if (!req.headers.origin) return {};
  if (req.method === 'OPTIONS') {
    const headers = { 'access-control-allow-origin': '*', 'access-control-max-age': '172800' };
    if (req.headers['access-control-request-headers']) headers['access-control-allow-headers'] = req.headers['access-control-request-headers'];
    if (req.headers['access-control-request-method']) headers['access-control-allow-methods'] = req.headers['access-control-request-method'];
    return headers;
  }
  return {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date',
  };
}

function serve(options) {
  const engine = new ShardEngine({
    throttling: options.throttling,
    controlPlaneLimits: options.controlPlaneLimits,
    verifySignatures: options.verifySignatures,
    seed: options.seed,
    createDelayMs: options.createDelayMs,
    updateDelayMs: options.updateDelayMs,
    deleteDelayMs: options.deleteDelayMs,
    maxRecordBytes: options.maxRecordBytes,
    defaultShardCount: options.shardsPerStream,
    region: options.region,
    accountId: options.accountId,
    faults: options.faults,
  });
  // Created before listening: ACTIVE at once, whatever --create-delay-ms.
  for (const stream of options.streams) {
    engine.createStream(stream);
  }
  let requests = 0;
  const send = (req, res, status, body, extra = {}) => {
    const headers = { 'x-amzn-requestid': `kinesis-edge-${++requests}`, 'x-amz-id-2': randomBytes(72).toString('base64'), date: new Date().toUTCString(), ...cors(req), ...extra };
    res.writeHead(status, headers);
    res.end(body);
  };
  // SubscribeToShard: its event stream, chunk by chunk as the engine has
  // events, until the subscription ends or the client goes away.
  const stream = async (req, res, body, extra) => {
    res.writeHead(200, { 'x-amzn-requestid': `kinesis-edge-${++requests}`, 'x-amz-id-2': randomBytes(72).toString('base64'), date: new Date().toUTCString(), ...cors(req), ...extra });
    const reader = body.getReader();
    res.on('close', () => reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || res.destroyed) break;
        // A client that reads slowly holds the subscription back.
        if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
    } catch {
      // The engine ended the stream with an error: the client sees the end.
    }
    res.end();
  };
  // One handler for both protocols (Node's HTTP/2 compatibility API has
  // HTTP/1's request and response).
  const handle = (req, res) => {
    if (req.method === 'OPTIONS' && req.headers.origin) {
      res.writeHead(200, { 'x-amzn-requestid': `kinesis-edge-${++requests}`, ...cors(req) }).end();
      return;
    }
    // Not AWS: read the simulation (stats of a stream, Firehose's bucket).
    if (req.method === 'GET' && req.url.startsWith('/_engine/')) {
      inspect(engine, req, res, send);
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        const cbor = /^application\/x-amz-cbor-1\.1\s*(;|$)/i.test(req.headers['content-type'] ?? '');
        send(req, res, 413, cbor ? TOO_LARGE_CBOR : TOO_LARGE_JSON, { 'content-type': cbor ? 'application/x-amz-cbor-1.1' : 'application/x-amz-json-1.1', 'x-amzn-errortype': 'SerializationException' });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const body = Buffer.concat(chunks);
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        // HTTP/2's pseudo-headers are not headers, but :authority is the
        // Host, and a signature may sign it under either name (the AWS
        // SDK for JavaScript signs ':authority' over HTTP/2).
        if (req.rawHeaders[i].startsWith(':') && req.rawHeaders[i] !== ':authority') continue;
        headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      }
      if (req.httpVersionMajor === 2 && req.headers.host === undefined && req.headers[':authority'] !== undefined) headers.push(['host', req.headers[':authority']]);
      const out = engine.handleHttp({ method: req.method, path: req.url, headers, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) });
      const extra = {};
      if (out.contentType) extra['content-type'] = out.contentType;
      if (out.errorType) extra['x-amzn-errortype'] = out.errorType;
      const answer = () => {
        if (res.destroyed) {
          if (out.body instanceof ReadableStream) out.body.cancel();
        } else if (out.body instanceof ReadableStream) stream(req, res, out.body, extra);
        else send(req, res, out.status, Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength), extra);
      };
      if (out.delayMs > 0) setTimeout(answer, out.delayMs);
      else answer();
    });
    req.on('error', () => res.destroy());
  };
  const http1 = createServer(handle);
  http1.on('clientError', (err, socket) => socket.destroy());
  const http2 = createHttp2Server(handle);
  const sessions = new Set();
  http2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => session.destroy());
  });
  // Each connection goes to the protocol its first bytes speak: HTTP/2
  // with prior knowledge starts with its preface, 'PRI * HTTP/2.0', which
  // no HTTP/1 request line does.
  const server = createTcpServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first) => {
      socket.pause();
      if (first.subarray(0, 4).toString('latin1') === 'PRI ') {
        http2.emit('connection', replay(socket, first));
      } else {
        socket.unshift(first);
        http1.emit('connection', socket);
        socket.resume();
      }
    });
  });
  server.listen(options.port, options.host, () => {
    const { address, port } = server.address();
    console.log(`kinesis-edge engine listening on http://${address}:${port}/ (pid ${process.pid})`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    http1.closeAllConnections();
    for (const session of sessions) session.destroy();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// A stream over `socket` that reads `first` (already read from it) again
// first: Node's HTTP/2 server reads a TCP socket's handle itself, past
// what was read of it in JS, but reads any other stream in JS.
function replay(socket, first) {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, done) {
      socket.write(chunk, encoding, done);
    },
    final(done) {
      socket.end(done);
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  stream.push(first);
  socket.on('data', (chunk) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  return stream;
}

// GET /_engine/streams/<name>/stats, /_engine/buckets, /_engine/buckets/<bucket>,
// /_engine/buckets/<bucket>/<key>.
function inspect(engine, req, res, send) {
  const json = { 'content-type': 'application/json' };
  try {
    const parts = new URL(req.url, 'http://x').pathname.split('/').slice(2).map(decodeURIComponent);
    if (parts[0] === 'streams' && parts.length === 3 && parts[2] === 'stats') {
      send(req, res, 200, JSON.stringify(engine.stats({ streamName: parts[1] })), json);
    } else if (parts[0] === 'buckets' && parts.length === 1) {
      send(req, res, 200, JSON.stringify(engine.listBuckets()), json);
    } else if (parts[0] === 'buckets' && parts.length === 2) {
      send(req, res, 200, JSON.stringify(engine.listObjects({ bucket: parts[1] })), json);
    } else if (parts[0] === 'buckets' && parts.length >= 3) {
      const data = engine.getObject({ bucket: parts[1], key: parts.slice(2).join('/') });
      if (data === undefined) send(req, res, 404, JSON.stringify({ code: 'NoSuchKey' }), json);
      else send(req, res, 200, Buffer.from(data), { 'content-type': 'application/octet-stream' });
    } else send(req, res, 404, JSON.stringify({ code: 'NotFound' }), json);
  } catch (err) {
    send(req, res, 400, JSON.stringify({ code: err.code ?? 'BadRequest', message: err.message }), json);
  }
}

try {
  serve(parseArgs(process.argv.slice(2)));
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
