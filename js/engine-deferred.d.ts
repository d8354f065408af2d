// `kinesis-edge/engine/deferred`: `kinesis-edge/engine` without top-level await.
export * from './engine.js';
/**
 * Loads the engine's .wasm (`engine/kinesis_edge_engine_bg.wasm` beside this module, or at `url`:
 * a bundle run as a classic script must say where). Engines made before it resolves throw `NotInitialized`.
 */
export declare function init(url?: string | URL): Promise<void>;
