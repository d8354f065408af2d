//! GetRecords.

use super::super::validation::{check, Kind, Member};
use super::super::{Engine, EngineError, RecordRef, ShardInfo};
use super::Writer;
use crate::json::Value;
use crate::time::Timestamp;

pub(in crate::engine) const MEMBERS: &[Member] = &[
    Member {
        name: "ShardIterator",
        path: "shardIterator",
        kind: Kind::Str { min: 1, max: 512, pattern: None },
        required: true,
    },
    Member { name: "Limit", path: "limit", kind: Kind::Int { min: 1, max: 10_000 }, required: false },
];

/// GetRecords, answered in JSON.
pub(in crate::engine) fn run(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
) -> Result<Vec<u8>, EngineError> {
    run_as(engine, body, now, false)
}

/// GetRecords; with `packed`, the records in binary and the rest of the
/// answer in JSON after them (see [`Engine::handle_as`]).
pub(in crate::engine) fn run_as(
    engine: &mut Engine,
    body: &Value<'_>,
    now: Timestamp,
    packed: bool,
) -> Result<Vec<u8>, EngineError> {
    check(body, MEMBERS)?;
    let limit = body.get("Limit").and_then(Value::as_u64).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let mut records = RecordsOut::new(packed);
    let page =
        engine.get_records_with(super::text(body, "ShardIterator")?, limit, now, |r| records.push(r))?;
    let mut w = records.finish();
    if let Some(next) = &page.next_shard_iterator {
        w.string("NextShardIterator", next);
    }
    w.number("MillisBehindLatest", page.millis_behind_latest);
    if page.next_shard_iterator.is_none() {
        write_child_shards(&mut w, &page.child_shards);
    }
    Ok(w.finish())
}

/// Records as GetRecords and SubscribeToShard's events answer them, in JSON
/// or `packed` (see [`Engine::handle_as`]); [`RecordsOut::finish`] leaves
/// the answer's object open for its other members.
pub(in crate::engine) struct RecordsOut {
    packed: bool,
    out: Vec<u8>,
    seqs: Vec<u8>,
    keys: Vec<u8>,
    data: Vec<u8>,
    count: u32,
}

impl RecordsOut {
    pub(in crate::engine) fn new(packed: bool) -> RecordsOut {
        // In JSON, records are written straight into the response as the
        // engine visits them: no copy of each record, no buffer per member.
        // Packed, a table of fixed fields goes there, and sequence numbers,
        // keys and data into a block each, appended after it, so that JS
        // decodes each block's text once.
        let mut out = Vec::with_capacity(4096);
        if packed {
            // Their count, once known.
            out.extend_from_slice(&[0; 4]);
        } else {
            out.extend_from_slice(b"{\"Records\":[");
        }
        RecordsOut { packed, out, seqs: Vec::new(), keys: Vec::new(), data: Vec::new(), count: 0 }
    }

    pub(in crate::engine) fn push(&mut self, r: RecordRef<'_>) {
        use base64::Engine as _;
        self.count += 1;
        let out = &mut self.out;
        if self.packed {
            // The key's length in UTF-16 units (as JS slices strings) and
            // the data's in bytes (u32), the arrival in ms (f64), all
            // little-endian.
            let key_units = r.partition_key.encode_utf16().count() as u32;
            out.extend_from_slice(&key_units.to_le_bytes());
            out.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(r.arrival.as_millis() as f64).to_le_bytes());
            r.write_sequence_number(&mut self.seqs);
            self.keys.extend_from_slice(r.partition_key.as_bytes());
            self.data.extend_from_slice(r.data);
            return;
        }
        if self.count > 1 {
            out.push(b',');
        }
        // Digits only: no escaping needed.
        out.extend_from_slice(b"{\"SequenceNumber\":\"");
        r.write_sequence_number(out);
        // Epoch seconds with milliseconds, as AWS sends it.
        out.extend_from_slice(b"\",\"ApproximateArrivalTimestamp\":");
        crate::protocol::write_number(out, r.arrival.as_millis() as f64 / 1000.0);
        // The base64 alphabet needs no escaping either.
        out.extend_from_slice(b",\"Data\":\"");
        let at = out.len();
        out.resize(at + r.data.len().div_ceil(3) * 4, 0);
        let written =
            base64::engine::general_purpose::STANDARD.encode_slice(r.data, &mut out[at..]).unwrap_or(0);
        out.truncate(at + written);
        out.extend_from_slice(b"\",\"PartitionKey\":");
        crate::json::write_string(out, r.partition_key);
        out.push(b'}');
    }

    pub(in crate::engine) fn finish(self) -> Writer {
        let RecordsOut { packed, mut out, seqs, keys, data, count } = self;
        if packed {
            if let Some(c) = out.get_mut(..4) {
                c.copy_from_slice(&count.to_le_bytes());
            }
            out.extend_from_slice(&seqs);
            out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
            out.extend_from_slice(&keys);
            out.extend_from_slice(&data);
            out.push(b'{');
            Writer { out, first: true }
        } else {
            out.push(b']');
            Writer { out, first: false }
        }
    }
}

/// `ChildShards`: ShardId, ParentShards and HashKeyRange of each child.
pub(in crate::engine) fn write_child_shards(w: &mut Writer, children: &[ShardInfo]) {
    super::write_list(w.key("ChildShards"), children, |out, child| {
        let mut c = Writer::new();
        c.string("ShardId", &child.shard_id);
        let parents = child.parent_shard_id.iter().chain(child.adjacent_parent_shard_id.iter());
        super::write_strings(c.key("ParentShards"), parents.map(String::as_str));
        c.key("HashKeyRange").extend_from_slice(&super::hash_key_range_json(child));
        out.extend_from_slice(&c.finish());
    });
}
