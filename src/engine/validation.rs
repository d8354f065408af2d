//! Request validation as data, after kinesalite's `validations/*.js`: each
//! action lists its members with their types and constraints, and one
//! checker turns a JSON body into AWS's errors.
//!
//! - A member of the wrong JSON type is a `SerializationException` (the
//!   request cannot be read at all).
//! - Constraint violations are collected, in member order, into one
//!   `ValidationException`: `N validation error(s) detected: Value 'v' at
//!   'member' failed to satisfy constraint: Member must …; …`. Strings show
//!   their value, blobs and lists do not (where AWS prints Java's
//!   `toString` of a list, this prints no value).

use crate::json::Value;

use super::EngineError;

/// A pattern: its text (for messages) and its matcher.
pub(crate) type Pattern = (&'static str, fn(&str) -> bool);

/// What a member must be.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// A string: length in characters, and an optional pattern.
    Str { min: usize, max: usize, pattern: Option<Pattern> },
    /// An integer in a range.
    Int { min: i64, max: i64 },
    /// A base64 blob; `max` bytes once decoded.
    Blob { max: usize },
    /// A number of seconds since the epoch (a timestamp).
    Timestamp,
    /// A list of objects, between `min` and `max` long.
    List { min: usize, max: usize },
    /// A map (JSON object), between `min` and `max` entries.
    Map { min: usize, max: usize },
    /// One of a set of strings.
    Enum(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
}

/// A member of a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    /// Its name in the JSON body (`StreamName`).
    pub(crate) name: &'static str,
    /// Its name in messages (`streamName`).
    pub(crate) path: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
}

/// The pattern of stream names (API reference: `[a-zA-Z0-9_.-]+`).
pub(crate) const STREAM_NAME: Kind = Kind::Str {
    min: 1,
    max: 128,
    pattern: Some(("[a-zA-Z0-9_.-]+", |s| {
        s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    })),
};

/// Shard ids (API reference: `[a-zA-Z0-9_.-]+`, 1..=128).
pub(crate) const SHARD_ID: Kind = STREAM_NAME;

/// Stream ARNs (API reference: `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`,
/// 1..=2048).
pub(crate) const STREAM_ARN: Kind = Kind::Str {
    min: 1,
    max: 2048,
    pattern: Some(("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", |s| {
        crate::engine::parse_stream_arn(s).is_some()
    })),
};

/// A stream's record limit in KiB (API reference, UpdateMaxRecordSize and
/// CreateStream: `MaxRecordSizeInKiB`, 1024..=10240).
pub(crate) const MAX_RECORD_SIZE_KIB: Kind = Kind::Int { min: 1024, max: 10240 };

fn serialization(message: &str) -> EngineError {
    EngineError { code: "SerializationException", message: message.to_owned() }
}

fn type_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Str { .. } | Kind::Enum(_) => "String",
        Kind::Int { .. } => "Integer",
        Kind::Blob { .. } => "Blob",
        Kind::Timestamp => "Timestamp",
        Kind::Bool => "Boolean",
        Kind::List { .. } => "List",
        Kind::Map { .. } => "Map",
    }
}

/// Checks `body` (an object) against `members`; returns the first
/// serialization error, or all constraint violations as one error.
pub(crate) fn check(body: &Value<'_>, members: &[Member]) -> Result<(), EngineError> {
    if !matches!(body, Value::Object(_)) {
        return Err(serialization("Start of structure or map expected"));
    }
    let mut problems: Vec<String> = Vec::new();
    for m in members {
        let v = body.get(m.name).filter(|v| !matches!(v, Value::Null));
        let Some(v) = v else {
            if m.required {
                problems.push(format!(
                    "Value null at '{}' failed to satisfy constraint: Member must not be null",
                    m.path
                ));
            }
            continue;
        };
        let wrong_type =
            || serialization(&format!("Unexpected value for {} (expected {})", m.name, type_name(m.kind)));
        match m.kind {
            Kind::Str { min, max, pattern } => {
                let s = v.as_str().ok_or_else(wrong_type)?;
                let n = s.chars().count();
                if let Some((text, ok)) = pattern {
                    if !ok(s) || s.is_empty() {
                        problems.push(format!(
                            "Value '{s}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {text}",
                            m.path
                        ));
                    }
                }
                if n < min {
                    problems.push(format!(
                        "Value '{s}' at '{}' failed to satisfy constraint: Member must have length greater than or equal to {min}",
                        m.path
                    ));
                }
                if n > max {
                    problems.push(format!(
                        "Value '{s}' at '{}' failed to satisfy constraint: Member must have length less than or equal to {max}",
                        m.path
                    ));
                }
            }
            Kind::Enum(values) => {
                let s = v.as_str().ok_or_else(wrong_type)?;
                if !values.contains(&s) {
                    problems.push(format!(
                        "Value '{s}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        m.path,
                        values.join(", ")
                    ));
                }
            }
            Kind::Int { min, max } => {
                let Value::Number(text) = v else { return Err(wrong_type()) };
                let n: i64 = text.parse().map_err(|_| wrong_type())?;
                if n < min {
                    problems.push(format!(
                        "Value '{n}' at '{}' failed to satisfy constraint: Member must have value greater than or equal to {min}",
                        m.path
                    ));
                }
                if n > max {
                    problems.push(format!(
                        "Value '{n}' at '{}' failed to satisfy constraint: Member must have value less than or equal to {max}",
                        m.path
                    ));
                }
            }
            Kind::Blob { max } => {
                let s = v.as_str().ok_or_else(wrong_type)?;
                let bytes = blob(s)?;
                if bytes.len() > max {
                    problems.push(format!(
                        "Value at '{}' failed to satisfy constraint: Member must have length less than or equal to {max}",
                        m.path
                    ));
                }
            }
            Kind::Timestamp => {
                v.as_f64().ok_or_else(wrong_type)?;
            }
            Kind::Bool => {
                if !matches!(v, Value::Bool(_)) {
                    return Err(wrong_type());
                }
            }
            Kind::List { min, max } | Kind::Map { min, max } => {
                let len = match (m.kind, v) {
                    (Kind::Map { .. }, Value::Object(members)) => members.len(),
                    (Kind::List { .. }, Value::Array(items)) => items.len(),
                    _ => return Err(wrong_type()),
                };
                if len < min {
                    // AWS prints Java's toString of the value: `[]` or `{}`
                    // when empty (longer lists show object hashes no emulator
                    // can reproduce, so those print no value).
                    let empty = if matches!(m.kind, Kind::Map { .. }) { "'{}' " } else { "'[]' " };
                    problems.push(format!(
                        "Value {}at '{}' failed to satisfy constraint: Member must have length greater than or equal to {min}",
                        if len == 0 { empty } else { "" },
                        m.path
                    ));
                }
                if len > max {
                    problems.push(format!(
                        "Value at '{}' failed to satisfy constraint: Member must have length less than or equal to {max}",
                        m.path
                    ));
                }
            }
        }
    }
    problems_to_error(problems)
}

/// `N validation error(s) detected: …; …`, or `Ok` when there are none.
pub(crate) fn problems_to_error(problems: Vec<String>) -> Result<(), EngineError> {
    match problems.len() {
        0 => Ok(()),
        n => Err(EngineError {
            code: "ValidationException",
            message: format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                problems.join("; ")
            ),
        }),
    }
}

/// Decodes a base64 blob (standard alphabet, padding required).
pub(crate) fn decode_blob(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// A blob member's bytes, or the `SerializationException` AWS gives for
/// data that is not base64.
pub(crate) fn blob(s: &str) -> Result<Vec<u8>, EngineError> {
    decode_blob(s).ok_or_else(|| serialization("Base64 encoded data is not valid"))
}

/// Like [`blob`], appending the bytes to `out` (PutRecords decodes all its
/// records' data into one buffer).
pub(crate) fn blob_into(s: &str, out: &mut Vec<u8>) -> Result<(), EngineError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode_vec(s, out)
        .map_err(|_| serialization("Base64 encoded data is not valid"))
}

/// `0|([1-9]\d*)`: a decimal integer without leading zeros (hash keys and
/// sequence numbers; their lengths are checked as string lengths).
pub(crate) fn is_decimal(s: &str) -> bool {
    s == "0" || (!s.starts_with('0') && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    const MEMBERS: &[Member] = &[
        Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: true },
        Member {
            name: "ShardCount",
            path: "shardCount",
            kind: Kind::Int { min: 1, max: 100_000 },
            required: true,
        },
    ];

    #[test]
    fn messages() {
        let err = check(&parse(br#"{"ShardCount":0}"#).unwrap(), MEMBERS).unwrap_err();
        assert_eq!(err.code, "ValidationException");
        assert_eq!(
            err.message,
            "2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let err = check(&parse(br#"{"StreamName":"a b","ShardCount":1}"#).unwrap(), MEMBERS).unwrap_err();
        assert_eq!(
            err.message,
            "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        );
        let err = check(&parse(br#"{"StreamName":1,"ShardCount":1}"#).unwrap(), MEMBERS).unwrap_err();
        assert_eq!(err.code, "SerializationException");
        assert!(check(&parse(br#"{"StreamName":"s","ShardCount":2}"#).unwrap(), MEMBERS).is_ok());
        assert_eq!(check(&parse(b"[]").unwrap(), MEMBERS).unwrap_err().code, "SerializationException");
    }
}
