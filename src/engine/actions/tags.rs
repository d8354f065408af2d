//! AddTagsToStream, RemoveTagsFromStream, ListTagsForStream (limits from
//! AWS's API reference: 1..=200 tags per call, keys 1..=128 characters,
//! values 0..=256, ListTagsForStream's `Limit` 1..=50).

use super::super::validation::{check, problems_to_error, Kind, Member, STREAM_NAME};
use super::super::{Engine, EngineError};
use super::Writer;
use crate::json::Value;

const TAG_KEY: Kind = Kind::Str { min: 1, max: 128, pattern: None };

pub(in crate::engine) const ADD_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "Tags", path: "tags", kind: Kind::Map { min: 1, max: 200 }, required: true },
];

pub(in crate::engine) const REMOVE_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "TagKeys", path: "tagKeys", kind: Kind::List { min: 1, max: 50 }, required: true },
];

pub(in crate::engine) const LIST_MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
    Member { name: "ExclusiveStartTagKey", path: "exclusiveStartTagKey", kind: TAG_KEY, required: false },
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 50 }, required: false },
];

fn serialization(what: &str) -> EngineError {
    EngineError {
        code: "SerializationException",
        message: format!("Unexpected value for {what} (expected String)"),
    }
}

/// The `Tags` map of AddTagsToStream (and CreateStream): string values,
/// key and value lengths checked as AWS does.
pub(in crate::engine) fn tag_map<'a>(body: &'a Value<'_>) -> Result<Vec<(&'a str, &'a str)>, EngineError> {
    let Some(Value::Object(members)) = body.get("Tags") else { return Ok(Vec::new()) };
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(members.len());
    for (k, v) in members {
        let v = v.as_str().ok_or_else(|| serialization("Tags"))?;
        if k.is_empty() || k.chars().count() > 128 {
            problems.push(format!("Value '{k}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"));
        }
        if v.chars().count() > 256 {
            problems.push(format!("Value '{v}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]"));
        }
        out.push((k.as_ref(), v));
    }
    problems_to_error(problems)?;
    Ok(out)
}

pub(in crate::engine) fn add(engine: &mut Engine, body: &Value<'_>) -> Result<Vec<u8>, EngineError> {
    check(body, ADD_MEMBERS)?;
    let tags = tag_map(body)?;
    engine.add_tags(super::text(body, "StreamName")?, &tags)?;
    Ok(Vec::new())
}

pub(in crate::engine) fn remove(engine: &mut Engine, body: &Value<'_>) -> Result<Vec<u8>, EngineError> {
    check(body, REMOVE_MEMBERS)?;
    let keys = body.get("TagKeys").and_then(Value::as_array).unwrap_or(&[]);
    let keys: Vec<&str> =
        keys.iter().map(|k| k.as_str().ok_or_else(|| serialization("TagKeys"))).collect::<Result<_, _>>()?;
    engine.remove_tags(super::text(body, "StreamName")?, &keys)?;
    Ok(Vec::new())
}

pub(in crate::engine) fn list(engine: &mut Engine, body: &Value<'_>) -> Result<Vec<u8>, EngineError> {
    check(body, LIST_MEMBERS)?;
    let limit = body.get("Limit").and_then(Value::as_u64).unwrap_or(50) as usize;
    let start = body.get("ExclusiveStartTagKey").and_then(Value::as_str);
    let (tags, more) = engine.list_tags(super::text(body, "StreamName")?, start, limit)?;
    let mut w = Writer::new();
    write_tags(w.key("Tags"), &tags);
    w.key("HasMoreTags").extend_from_slice(if more { b"true" } else { b"false" });
    Ok(w.finish())
}

/// A stream's or a consumer's ARN (API reference, ResourceARN:
/// `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`, 1..=2048).
const RESOURCE_ARN: Kind = Kind::Str {
    min: 1,
    max: 2048,
    pattern: Some(("arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+", |s| {
        crate::engine::parse_stream_arn(s).is_some()
    })),
};

pub(in crate::engine) const TAG_RESOURCE_MEMBERS: &[Member] = &[
    Member { name: "ResourceARN", path: "resourceARN", kind: RESOURCE_ARN, required: true },
    Member { name: "Tags", path: "tags", kind: Kind::Map { min: 1, max: 200 }, required: true },
];

pub(in crate::engine) const UNTAG_RESOURCE_MEMBERS: &[Member] = &[
    Member { name: "ResourceARN", path: "resourceARN", kind: RESOURCE_ARN, required: true },
    Member { name: "TagKeys", path: "tagKeys", kind: Kind::List { min: 1, max: 50 }, required: true },
];

pub(in crate::engine) const LIST_RESOURCE_MEMBERS: &[Member] =
    &[Member { name: "ResourceARN", path: "resourceARN", kind: RESOURCE_ARN, required: true }];

/// TagResource.
pub(in crate::engine) fn tag_resource(
    engine: &mut Engine,
    body: &Value<'_>,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, TAG_RESOURCE_MEMBERS)?;
    let tags = tag_map(body)?;
    engine.tag_resource(super::text(body, "ResourceARN")?, &tags, now)?;
    Ok(Vec::new())
}

/// UntagResource.
pub(in crate::engine) fn untag_resource(
    engine: &mut Engine,
    body: &Value<'_>,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, UNTAG_RESOURCE_MEMBERS)?;
    let keys = body.get("TagKeys").and_then(Value::as_array).unwrap_or(&[]);
    let keys: Vec<&str> =
        keys.iter().map(|k| k.as_str().ok_or_else(|| serialization("TagKeys"))).collect::<Result<_, _>>()?;
    engine.untag_resource(super::text(body, "ResourceARN")?, &keys, now)?;
    Ok(Vec::new())
}

/// ListTagsForResource: `{"Tags":[{"Key":…,"Value":…},…]}`, in key order.
pub(in crate::engine) fn list_resource(
    engine: &mut Engine,
    body: &Value<'_>,
    now: crate::time::Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, LIST_RESOURCE_MEMBERS)?;
    let tags = engine.list_resource_tags(super::text(body, "ResourceARN")?, now)?;
    let mut w = Writer::new();
    write_tags(w.key("Tags"), &tags);
    Ok(w.finish())
}

/// Tags as a JSON list of `{"Key":…,"Value":…}`.
fn write_tags(out: &mut Vec<u8>, tags: &[(String, String)]) {
    super::write_list(out, tags, |out, (k, v)| {
        let mut t = Writer::new();
        t.string("Key", k);
        t.string("Value", v);
        out.extend_from_slice(&t.finish());
    });
}
