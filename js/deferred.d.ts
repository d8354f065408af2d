// `kinesis-edge/deferred`: `kinesis-edge` without top-level await.
export * from './index.js';
/**
 * Loads the .wasm (`kinesis_edge_bg.wasm` beside this module, or at `url`: a bundle run as a
 * classic script must say where). Calls made before it resolves throw `NotInitialized`.
 */
export declare function init(url?: string | URL): Promise<void>;
