#!/usr/bin/env node
// kinesis-edge command line.
//   kinesis-edge serve [--host 127.0.0.1] [--port 4567] [--shards-per-stream N] [--no-throttling]
// serves the shard engine over HTTP/1.1 (JSON 1.1, CORS) so that a page,
// @aws-sdk/client-kinesis, boto3 or the AWS CLI can use it as an endpoint.
import { createServer } from 'node:http';
import { ShardEngine } from './engine-node.js';

const USAGE = `usage: kinesis-edge serve [--host 127.0.0.1] [--port 4567] [--shards-per-stream N] [--no-throttling]`;
const MAX_BODY = 16 * 1024 * 1024;

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'serve') throw new Error(USAGE);
  const options = { host: '127.0.0.1', port: 4567, shardsPerStream: undefined, throttling: true };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) throw new Error(`${arg} needs a value\n${USAGE}`);
      return rest[++i];
    };
    if (arg === '--host') options.host = value();
    else if (arg === '--port') options.port = Number(value());
    else if (arg === '--shards-per-stream') options.shardsPerStream = Number(value());
    else if (arg === '--no-throttling') options.throttling = false;
    else if (arg === '--verify-signatures' || arg === '--fault-rate' || arg === '--seed') {
      throw new Error(`${arg} is not supported yet by this version of the engine`);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port must be 0..65535');
  if (options.shardsPerStream !== undefined && (!Number.isInteger(options.shardsPerStream) || options.shardsPerStream < 1)) {
    throw new Error('--shards-per-stream must be a whole number of at least 1');
  }
  return options;
}

function cors(req) {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-expose-headers': 'x-amzn-RequestId, x-amz-id-2, x-amzn-ErrorType, Date',
    'access-control-max-age': '172800',
    vary: 'Origin',
  };
}

function serve(options) {
  const engine = new ShardEngine({ throttling: options.throttling });
  let requests = 0;
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors(req)).end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.writeHead(413, { 'content-type': 'application/x-amz-json-1.1', ...cors(req) });
        res.end('{"__type":"SerializationException","message":"Request body too large"}');
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      let body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      // --shards-per-stream fills in CreateStream's ShardCount when absent.
      if (options.shardsPerStream && target.endsWith('.CreateStream')) {
        try {
          const input = JSON.parse(body.toString('utf8') || '{}');
          if (input && typeof input === 'object' && input.ShardCount === undefined) {
            body = Buffer.from(JSON.stringify({ ...input, ShardCount: options.shardsPerStream }));
          }
        } catch {
          // Left as is: the engine answers SerializationException.
        }
      }
      const out = engine.handle(target, new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
      const headers = {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `kinesis-edge-${++requests}`,
        date: new Date().toUTCString(),
        ...cors(req),
      };
      if (out.status !== 200) {
        try {
          headers['x-amzn-errortype'] = JSON.parse(Buffer.from(out.body).toString('utf8')).__type;
        } catch {
          // Not JSON: no error type header.
        }
      }
      res.writeHead(out.status, headers);
      res.end(Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength));
    });
    req.on('error', () => res.destroy());
  });
  server.on('clientError', (err, socket) => socket.destroy());
  server.listen(options.port, options.host, () => {
    const { address, port } = server.address();
    console.log(`kinesis-edge engine listening on http://${address}:${port}/ (pid ${process.pid})`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  serve(parseArgs(process.argv.slice(2)));
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
