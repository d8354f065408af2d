// The package's declarations (.d.ts, written by hand) as a TypeScript user
// meets them, through package.json's `exports` and their `types`:
// - tests/node/types/check.ts, code using every entry as the README does,
//   compiles with `strict` and the declarations themselves checked (no
//   skipLibCheck), for pages (the DOM's types) and for Node (only
//   @types/node: no DOM names such as `RequestInfo`); tests/node/types/
//   worker.ts, a Cloudflare Worker, with @cloudflare/workers-types alone;
//   their `@ts-expect-error` lines are mistakes the declarations must refuse;
// - the README's JavaScript quick starts and the gateway Worker example
//   check against the declarations (`checkJs`) in the runtime they are for;
// - each entry declares what it exports at run time, no more and no less,
//   and each class's members are the instances' (so a method added to the
//   JS without its declaration, or a declaration left behind, fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = fileURLToPath(new URL('../../pkg', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));
const ts = require('typescript');

// Entries: the specifier, its Node module (what it exports at run time).
const ENTRIES = [
  ['kinesis-edge', 'node.js'],
  ['kinesis-edge/engine', 'engine-node.js'],
  ['kinesis-edge/producer', 'producer/node.js'],
  ['kinesis-edge/gateway-client', 'gateway-client/node.js'],
  ['kinesis-edge/deferred', 'deferred.js'],
  ['kinesis-edge/producer/deferred', 'producer/deferred.js'],
  ['kinesis-edge/gateway-client/deferred', 'gateway-client/deferred.js'],
  ['kinesis-edge/engine/deferred', 'engine-deferred.js'],
  ['kinesis-edge/persistence', 'persistence.js'],
  ['kinesis-edge/clickstream', 'clickstream.js'],
];

// A project with the package installed (as a link to pkg/), the code to
// check, and (for pages) one module that imports each entry whole, for the
// export lists. Three kinds, as their projects are set up: pages (the DOM's
// types), Node (@types/node alone) and Cloudflare Workers
// (@cloudflare/workers-types alone). TypeScript is checked with `strict`;
// the README's JavaScript quick starts and the gateway example are checked
// as `checkJs` does for a JavaScript project (calls, options and results
// against the declarations; no `strict`, which asks JavaScript for null
// checks it does not write).
const KINDS = {
  pages: { ts: ['check.ts'], js: ['examples/quickstart/page.js', 'examples/quickstart/worker.js'], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: [] },
  // With the AWS SDK's clients, whose types the engine's request handler must satisfy.
  node: { ts: ['check.ts', 'sdk.ts'], js: ['examples/quickstart/node.mjs'], lib: ['lib.es2022.d.ts'], types: ['node'], modules: ['@types', 'undici-types', '@aws-sdk', '@smithy', '@aws-crypto', 'tslib'] },
  workers: { ts: ['worker.ts'], js: ['examples/quickstart/cloudflare.js', 'examples/cloudflare-worker/src/worker.js'], lib: ['lib.es2022.d.ts'], types: ['@cloudflare/workers-types'], modules: ['@cloudflare'] },
};

function compile(kind) {
  const { ts: tsFiles, js, lib, types, modules = [] } = KINDS[kind];
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-types-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(pkg, join(dir, 'node_modules', 'kinesis-edge'), 'dir');
  for (const m of modules) symlinkSync(fileURLToPath(new URL(`../node_modules/${m}`, import.meta.url)), join(dir, 'node_modules', m), 'dir');
  const files = [];
  for (const f of tsFiles) {
    copyFileSync(fileURLToPath(new URL(`types/${f}`, import.meta.url)), join(dir, f));
    files.push(join(dir, f));
  }
  const entries = join(dir, 'entries.ts');
  if (kind === 'pages') {
    ts.sys.writeFile(entries, ENTRIES.map(([spec], i) => `import * as e${i} from '${spec}';\nexport const entry${i} = e${i};\n`).join(''));
    files.push(entries);
  }
  const options = {
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib,
    types,
    typeRoots: [join(dir, 'node_modules', '@types'), join(dir, 'node_modules')],
    skipLibCheck: false,
    preserveSymlinks: true,
  };
  const program = ts.createProgram(files, { ...options, strict: true });
  // The JavaScript, in its own program: one file's `checkJs` settings do not
  // loosen the TypeScript's.
  mkdirSync(join(dir, 'js'));
  const jsFiles = js.map((f) => {
    const to = join(dir, 'js', f.replaceAll('/', '_'));
    copyFileSync(fileURLToPath(new URL(`../../${f}`, import.meta.url)), to);
    return to;
  });
  const jsProgram = ts.createProgram(jsFiles, { ...options, allowJs: true, checkJs: true });
  return { dir, program, jsProgram, entries };
}

const compiled = { pages: compile('pages'), node: compile('node'), workers: compile('workers') };
const { program, entries } = compiled.pages;
process.on('exit', () => {
  for (const c of Object.values(compiled)) rmSync(c.dir, { recursive: true, force: true });
});

function problems(program, dir) {
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

const WHAT = { pages: "with the DOM's types", node: "with Node's types alone", workers: "with Cloudflare Workers' types alone" };
for (const [kind, { dir, program, jsProgram }] of Object.entries(compiled)) {
  test(`code using the entries compiles with strict ${WHAT[kind]}, and the declarations refuse the mistakes it makes`, () => {
    assert.deepEqual(problems(program, dir), []);
    // Every file of the package's declarations it imports was read
    // (resolved through `exports`, not left out as untyped).
    const declarations = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/node_modules/kinesis-edge/'));
    const pageOnly = ['persistence.d.ts', 'clickstream.d.ts'];
    for (const d of ['index.d.ts', 'engine.d.ts', 'producer/index.d.ts', 'gateway-client/index.d.ts', ...(kind === 'workers' ? [] : pageOnly)]) {
      assert.ok(declarations.some((f) => f.endsWith(`/kinesis-edge/${d}`)), `${d} not resolved: ${declarations.join(', ')}`);
    }
  });

  test(`the JavaScript quick starts${kind === 'workers' ? ' and the gateway example' : ''} check against the declarations ${WHAT[kind]}`, () => {
    assert.deepEqual(problems(jsProgram, dir), []);
    // Typed through the package, not as `any`: the quick starts' imports
    // resolve to its declarations.
    assert.ok(jsProgram.getSourceFiles().some((f) => f.fileName.includes('/node_modules/kinesis-edge/') && f.fileName.endsWith('.d.ts')));
  });
}

// Declared value exports of entry i (the `import * as` namespace's members).
function declaredExports(checker, i) {
  const source = program.getSourceFile(entries);
  const decl = source.statements.find((s) => ts.isVariableStatement(s) && s.declarationList.declarations[0].name.text === `entry${i}`);
  const type = checker.getTypeAtLocation(decl.declarationList.declarations[0].name);
  return new Map(type.getProperties().map((p) => [p.name, checker.getTypeOfSymbolAtLocation(p, decl)]));
}

// An instance of each class, made as a user makes one (nothing is sent).
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const INSTANCES = {
  Producer: (C, spec) => new C(spec.includes('gateway-client') ? { endpoint: 'http://127.0.0.1:9/' } : { streamName: 's', region: 'us-east-1', credentials }),
  FirehoseProducer: (C) => new C({ deliveryStreamName: 'f', region: 'us-east-1', credentials }),
  ShardMap: (C) => C.uniform(2),
  ShardEngine: (C) => new C(),
};

// The names an object answers to: its own and its prototypes' (not Object's).
function membersOf(object) {
  const names = new Set();
  for (let o = object; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor') names.add(n);
  }
  return names;
}

for (const [i, [spec, file]] of ENTRIES.entries()) {
  test(`${spec}: the declared exports are the exports, and classes' members are the instances'`, async () => {
    const checker = program.getTypeChecker();
    const declared = declaredExports(checker, i);
    const runtime = await import(pathToFileURL(join(pkg, file)).href);
    // A deferred entry loads its .wasm when asked, with fetch (which in
    // Node does not read files: given them here).
    if (runtime.init) {
      const { fetch } = globalThis;
      globalThis.fetch = async (url) => new Response(readFileSync(fileURLToPath(url)), { headers: { 'content-type': 'application/wasm' } });
      try {
        await runtime.init();
      } finally {
        globalThis.fetch = fetch;
      }
    }
    assert.deepEqual([...declared.keys()].sort(), Object.keys(runtime).filter((k) => !k.startsWith('__')).sort(), `${spec}'s exports`);
    for (const [name, type] of declared) {
      const make = INSTANCES[name];
      if (!make) continue;
      const instanceType = type.getConstructSignatures()[0]?.getReturnType() ?? checker.getTypeOfSymbol(type.getProperty('prototype'));
      const instance = make(runtime[name], spec);
      try {
        const declaredMembers = instanceType.getProperties().map((p) => p.name).sort();
        const actual = [...membersOf(instance)].filter((n) => !n.startsWith('_')).sort();
        assert.deepEqual(declaredMembers, actual, `${spec} ${name}'s members`);
      } finally {
        await instance.close?.();
      }
    }
  });
}
