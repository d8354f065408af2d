// `init()` of the deferred entries (kinesis-edge/deferred,
// kinesis-edge/producer/deferred, kinesis-edge/gateway-client/deferred):
// their .wasm loaded when asked, not with top-level await. Beside the
// loader (`kinesis_edge.js`) and the .wasm of each entry: the main entry's
// in pkg/, and a copy bundled into each of the others.
import load from './kinesis_edge.js';

let loading = null;
let loaded = false;

function fail(code, message) {
  const e = new Error(message);
  e.name = 'KinesisEdgeError';
  e.code = code;
  throw e;
}

/**
 * Loads the .wasm (`kinesis_edge_bg.wasm` beside this module, or at
 * `url`); resolves once producers can be made. The same promise when
 * called again; after a failure, it tries again.
 */
export function init(url) {
  loading ??= (async () => {
    // A bundle run as a classic script has no import.meta.url.
    if (url == null && typeof import.meta.url !== 'string') {
      fail('InvalidArgument', 'this bundle does not know where it was loaded from: pass init() the URL of kinesis_edge_bg.wasm');
    }
    try {
      await load({ module_or_path: url ?? new URL('./kinesis_edge_bg.wasm', import.meta.url) });
    } catch (e) {
      fail('InitFailed', `loading the .wasm failed: ${e?.message ?? e}`);
    }
    loaded = true;
  })().catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

function ready() {
  if (!loaded) fail('NotInitialized', 'await init() (from this entry) first: it loads the .wasm');
}

/**
 * `f` (a function or class of the API) checking first that init() has
 * resolved: when called, made with `new`, or through its static methods.
 */
export function guarded(f) {
  return new Proxy(f, {
    apply(target, self, args) {
      ready();
      return Reflect.apply(target, self, args);
    },
    construct(target, args, newTarget) {
      ready();
      return Reflect.construct(target, args, newTarget);
    },
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' && Object.hasOwn(target, name) ? guarded(value) : value;
    },
  });
}
