// The loader of kinesis-edge/producer and kinesis-edge/gateway-client, in place of the glue wasm-bindgen
// generates (the Makefile copies this over it). The producer's JS calls the
// module's exports directly (src/wasm/producer.rs: one buffer and one call,
// no JS values cross), so of that glue only loading is left, and the
// generated one carries a class, string helpers and warnings it does not
// use: 0.8 KB gzipped of a budget of 30. Same interface: `init` (default)
// and `initSync`, each returning the instance's exports.
//
// The module's imports are wasm-bindgen's runtime's own: the externref
// table's set-up (no JS value crosses, so it has nothing to hold) and, in a
// build that can throw one, an error's message (`__wbindgen_throw`, whose
// name ends in a hash). Any other import is a build this loader does not
// know: it throws, named, rather than run.
let wasm;

function decode(at, length) {
  return new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, at, length));
}

const imports = {
  './kinesis_edge_bg.js': new Proxy(
    {},
    {
      get: (_, name) =>
        /throw/.test(name)
          ? (at, length) => {
              throw new Error(decode(at, length));
            }
          : /externref_table/.test(name)
            ? () => {}
            : () => {
                throw new Error(`kinesis-edge: the .wasm imports ${String(name)}, which this loader does not provide`);
              },
    },
  ),
};

function start(instance) {
  wasm = instance.exports;
  wasm.__wbindgen_start();
  return wasm;
}

/** Instantiates a compiled module (or its bytes) now; the exports. */
export function initSync(options) {
  if (wasm) return wasm;
  const m = options.module;
  return start(new WebAssembly.Instance(m instanceof WebAssembly.Module ? m : new WebAssembly.Module(m), imports));
}

/**
 * Fetches and instantiates the module at `module_or_path` (compiled as it
 * downloads where the server says `application/wasm`); the exports.
 */
export default async function init({ module_or_path: url }) {
  if (wasm) return wasm;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`kinesis-edge: fetching ${url} failed: HTTP ${response.status}`);
  let result;
  try {
    result = await WebAssembly.instantiateStreaming(response.clone(), imports);
  } catch {
    // A server that calls the .wasm something else than application/wasm.
    result = await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  }
  return start(result.instance);
}
