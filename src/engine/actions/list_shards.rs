//! ListShards (pagination by `NextToken` or `ExclusiveStartShardId`, and
//! `ShardFilter`, which the KCL sends). Expired shards (closed before the
//! trim horizon) are never listed, as AWS's API reference says.

use super::super::validation::{check, Kind, Member, SHARD_ID, STREAM_NAME};
use super::super::{Engine, EngineError, ShardInfo};
use super::Writer;
use crate::json::{write_string, Value};
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member { name: "StreamName", path: "streamName", kind: STREAM_NAME, required: false },
    Member {
        name: "NextToken",
        path: "nextToken",
        kind: Kind::Str { min: 1, max: 1048576, pattern: None },
        required: false,
    },
    Member { name: "ExclusiveStartShardId", path: "exclusiveStartShardId", kind: SHARD_ID, required: false },
    Member {
        name: "MaxResults",
        path: "maxResults",
        kind: Kind::Int { min: 1, max: 10_000 },
        required: false,
    },
];

/// ShardFilter's members (API reference, ShardFilter).
const FILTER_MEMBERS: &[Member] = &[
    Member { name: "Type", path: "shardFilter.type", kind: Kind::Enum(&FILTER_TYPES), required: true },
    Member { name: "ShardId", path: "shardFilter.shardId", kind: SHARD_ID, required: false },
    Member { name: "Timestamp", path: "shardFilter.timestamp", kind: Kind::Timestamp, required: false },
];

const FILTER_TYPES: [&str; 6] =
    ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"];

/// Which shards a ListShards lists (API reference, ShardFilter's `Type`).
#[derive(Clone, Debug, PartialEq)]
enum Filter {
    /// Those after a shard id.
    AfterShardId(String),
    /// Those open at the trim horizon.
    AtTrimHorizon,
    /// Those within the retention period, trim to tip (the default).
    FromTrimHorizon,
    /// The open ones.
    AtLatest,
    /// Those open at a time.
    AtTimestamp(Timestamp),
    /// Those open at or after a time.
    FromTimestamp(Timestamp),
}

impl Filter {
    /// The filter a request gives, checked; `None` when it gives none.
    fn of(body: &Value<'_>) -> Result<Option<Filter>, EngineError> {
        let Some(f) = body.get("ShardFilter").filter(|v| !matches!(v, Value::Null)) else {
            return Ok(None);
        };
        check(f, FILTER_MEMBERS)?;
        let invalid = |m: &str| EngineError { code: "InvalidArgumentException", message: m.to_owned() };
        let at = || {
            f.get("Timestamp")
                .and_then(Value::as_f64)
                .and_then(|secs| Timestamp::from_millis_f64(secs * 1000.0))
        };
        // (These two messages are kinesis-mock's: AWS's reference gives none.)
        let timestamp = || {
            at().ok_or_else(|| {
                invalid("Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP")
            })
        };
        Ok(Some(match f.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "AFTER_SHARD_ID" => {
                Filter::AfterShardId(f.get("ShardId").and_then(Value::as_str).map(str::to_owned).ok_or_else(
                    || invalid("ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID"),
                )?)
            }
            "AT_TRIM_HORIZON" => Filter::AtTrimHorizon,
            "AT_LATEST" => Filter::AtLatest,
            "AT_TIMESTAMP" => Filter::AtTimestamp(timestamp()?),
            "FROM_TIMESTAMP" => Filter::FromTimestamp(timestamp()?),
            _ => Filter::FromTrimHorizon,
        }))
    }

    /// Whether `shard` is listed, with the stream's trim horizon `trim`.
    /// A time before the trim horizon counts as the trim horizon (as the
    /// reference says of FROM_TIMESTAMP; for AT_TIMESTAMP it is silent and
    /// kinesis-mock does the same).
    fn keeps(&self, shard: &ShardInfo, trim: Timestamp) -> bool {
        let open_at = |t: Timestamp| shard.opened <= t && shard.closed.is_none_or(|c| c >= t);
        let open_from = |t: Timestamp| shard.closed.is_none_or(|c| c >= t);
        open_from(trim)
            && match self {
                Filter::AfterShardId(id) => shard.shard_id.as_str() > id.as_str(),
                Filter::AtTrimHorizon => open_at(trim),
                Filter::FromTrimHorizon => true,
                Filter::AtLatest => shard.closed.is_none(),
                Filter::AtTimestamp(t) => open_at((*t).max(trim)),
                Filter::FromTimestamp(t) => open_from((*t).max(trim)),
            }
    }

    /// The filter as a NextToken carries it (a page goes on as it began).
    fn token_text(&self) -> String {
        match self {
            Filter::AfterShardId(id) => format!("AFTER_SHARD_ID\t{id}"),
            Filter::AtTrimHorizon => "AT_TRIM_HORIZON".to_owned(),
            Filter::FromTrimHorizon => "FROM_TRIM_HORIZON".to_owned(),
            Filter::AtLatest => "AT_LATEST".to_owned(),
            Filter::AtTimestamp(t) => format!("AT_TIMESTAMP\t{}", t.as_millis()),
            Filter::FromTimestamp(t) => format!("FROM_TIMESTAMP\t{}", t.as_millis()),
        }
    }

    fn from_token_text(text: &str) -> Option<Filter> {
        let (kind, arg) = text.split_once('\t').unwrap_or((text, ""));
        let at = || arg.parse().ok().and_then(Timestamp::from_millis);
        Some(match kind {
            "AFTER_SHARD_ID" => Filter::AfterShardId(arg.to_owned()),
            "AT_TRIM_HORIZON" => Filter::AtTrimHorizon,
            "FROM_TRIM_HORIZON" => Filter::FromTrimHorizon,
            "AT_LATEST" => Filter::AtLatest,
            "AT_TIMESTAMP" => Filter::AtTimestamp(at()?),
            "FROM_TIMESTAMP" => Filter::FromTimestamp(at()?),
            _ => return None,
        })
    }
}

pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let given = Filter::of(body)?;
    let invalid = |m: &str| EngineError { code: "InvalidArgumentException", message: m.to_owned() };
    // A NextToken is `stream\nlast shard id\nfilter` (opaque to callers).
    let (stream, after, filter) =
        match (body.get("NextToken").and_then(Value::as_str), body.get("StreamName").and_then(Value::as_str))
        {
            (Some(_), Some(_)) => {
                return Err(invalid("NextToken and StreamName cannot be provided together."))
            }
            (Some(token), None) => {
                let decoded = super::super::validation::decode_blob(token)
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| invalid("Invalid NextToken."))?;
                let mut parts = decoded.splitn(3, '\n');
                let (Some(s), Some(a)) = (parts.next(), parts.next()) else {
                    return Err(invalid("Invalid NextToken."));
                };
                let carried = match parts.next() {
                    Some(f) => Some(Filter::from_token_text(f).ok_or_else(|| invalid("Invalid NextToken."))?),
                    None => None,
                };
                (s.to_owned(), Some(a.to_owned()), given.or(carried))
            }
            (None, Some(s)) => (
                s.to_owned(),
                body.get("ExclusiveStartShardId").and_then(Value::as_str).map(str::to_owned),
                given,
            ),
            (None, None) => return Err(invalid("Either NextToken or StreamName should be provided.")),
        };
    let filter = filter.unwrap_or(Filter::FromTrimHorizon);
    let max = body.get("MaxResults").and_then(Value::as_u64).unwrap_or(1000) as usize;
    let shards = engine.shards(&stream)?;
    let trim = engine.trim_horizon(&stream, now).unwrap_or(now);
    let rest: Vec<_> = shards
        .iter()
        .filter(|s| after.as_deref().is_none_or(|a| s.shard_id.as_str() > a) && filter.keeps(s, trim))
        .collect();
    let page = &rest[..rest.len().min(max)];
    let mut w = Writer::new();
    super::write_list(w.key("Shards"), page, |out, shard| out.extend_from_slice(&super::shard_json(shard)));
    if rest.len() > page.len() {
        if let Some(last) = page.last().map(|s| &s.shard_id) {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{stream}\n{last}\n{}", filter.token_text()));
            write_string(w.key("NextToken"), &token);
        }
    }
    Ok(w.finish())
}
