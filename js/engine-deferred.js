// `kinesis-edge/engine/deferred`: the shard engine for where a module may
// not wait at its top level, as `kinesis-edge/engine` does for its .wasm: a
// module service worker (top-level await is refused there), a bundle run
// as a classic script. `await init()` once, then make engines (one made
// before it throws `NotInitialized`). In a service worker, an engine can
// answer the page's requests to a path of its own: an offline Kinesis for
// any client, the AWS SDK and kinesis-edge's producer alike.
//
//   import { init, ShardEngine } from 'kinesis-edge/engine/deferred';
//   const engine = init().then(() => new ShardEngine());
//   self.addEventListener('fetch', (event) => {
//     if (new URL(event.request.url).pathname === '/kinesis/') event.respondWith(engine.then((e) => e.fetch(event.request)));
//   });
import load from './engine/kinesis_edge_engine.js';
import { deferred } from './init.js';
import { ShardEngine as Engine } from './engine.js';

const { init, guarded } = deferred(load, './engine/kinesis_edge_engine_bg.wasm', import.meta.url);

export { init };
export const ShardEngine = guarded(Engine);
