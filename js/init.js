// `init()` of the deferred entries (kinesis-edge/deferred,
// kinesis-edge/producer/deferred, kinesis-edge/gateway-client/deferred,
// kinesis-edge/engine/deferred): their .wasm loaded when asked, not with
// top-level await. Each entry makes its own with `deferred(load, path,
// import.meta.url)`: its loader, and where its .wasm is beside it.

function fail(code, message) {
  const e = new Error(message);
  e.name = 'KinesisEdgeError';
  e.code = code;
  throw e;
}

/**
 * `init(url?)`, which loads the .wasm with `load` (at `url`, or at `path`
 * from `base`, the entry's import.meta.url: none in a bundle run as a
 * classic script), and `guarded(f)`, which makes `f` wait for it.
 */
export function deferred(load, path, base) {
  let loading = null;
  let loaded = false;

  /**
   * Loads the .wasm; resolves once the API can be used. The same promise
   * when called again; after a failure, it tries again.
   */
  function init(url) {
    loading ??= (async () => {
      if (url == null && typeof base !== 'string') {
        fail('InvalidArgument', `this bundle does not know where it was loaded from: pass init() the URL of ${path.slice(path.lastIndexOf('/') + 1)}`);
      }
      try {
        await load({ module_or_path: url ?? new URL(path, base) });
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
  function guarded(f) {
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

  return { init, guarded };
}
