// `kinesis-edge/producer/deferred`: `kinesis-edge/producer` for where a
// module may not wait at its top level, as that entry does for its .wasm:
// a module service worker (top-level await is refused there), a bundle run
// as a classic script (esbuild's `iife` format). `await init()` once, then
// make producers (one made before it throws `NotInitialized`):
//
//   import { init, Producer } from 'kinesis-edge/producer/deferred';
//   await init(); // kinesis_edge_bg.wasm beside this module, or init(itsUrl)
import load from './kinesis_edge.js';
import { deferred } from './init.js';
import { Producer as Kinesis, FirehoseProducer as Firehose } from './producer.js';

const { init, guarded } = deferred(load, './kinesis_edge_bg.wasm', import.meta.url);

export { init };
export const Producer = guarded(Kinesis);
export const FirehoseProducer = guarded(Firehose);
