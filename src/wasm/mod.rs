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

/// The most the heap is grown ahead at once (see [`grow_ahead`]).
#[cfg(feature = "std")]
const GROW_AHEAD_MAX: usize = 32 << 20;

/// The memory's size, in 64 KiB pages, after the last [`grow_ahead`].
#[cfg(feature = "std")]
static PAGES_SEEN: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);

/// Grows the heap ahead of need, geometrically, once a call has made the
/// allocator grow it (the speed-optimized builds: the engine's `.wasm` and
/// the main one; the producer entry's allocator is talc, and its `.wasm`
/// is kept small).
///
/// std's allocator (dlmalloc) asks for memory 64 KiB at a time, and each
/// `memory.grow` costs about a quarter of a millisecond in V8 however
/// little it adds (1,700 one-page grows of a bare `WebAssembly.Memory`
/// took 230–430 ms in Node 20, 11 doubling ones 1–2 ms): an engine storing
/// a million records of 100 B grew its memory some 2,000 times, and a
/// producer holding 50 MB of records while offline some 800. After a call
/// that grew it, one allocation of half the memory (at most
/// [`GROW_AHEAD_MAX`]) is made and freed: dlmalloc grows by that much in
/// one step and keeps it as free space (on wasm it never gives memory
/// back), where the next calls find room. An allocation that fails is no
/// error: the heap grows later, as it would have.
#[cfg(feature = "std")]
pub(crate) fn grow_ahead() {
    use core::arch::wasm32::memory_size;
    use core::sync::atomic::Ordering::Relaxed;
    let pages = memory_size(0);
    if pages <= PAGES_SEEN.load(Relaxed) {
        return;
    }
    let mut spare: Vec<u8> = Vec::new();
    // Half the memory: `pages` × 64 KiB / 2.
    let _ = spare.try_reserve_exact((pages << 15).min(GROW_AHEAD_MAX));
    // Kept opaque, or the allocation and its free could be optimized away.
    core::hint::black_box(&spare);
    drop(spare);
    PAGES_SEEN.store(memory_size(0), Relaxed);
}
