// Entry point for Cloudflare Workers / workerd: the runtime compiles .wasm
// imports to a WebAssembly.Module at deploy time (fetching or compiling
// wasm from bytes at run time is not allowed there), and initSync
// instantiates it on import.
import wasmModule from './kinesis_edge_bg.wasm';
import { initSync } from './kinesis_edge.js';

initSync({ module: wasmModule });

export * from './public.js';
