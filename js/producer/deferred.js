// `kinesis-edge/producer/deferred`: `kinesis-edge/producer` for where a
// module may not wait at its top level, as that entry does for its .wasm:
// a module service worker (top-level await is refused there), a bundle run
// as a classic script (esbuild's `iife` format). `await init()` once, then
// make producers:
//
//   import { init, Producer } from 'kinesis-edge/producer/deferred';
//   await init(); // kinesis_edge_bg.wasm beside this module, or init(itsUrl)
import { init, ready } from './init.js';
import { Producer as Kinesis, FirehoseProducer as Firehose } from './producer.js';

export { init };

export class Producer extends Kinesis {
  constructor(options) {
    ready();
    super(options);
  }
}

export class FirehoseProducer extends Firehose {
  constructor(options) {
    ready();
    super(options);
  }
}
