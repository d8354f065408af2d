// `kinesis-edge/deferred`: the main entry for where a module may not wait
// at its top level, as `kinesis-edge` does for its .wasm: a module service
// worker (top-level await is refused there; signing requests in one is
// what aws4fetch is often used for), a bundle run as a classic script
// (esbuild's `iife` format). `await init()` once, then use the API; a call
// made before it throws `NotInitialized`.
//
//   import { init, signRequest } from 'kinesis-edge/deferred';
//   await init(); // kinesis_edge_bg.wasm beside this module, or init(itsUrl)
import load from './kinesis_edge.js';
import { deferred } from './init.js';
import * as api from './public.js';

const { init, guarded } = deferred(load, './kinesis_edge_bg.wasm', import.meta.url);

export { init };
export const signRequest = guarded(api.signRequest);
export const presignUrl = guarded(api.presignUrl);
export const signRequestAsync = guarded(api.signRequestAsync);
export const hashKeyOf = guarded(api.hashKeyOf);
export const ShardMap = guarded(api.ShardMap);
export const aggregate = guarded(api.aggregate);
export const deaggregate = guarded(api.deaggregate);
export const encodePutRecords = guarded(api.encodePutRecords);
export const encodePutRecordBatch = guarded(api.encodePutRecordBatch);
export const CONTENT_TYPE = api.CONTENT_TYPE;
export const Producer = guarded(api.Producer);
export const FirehoseProducer = guarded(api.FirehoseProducer);
