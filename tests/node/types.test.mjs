// The package's declarations (.d.ts, written by hand) as a TypeScript user
// meets them, through package.json's `exports` and their `types`:
// - tests/node/types/check.ts, code using every entry as the README does,
//   compiles with `strict` and the declarations themselves checked (no
//   skipLibCheck), for pages (the DOM's types) and for Node (only
//   @types/node: no DOM names such as `RequestInfo`); its `@ts-expect-error`
//   lines are mistakes the declarations must refuse;
// - each entry declares what it exports at run time, no more and no less,
//   and each class's members are the instances' (so a method added to the
//   JS without its declaration, or a declaration left behind, fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
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
  ['kinesis-edge/persistence', 'persistence.js'],
  ['kinesis-edge/clickstream', 'clickstream.js'],
];

// A project with the package installed (as a link to pkg/), check.ts, and
// one module that imports each entry whole, for the export lists; compiled
// with the DOM's types, or with Node's alone.
function compile(node = false) {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-edge-types-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(pkg, join(dir, 'node_modules', 'kinesis-edge'), 'dir');
  for (const m of ['@types', 'undici-types']) symlinkSync(fileURLToPath(new URL(`../node_modules/${m}`, import.meta.url)), join(dir, 'node_modules', m), 'dir');
  copyFileSync(fileURLToPath(new URL('types/check.ts', import.meta.url)), join(dir, 'check.ts'));
  const entries = join(dir, 'entries.ts');
  ts.sys.writeFile(entries, ENTRIES.map(([spec], i) => `import * as e${i} from '${spec}';\nexport const entry${i} = e${i};\n`).join(''));
  const program = ts.createProgram([join(dir, 'check.ts'), entries], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: node ? ['lib.es2022.d.ts'] : ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: node ? ['node'] : [],
    typeRoots: [join(dir, 'node_modules', '@types')],
    skipLibCheck: false,
    preserveSymlinks: true,
  });
  return { dir, program, entries };
}

const forPages = compile();
const forNode = compile(true);
const { program, entries } = forPages;
process.on('exit', () => {
  for (const c of [forPages, forNode]) rmSync(c.dir, { recursive: true, force: true });
});

for (const [what, { dir, program }] of [['with the DOM\'s types', forPages], ['with Node\'s types alone', forNode]]) {
  test(`code using every entry compiles with strict ${what}, and the declarations refuse the mistakes check.ts makes`, () => {
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const text = diagnostics.map((d) => {
      const where = d.file ? `${d.file.fileName.replace(dir, '')}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    assert.deepEqual(text, []);
    // Every file of the package's declarations was read (resolved through
    // `exports`, not left out as untyped).
    const declarations = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/node_modules/kinesis-edge/'));
    for (const d of ['index.d.ts', 'engine.d.ts', 'producer/index.d.ts', 'gateway-client/index.d.ts', 'persistence.d.ts', 'clickstream.d.ts']) {
      assert.ok(declarations.some((f) => f.endsWith(`/kinesis-edge/${d}`)), `${d} not resolved: ${declarations.join(', ')}`);
    }
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
  Producer: (C, spec) => new C(spec.endsWith('gateway-client') ? { endpoint: 'http://127.0.0.1:9/' } : { streamName: 's', region: 'us-east-1', credentials }),
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
