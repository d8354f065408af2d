//! UpdateMaxRecordSize: a stream's record limit, 1 MiB to 10 MiB. The
//! stream is named by its ARN only (API reference: `StreamARN` and
//! `MaxRecordSizeInKiB`; `StreamId` is reserved).

use super::super::validation::{check, Member, MAX_RECORD_SIZE_KIB, STREAM_ARN};
use super::super::{Engine, EngineError};
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member {
        name: "MaxRecordSizeInKiB",
        path: "maxRecordSizeInKiB",
        kind: MAX_RECORD_SIZE_KIB,
        required: true,
    },
    Member { name: "StreamARN", path: "streamARN", kind: STREAM_ARN, required: true },
];

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let name = engine.stream_named_by_arn(super::text(body, "StreamARN")?)?;
    let kib = body.get("MaxRecordSizeInKiB").and_then(Value::as_u64).unwrap_or(0);
    engine.update_max_record_size(&name, u32::try_from(kib).unwrap_or(u32::MAX), now)?;
    // "If the action is successful, the service sends back an HTTP 200
    // response with an empty HTTP body."
    Ok(Vec::new())
}
