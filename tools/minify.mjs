// Minifies the JS files given (in place) with esbuild: the producer entry
// ships minified, as a page's bundler would ship it, since its size is its
// point. The readable sources are in js/.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { transformSync } = require('esbuild');

for (const file of process.argv.slice(2)) {
  const { code } = transformSync(readFileSync(file, 'utf8'), { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' });
  writeFileSync(file, code);
}
