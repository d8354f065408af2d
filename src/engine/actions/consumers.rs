//! RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
//! DeregisterStreamConsumer, and SubscribeToShard's request (its events
//! come from `Engine::poll_subscription`; see `consumers.rs`).

use super::super::consumers::{ConsumerInfo, ConsumerRef};
use super::super::validation::{check, is_decimal, Kind, Member, Pattern, SHARD_ID, STREAM_ARN};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

/// Consumer names (API reference: `[a-zA-Z0-9_.-]+`, 1..=128).
const CONSUMER_NAME: Kind = super::super::validation::STREAM_NAME;

/// Consumer ARNs (API reference, ConsumerDescription: 1..=2048).
const CONSUMER_ARN: Kind = Kind::Str { min: 1, max: 2048, pattern: Some(CONSUMER_ARN_PATTERN) };

const CONSUMER_ARN_PATTERN: Pattern =
    ("^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+", |s| {
        super::super::consumers::parse_consumer_arn(s).is_some()
    });

pub(in crate::engine) const REGISTER_MEMBERS: &[Member] = &[
    Member { name: "StreamARN", path: "streamARN", kind: STREAM_ARN, required: true },
    Member { name: "ConsumerName", path: "consumerName", kind: CONSUMER_NAME, required: true },
    Member { name: "Tags", path: "tags", kind: Kind::Map { min: 1, max: 200 }, required: false },
];

/// DescribeStreamConsumer and DeregisterStreamConsumer.
pub(in crate::engine) const NAMED_MEMBERS: &[Member] = &[
    Member { name: "StreamARN", path: "streamARN", kind: STREAM_ARN, required: false },
    Member { name: "ConsumerName", path: "consumerName", kind: CONSUMER_NAME, required: false },
    Member { name: "ConsumerARN", path: "consumerARN", kind: CONSUMER_ARN, required: false },
];

pub(in crate::engine) const LIST_MEMBERS: &[Member] = &[
    Member { name: "StreamARN", path: "streamARN", kind: STREAM_ARN, required: true },
    Member {
        name: "MaxResults",
        path: "maxResults",
        kind: Kind::Int { min: 1, max: 10_000 },
        required: false,
    },
    Member {
        name: "NextToken",
        path: "nextToken",
        kind: Kind::Str { min: 1, max: 1_048_576, pattern: None },
        required: false,
    },
    Member {
        name: "StreamCreationTimestamp",
        path: "streamCreationTimestamp",
        kind: Kind::Timestamp,
        required: false,
    },
];

pub(in crate::engine) const SUBSCRIBE_MEMBERS: &[Member] = &[
    Member { name: "ConsumerARN", path: "consumerARN", kind: CONSUMER_ARN, required: true },
    Member { name: "ShardId", path: "shardId", kind: SHARD_ID, required: true },
    Member {
        name: "StartingPosition",
        path: "startingPosition",
        kind: Kind::Map { min: 0, max: 3 },
        required: true,
    },
];

const POSITION_MEMBERS: &[Member] = &[
    Member {
        name: "Type",
        path: "startingPosition.type",
        kind: Kind::Enum(&[
            "AT_SEQUENCE_NUMBER",
            "AFTER_SEQUENCE_NUMBER",
            "TRIM_HORIZON",
            "LATEST",
            "AT_TIMESTAMP",
        ]),
        required: true,
    },
    Member {
        name: "SequenceNumber",
        path: "startingPosition.sequenceNumber",
        kind: Kind::Str { min: 1, max: 129, pattern: Some(("0|([1-9]\\d{0,128})", is_decimal)) },
        required: false,
    },
    Member { name: "Timestamp", path: "startingPosition.timestamp", kind: Kind::Timestamp, required: false },
];

/// A consumer as the API writes it (`Consumer`, `ConsumerDescription`).
fn consumer_json(c: &ConsumerInfo, with_stream: bool) -> Vec<u8> {
    let mut w = Writer::new();
    w.string("ConsumerName", &c.name);
    w.string("ConsumerARN", &c.arn);
    w.string("ConsumerStatus", c.status);
    crate::protocol::write_number(w.key("ConsumerCreationTimestamp"), c.created.as_millis() as f64 / 1000.0);
    if with_stream {
        w.string("StreamARN", &c.stream_arn);
    }
    w.finish()
}

pub(in crate::engine) fn register(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, REGISTER_MEMBERS)?;
    let tags = super::tags::tag_map(body)?;
    let c = engine.register_stream_consumer(
        super::text(body, "StreamARN")?,
        super::text(body, "ConsumerName")?,
        now,
    )?;
    if !tags.is_empty() {
        // A consumer is registered with its tags or not at all.
        if let Err(e) = engine.tag_resource(&c.arn, &tags, now) {
            engine.forget_consumer(&c.arn, now);
            return Err(e);
        }
    }
    let mut w = Writer::new();
    w.key("Consumer").extend_from_slice(&consumer_json(&c, false));
    Ok(w.finish())
}

/// The consumer a DescribeStreamConsumer or DeregisterStreamConsumer names.
fn named<'a>(body: &'a Value<'_>) -> Result<ConsumerRef<'a>, EngineError> {
    check(body, NAMED_MEMBERS)?;
    let get = |name| body.get(name).and_then(Value::as_str);
    match (get("ConsumerARN"), get("StreamARN"), get("ConsumerName")) {
        (Some(arn), ..) => Ok(ConsumerRef::Arn(arn)),
        (None, Some(stream_arn), Some(name)) => Ok(ConsumerRef::Named { stream_arn, name }),
        // kinesis-mock's message (the reference gives none).
        _ => Err(EngineError {
            code: "InvalidArgumentException",
            message: "ConsumerArn or both ConsumerName and StreamARN are required for this request."
                .to_owned(),
        }),
    }
}

pub(in crate::engine) fn describe(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    let c = engine.describe_stream_consumer(named(body)?, now)?;
    let mut w = Writer::new();
    w.key("ConsumerDescription").extend_from_slice(&consumer_json(&c, true));
    Ok(w.finish())
}

pub(in crate::engine) fn deregister(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    engine.deregister_stream_consumer(named(body)?, now)?;
    Ok(Vec::new())
}

/// ListStreamConsumers: at most `MaxResults` (100 by default and at most,
/// API reference), with a `NextToken` naming the stream and the last
/// consumer listed.
pub(in crate::engine) fn list(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, LIST_MEMBERS)?;
    let stream_arn = super::text(body, "StreamARN")?;
    let limit = body.get("MaxResults").and_then(Value::as_u64).unwrap_or(100).min(100) as usize;
    let all = engine.list_stream_consumers(stream_arn, now)?;
    let skip = match body.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => {
            let bad = || EngineError {
                code: "InvalidArgumentException",
                message: format!("Invalid NextToken: {token}"),
            };
            let (arn, last) = token.rsplit_once('\n').ok_or_else(bad)?;
            if arn != stream_arn {
                return Err(bad());
            }
            all.iter().position(|c| c.name == last).map_or(all.len(), |i| i + 1)
        }
    };
    let page: Vec<&ConsumerInfo> = all.iter().skip(skip).take(limit).collect();
    let mut w = Writer::new();
    super::write_list(w.key("Consumers"), &page, |out, c| out.extend_from_slice(&consumer_json(c, false)));
    if skip + page.len() < all.len() {
        if let Some(last) = page.last() {
            w.string("NextToken", &format!("{stream_arn}\n{}", last.name));
        }
    }
    Ok(w.finish())
}

/// SubscribeToShard's request: the subscription's id.
pub(in crate::engine) fn subscribe(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<u64, EngineError> {
    check(body, SUBSCRIBE_MEMBERS)?;
    let position = body.get("StartingPosition").unwrap_or(&Value::Null);
    check(position, POSITION_MEMBERS)?;
    let kind = super::get_shard_iterator::iterator_kind(
        super::text(position, "Type")?,
        position.get("SequenceNumber").and_then(Value::as_str),
        position.get("Timestamp").and_then(Value::as_f64),
        now,
    )?;
    engine.subscribe_to_shard(super::text(body, "ConsumerARN")?, super::text(body, "ShardId")?, kind, now)
}
