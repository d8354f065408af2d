//! # kinesis-edge
//!
//! Send records to Amazon Kinesis Data Streams and Firehose from browsers,
//! Web Workers, Node and edge runtimes, and simulate Kinesis in-process.
//!
//! The crate is a sans-IO core (no JS types, no clock or random reads, no
//! I/O: time and randomness are arguments) with one adapter, `wasm`
//! (compiled only for `wasm32`), that binds it to JavaScript.
//!
//! - [`sigv4`]: AWS Signature Version 4 (headers and presigned URLs).
//! - [`credentials`]: access keys and temporary credentials.
//! - [`time`]: instants as values, and the text forms AWS uses.
//! - [`limits`]: the service limits, each with its source.
//! - [`record`]: validated records, and AWS's errors for invalid ones.
//! - [`partition`]: hash keys (MD5 of partition keys, explicit hash keys).
//! - [`shard_map`]: which shard a hash key lands on, and shard lineage.
//! - [`aggregation`]: KPL aggregated records, written and read.
//! - [`protocol`]: the Kinesis and Firehose JSON 1.1 wire protocol.
//! - [`json`]: the small JSON reader and writer it uses.
//! - [`engine`]: the in-process Kinesis and Firehose simulation.
//! - [`producer`]: batching, aggregation, rate limiting and retries as a
//!   sans-IO state machine.

// Without `std` (the producer's lean `.wasm`) the crate needs only `core`
// and `alloc`; the shard engine and the main build's exports are left out.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod aggregation;
pub mod credentials;
#[cfg(feature = "std")]
pub mod engine;
pub mod json;
mod keymap;
pub mod limits;
mod md5;
mod num;
pub mod partition;
mod prelude;
pub mod producer;
pub mod protocol;
pub mod record;
mod rng;
mod sha256;
pub mod shard_map;
pub mod sigv4;
mod sort;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

// The `no_std` build's runtime: talc's allocator (smaller than std's
// dlmalloc), and a panic handler that traps without formatting anything (no
// panic is expected on any input; this only keeps the formatting machinery
// out of the `.wasm`).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The parts, one after the other (`[..].concat()` without its generic
/// join code, 1 KB of the producer's `.wasm`).
pub(crate) fn cat(parts: &[&str]) -> prelude::String {
    let mut out = prelude::String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}
