//! # kinesis-edge
//!
//! Send records to Amazon Kinesis Data Streams and Firehose from browsers,
//! Web Workers, Node and edge runtimes, and simulate Kinesis in-process.
//!
//! The crate is a sans-IO core (no JS types, no clock or random reads, no
//! I/O: time and randomness are arguments) with one adapter, [`wasm`]
//! (compiled only for `wasm32`), that binds it to JavaScript.
//!
//! - [`sigv4`]: AWS Signature Version 4 (headers and presigned URLs).
//! - [`credentials`]: access keys and temporary credentials.
//! - [`time`]: instants as values, and the text forms AWS uses.

pub mod credentials;
pub mod sigv4;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
