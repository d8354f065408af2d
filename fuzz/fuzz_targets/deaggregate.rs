//! Deaggregation of arbitrary bytes, raw and behind a valid magic and MD5
//! (so the protobuf parser is reached): never panics, and every user
//! record it returns borrows from the input.
#![no_main]

use kinesis_edge::aggregation::{deaggregate, MAGIC};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for r in deaggregate("pk", None, data) {
        assert!(r.data.len() <= data.len());
    }
    let mut wrapped = MAGIC.to_vec();
    wrapped.extend_from_slice(data);
    wrapped.extend_from_slice(&md5_of(data));
    let records = deaggregate("pk", None, &wrapped);
    assert!(records.len() <= data.len().max(1));
});

fn md5_of(data: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(data).into()
}
