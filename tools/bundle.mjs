// Bundles and minifies the producer entry's runtime entry points (in place)
// with esbuild: each becomes one self-contained module (wasm-bindgen's glue
// and producer.js inside; only the .wasm and `node:` modules stay imports),
// as a page's bundler would ship it, since the entry's size is its point. A
// page that loads it without a bundler fetches one module, not three in two
// round trips. The readable sources are in js/.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { buildSync } = require('esbuild');

const bundles = process.argv.slice(2).map((file) => {
  const { outputFiles } = buildSync({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    external: ['node:*', '*.wasm'],
    legalComments: 'none',
    write: false,
  });
  return [file, outputFiles[0].contents];
});
// Written once all are built: they read the same sources.
for (const [file, code] of bundles) writeFileSync(file, code);
