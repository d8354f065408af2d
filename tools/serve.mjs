// A static server for the tutorial: www/ at /, the built package at /pkg/.
// Listens on 127.0.0.1 only. Usage: node tools/serve.mjs [--port N]
// (port 0 picks a free one). Prints the URL it serves.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const mounts = [
  ['/pkg/', join(root, 'pkg')],
  ['/', join(root, 'www')],
];
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
 * [contentType, body] for generated content.
 */
export function startServer(port = 0, { extra = [], routes = {} } = {}) {
  const all = [...extra, ...mounts];
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (routes[path]) {
        const [type, body] = routes[path];
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
        return;
      }
      const [prefix, dir] = all.find(([p]) => path.startsWith(p));
      let file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir)) throw Object.assign(new Error('outside root'), { status: 403 });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
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
