// A static server for the tutorial: www/ at /, the built package at /pkg/.
// Listens on 127.0.0.1 only. Usage: node tools/serve.mjs [--port N]
// (port 0 picks a free one). Prints the URL it serves. Text and wasm are
// sent compressed (brotli or gzip, as the browser accepts), as a static
// host or CDN would.
import { createServer } from 'node:http';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const mounts = [
  ['/pkg/', join(root, 'pkg')],
  ['/', join(root, 'www')],
];
const compressed = new Map(); // `${encoding} ${file}` → [mtime, bytes]
function compress(file, mtime, body, encoding) {
  const key = `${encoding} ${file}`;
  const hit = compressed.get(key);
  if (hit && hit[0] === mtime) return hit[1];
  const out = encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: 9 });
  compressed.set(key, [mtime, out]);
  return out;
}
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.ts']);

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Starts the server on 127.0.0.1. `extra` adds [urlPrefix, directory] mounts
 * (tests serve their fixtures this way); `routes` maps exact paths to
 * [contentType, body, headers?] for generated content.
 */
export function startServer(port = 0, { extra = [], routes = {} } = {}) {
  const all = [...extra, ...mounts];
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (routes[path]) {
        const [type, body, headers = {}] = routes[path];
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
        res.end(body);
        return;
      }
      const [prefix, dir] = all.find(([p]) => path.startsWith(p));
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir)) throw Object.assign(new Error('outside root'), { status: 403 });
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      let body = await readFile(file);
      const headers = {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        vary: 'accept-encoding',
      };
      const accepts = String(req.headers['accept-encoding'] ?? '');
      const encoding = /\bbr\b/.test(accepts) ? 'br' : /\bgzip\b/.test(accepts) ? 'gzip' : null;
      if (encoding && COMPRESSIBLE.has(extname(file)) && body.length > 1024) {
        body = compress(file, info.mtimeMs, body, encoding);
        headers['content-encoding'] = encoding;
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch (err) {
      res.writeHead(err.status ?? 404, { 'content-type': 'text/plain' });
      res.end(err.status === 403 ? 'forbidden' : 'not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
  const server = await startServer(port);
  console.log(`kinesis-edge tutorial: http://127.0.0.1:${server.address().port}/  (Ctrl-C to stop)`);
}
