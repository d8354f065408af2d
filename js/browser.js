// Entry point for pages and Web Workers (and the default): the wasm file
// beside this module is fetched and instantiated with top-level await, so
// the API is ready once the import resolves. Bundlers that understand
// `new URL(..., import.meta.url)` (Vite, webpack 5, Parcel, esbuild with
// an asset loader) ship the .wasm file along.
import init from './kinesis_edge.js';

await init({ module_or_path: new URL('./kinesis_edge_bg.wasm', import.meta.url) });

export * from './public.js';
