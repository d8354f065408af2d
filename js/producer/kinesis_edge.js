// The loader of kinesis-edge/producer and kinesis-edge/gateway-client, in place of the glue wasm-bindgen
// generates (the Makefile copies this over it). The producer's JS calls the
// module's exports directly (src/wasm/producer.rs: one buffer and one call,
// no JS values cross), so of that glue only loading is left, and the
// generated one carries a class, string helpers and warnings it does not
// use: 0.8 KB gzipped of a budget of 30. Same interface: `init` (default)
// and `initSync`, each returning the instance's exports.
//
// The module imports nothing: the Makefile keeps only the exports this
// loader's callers use (tools/lean-exports.json), and wasm-bindgen's start
// function and the import it called go with the rest. A build that imports
// something fails to instantiate, with the engine naming the import
// (a LinkError), rather than run without it.
let wasm;

const imports = {};

/** Instantiates a compiled module (or its bytes) now; the exports. */
export function initSync(options) {
  if (wasm) return wasm;
  const m = options.module;
  wasm = new WebAssembly.Instance(m instanceof WebAssembly.Module ? m : new WebAssembly.Module(m), imports).exports;
  return wasm;
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
  wasm = result.instance.exports;
  return wasm;
}
