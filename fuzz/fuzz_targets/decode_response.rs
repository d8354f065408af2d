//! Response decoding on arbitrary bytes: every decoder returns a value or a
//! typed error, never a panic.
#![no_main]

use kinesis_edge::json;
use kinesis_edge::protocol::{decode_error, decode_list_shards, decode_put_record, decode_put_record_batch, decode_put_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = json::parse(data);
    let _ = decode_put_records(data);
    let _ = decode_put_record_batch(data);
    let _ = decode_put_record(data);
    let _ = decode_list_shards(data);
    let status = data.first().map_or(400, |&b| 400 + u16::from(b));
    let header = data.get(1..).and_then(|d| core::str::from_utf8(d).ok());
    let e = decode_error(status, header, data);
    let _ = (e.is_retryable(), e.is_clock_skew());
});
