//! The JavaScript adapter: the only module that names `JsValue`.
//!
//! It is deliberately thin. The package's hand-written JS (`js/api.js`)
//! checks and normalizes what users pass (objects, `Date`s, header maps),
//! then calls these functions with flat arguments; they call the core and
//! hand back flat results. Nothing here decides anything about signing.
//!
//! Results cross the boundary as one string whose fields are separated by
//! NUL (`\0`), which no field can contain (the core refuses NUL in every
//! input that reaches its output). One `TextDecoder` call and a `split` in
//! JS cost less than building a JS object field by field through
//! `Reflect::set` (measured with `make bench`; see the README).
//!
//! Only JS globals that exist in every runtime are used (no `window`), so
//! the same build runs in a page, a Web Worker, Node and workerd.

// Two builds: the package's main `.wasm` (signing, shard maps, aggregation,
// the wire protocol) and, with `--features engine`, the shard engine's own
// `.wasm`, which carries only the engine (its JS imports the rest from the
// main entry), so that neither pays for the other.
#[cfg(all(feature = "std", not(feature = "engine")))]
pub mod api;
#[cfg(feature = "engine")]
mod engine;
#[cfg(not(feature = "engine"))]
pub mod producer;

/// The first `N` NUL-separated fields of `input` (empty when missing), and
/// what follows them: how strings cross the boundary in one copy.
#[cfg(all(feature = "std", not(feature = "engine")))]
pub(crate) fn nul_fields<const N: usize>(input: &str) -> ([&str; N], &str) {
    let mut rest = input;
    let fields = [(); N].map(|()| {
        // A byte search (NUL is ASCII): core's character searcher is
        // bigger in the producer's `.wasm`.
        let at = rest.as_bytes().iter().position(|&b| b == 0);
        let field = at.and_then(|i| rest.get(..i)).unwrap_or(rest);
        rest = at.and_then(|i| rest.get(i + 1..)).unwrap_or("");
        field
    });
    (fields, rest)
}

/// A JS `Error` with a `code` property (and `name`), as every error of the
/// package is.
#[cfg(feature = "std")]
pub(crate) fn coded_error(code: &str, message: &str) -> wasm_bindgen::JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("KinesisEdgeError");
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}
