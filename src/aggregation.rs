//! KPL record aggregation: many user records in one Kinesis record.
//!
//! The format (the KPL's `aggregation-format.md`, read by the KCL and by
//! the `aws-kinesis-agg` deaggregators used in Lambda): the magic bytes
//! `F3 89 9A C2`, a protobuf (proto2) `AggregatedRecord`, and the 16-byte
//! MD5 of the protobuf bytes.
//!
//! ```text
//! message AggregatedRecord { repeated string partition_key_table = 1;
//!                            repeated string explicit_hash_key_table = 2;
//!                            repeated Record records = 3; }
//! message Record { required uint64 partition_key_index = 1;
//!                  optional uint64 explicit_hash_key_index = 2;
//!                  required bytes data = 3; repeated Tag tags = 4; }
//! message Tag { required string key = 1; optional string value = 2; }
//! ```
//!
//! The protobuf code is written here by hand (about 150 lines for the three
//! messages) rather than with `prost`. Measured: `prost` 0.13 (derive)
//! decoding and re-encoding these messages made a minimal `opt-level = 3`
//! wasm 29.9 KB larger (12.3 KB gzipped, with `wasm-opt -O3`); the hand
//! encoder and decoder here are about 6 KB of the package's wasm (twiggy:
//! `Group::encode` 2.9 KB, `parse_aggregate` 2.8 KB). The hand encoder also
//! sizes an aggregate exactly before writing it, which the size cap needs,
//! and the decoder borrows every string and blob from its input instead of
//! copying them (speed: `make bench`, against aws-kinesis-agg). The decoder
//! never panics and allocates at most in proportion to its input.
//!
//! Rules that keep aggregates readable (KCL): aggregate only user records
//! predicted for the same shard, since the KCL drops a whole aggregate when
//! one user record hashes outside the shard that received it; address the
//! aggregate to that shard; send a lone record as it is.

use crate::keymap::SortedMap;
use crate::prelude::*;

use crate::md5::md5;

use crate::limits::DEFAULT_MAX_RECORD_BYTES;
use crate::partition::{format_hash_key, hash_key};

/// The first four bytes of every aggregated record.
pub const MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];

/// Distinct partition keys whose hash one `aggregate` call remembers.
const HASH_MEMO_ENTRIES: usize = 1024;

/// The MD5 trailer's length.
const DIGEST_LEN: usize = 16;

/// The KPL's default `AggregationMaxSize`: 51,200 bytes.
pub const DEFAULT_MAX_AGGREGATE_BYTES: usize = 51_200;

/// The largest cap: a Kinesis record's default size limit.
pub const MAX_AGGREGATE_BYTES: usize = DEFAULT_MAX_RECORD_BYTES;

/// A user record to aggregate, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserRecord<'a> {
    /// Its partition key.
    pub partition_key: &'a str,
    /// Its explicit hash key, if any (decimal, as the wire carries it).
    pub explicit_hash_key: Option<&'a str>,
    /// Its data.
    pub data: &'a [u8],
}

/// A Kinesis record to send: an aggregate, or a user record left as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputRecord {
    /// Partition key (of the first user record).
    pub partition_key: String,
    /// Explicit hash key that sends it to its user records' shard.
    pub explicit_hash_key: Option<String>,
    /// The aggregate's bytes, or the lone user record's data.
    pub data: Vec<u8>,
    /// How many user records it carries.
    pub user_records: usize,
    /// Indices of those user records in the input, in order.
    pub indices: Vec<usize>,
}

fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes of a length-delimited field with a one-byte tag.
fn field_len(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

type Table<'a, V> = SortedMap<&'a str, V>;

/// One aggregate being filled.
struct Group<'a> {
    keys: Table<'a, u64>,
    key_table: Vec<&'a str>,
    hash_keys: Table<'a, u64>,
    hash_key_table: Vec<&'a str>,
    /// Input index, partition key index, explicit hash key index.
    members: Vec<(usize, u64, Option<u64>)>,
    /// Size of the protobuf so far.
    protobuf_len: usize,
}

/// Where a record's keys are in a group's tables (their index), or would
/// go (a position for [`SortedMap::insert_at`]), and the bytes it adds.
struct Placement {
    cost: usize,
    key: Result<u64, usize>,
    hash_key: Option<Result<u64, usize>>,
}

impl<'a> Group<'a> {
    fn new() -> Group<'a> {
        Group {
            keys: Table::default(),
            key_table: Vec::new(),
            hash_keys: Table::default(),
            hash_key_table: Vec::new(),
            members: Vec::new(),
            protobuf_len: 0,
        }
    }

    /// Where `r` would go, and the protobuf bytes it would add: one search
    /// per key, reused by [`Group::add`].
    fn place(&self, r: &UserRecord<'a>) -> Placement {
        let mut added = 0;
        let key = self.keys.lookup(r.partition_key).copied();
        let key_index = key.unwrap_or_else(|_| {
            added += field_len(r.partition_key.len());
            self.key_table.len() as u64
        });
        let mut record = 1 + varint_len(key_index) + field_len(r.data.len());
        let hash_key = r.explicit_hash_key.map(|ehk| {
            let found = self.hash_keys.lookup(ehk).copied();
            let index = found.unwrap_or_else(|_| {
                added += field_len(ehk.len());
                self.hash_key_table.len() as u64
            });
            record += 1 + varint_len(index);
            found
        });
        Placement { cost: added + field_len(record), key, hash_key }
    }

    fn add(&mut self, index: usize, r: &UserRecord<'a>, at: Placement) {
        let key_index = at.key.unwrap_or_else(|pos| {
            let i = self.key_table.len() as u64;
            self.keys.insert_at(pos, r.partition_key, i);
            self.key_table.push(r.partition_key);
            i
        });
        let hash_key_index = match (r.explicit_hash_key, at.hash_key) {
            (Some(ehk), Some(found)) => Some(found.unwrap_or_else(|pos| {
                let i = self.hash_key_table.len() as u64;
                self.hash_keys.insert_at(pos, ehk, i);
                self.hash_key_table.push(ehk);
                i
            })),
            _ => None,
        };
        self.members.push((index, key_index, hash_key_index));
        self.protobuf_len += at.cost;
    }

    fn encode(&self, records: &[UserRecord<'a>]) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + self.protobuf_len + DIGEST_LEN);
        out.extend_from_slice(&MAGIC);
        for key in &self.key_table {
            out.push(0x0A); // field 1, length-delimited
            put_varint(&mut out, key.len() as u64);
            out.extend_from_slice(key.as_bytes());
        }
        for key in &self.hash_key_table {
            out.push(0x12); // field 2, length-delimited
            put_varint(&mut out, key.len() as u64);
            out.extend_from_slice(key.as_bytes());
        }
        for &(i, key_index, ehk_index) in &self.members {
            let r = &records[i];
            let len = 1
                + varint_len(key_index)
                + ehk_index.map_or(0, |i| 1 + varint_len(i))
                + field_len(r.data.len());
            out.push(0x1A); // field 3, length-delimited
            put_varint(&mut out, len as u64);
            out.push(0x08); // partition_key_index, varint
            put_varint(&mut out, key_index);
            if let Some(i) = ehk_index {
                out.push(0x10); // explicit_hash_key_index, varint
                put_varint(&mut out, i);
            }
            // data is written even when empty: a strict parser wants it.
            out.push(0x1A);
            put_varint(&mut out, r.data.len() as u64);
            out.extend_from_slice(r.data);
        }
        let digest = md5(&out[MAGIC.len()..]);
        out.extend_from_slice(&digest);
        out
    }
}

/// Aggregates `records` into Kinesis records of at most `max_bytes` each
/// (clamped to 1 MiB; at least the overhead of one small aggregate).
///
/// `shard_of(hash_key)` says which shard a hash key goes to, as any value
/// that is the same for every hash key of a shard (e.g. the starting hash
/// key of its [`ShardMap`](crate::shard_map::ShardMap) shard, or the hash
/// key itself when no map is known); user records are aggregated
/// only with others of the same shard, in input order, and each aggregate
/// carries the explicit hash key of its first user record so that it lands
/// on that shard. Records with and without explicit hash keys are kept in
/// separate aggregates (see below). A group of one, and a record too large for `max_bytes`,
/// are returned as they were. Outputs come in the order of their first user
/// record. An explicit hash key that does not parse is treated as its own
/// shard (the service will refuse it, and only it).
pub fn aggregate(
    records: &[UserRecord<'_>],
    max_bytes: usize,
    shard_of: impl Fn(u128) -> u128,
) -> Vec<OutputRecord> {
    // Producers repeat keys (a session id, a user id): remember their MD5,
    // up to a bound, so a key is hashed once per call.
    let mut memo: Table<'_, u128> = Table::default();
    let hashes: Vec<Option<u128>> = records
        .iter()
        .map(|r| match r.explicit_hash_key {
            Some(ehk) => crate::partition::parse_explicit_hash_key(ehk).ok(),
            None => Some(match memo.lookup(r.partition_key) {
                Ok(&h) => h,
                Err(at) => {
                    let h = hash_key(r.partition_key);
                    if memo.len() < HASH_MEMO_ENTRIES {
                        memo.insert_at(at, r.partition_key, h);
                    }
                    h
                }
            }),
        })
        .collect();
    aggregate_dyn(records, &hashes, max_bytes, &shard_of)
}

/// [`aggregate`] of records whose hash keys are known: `hashes[i]` is
/// `records[i]`'s explicit hash key, or the MD5 of its partition key
/// (`None`: an explicit hash key that does not parse). The producer knows
/// them from when each record was pushed.
pub(crate) fn aggregate_hashed(
    records: &[UserRecord<'_>],
    hashes: &[Option<u128>],
    max_bytes: usize,
    shard_of: impl Fn(u128) -> u128,
) -> Vec<OutputRecord> {
    aggregate_dyn(records, hashes, max_bytes, &shard_of)
}

// One copy in the `.wasm` whatever the caller's closure (generic copies
// measured 6 KB each).
fn aggregate_dyn(
    records: &[UserRecord<'_>],
    hashes: &[Option<u128>],
    max_bytes: usize,
    shard_of: &dyn Fn(u128) -> u128,
) -> Vec<OutputRecord> {
    let max_protobuf = max_bytes.clamp(64, MAX_AGGREGATE_BYTES) - MAGIC.len() - DIGEST_LEN;
    // Open group per shard; finished groups in order of first member.
    // Keyed by shard, and by whether records carry an explicit hash key:
    // some deaggregators (aws-kinesis-agg for Node, through protobufjs's
    // defaults) report index 0 of the table for a record that has none, so
    // the two kinds never share an aggregate.
    let mut open: SortedMap<(Option<u128>, bool), usize> = SortedMap::default();
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut outputs: Vec<(usize, Option<usize>)> = Vec::new(); // (first input index, group) or lone
    for (index, r) in records.iter().enumerate() {
        let shard = hashes.get(index).copied().flatten().map(shard_of);
        let alone = Group::new().place(r);
        if alone.cost > max_protobuf || shard.is_none() {
            outputs.push((index, None));
            continue;
        }
        let slot = (shard, r.explicit_hash_key.is_some());
        let fits = open.get(slot).and_then(|&g| {
            let group = groups.get(g)?;
            let at = group.place(r);
            (group.protobuf_len + at.cost <= max_protobuf).then_some((g, at))
        });
        let (g, at) = match fits {
            Some(fits) => fits,
            None => {
                groups.push(Group::new());
                let g = groups.len() - 1;
                open.insert(slot, g);
                outputs.push((index, Some(g)));
                (g, alone)
            }
        };
        if let Some(group) = groups.get_mut(g) {
            group.add(index, r, at);
        }
    }
    // A loop, not `map(…).collect()` (1 KB less of the producer's `.wasm`).
    let mut out = Vec::with_capacity(outputs.len());
    for &(first, group) in &outputs {
        let Some(head) = records.get(first) else { continue };
        out.push(match group.and_then(|g| groups.get(g)).filter(|g| g.members.len() > 1) {
            Some(group) => {
                let hash = match head.explicit_hash_key {
                    Some(ehk) => ehk.to_owned(),
                    None => format_hash_key(
                        hashes.get(first).copied().flatten().unwrap_or_else(|| hash_key(head.partition_key)),
                    ),
                };
                // One key and no explicit hash keys: the partition key
                // alone routes the aggregate.
                let same_key = group.key_table.len() == 1 && group.hash_key_table.is_empty();
                let mut indices = Vec::with_capacity(group.members.len());
                for m in &group.members {
                    indices.push(m.0);
                }
                OutputRecord {
                    partition_key: head.partition_key.to_owned(),
                    explicit_hash_key: (!same_key).then_some(hash),
                    data: group.encode(records),
                    user_records: group.members.len(),
                    indices,
                }
            }
            None => OutputRecord {
                partition_key: head.partition_key.to_owned(),
                explicit_hash_key: head.explicit_hash_key.map(str::to_owned),
                data: head.data.to_vec(),
                user_records: 1,
                indices: vec![first],
            },
        });
    }
    out
}

/// A user record read back from a Kinesis record, borrowing from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deaggregated<'a> {
    /// Partition key.
    pub partition_key: &'a str,
    /// Explicit hash key, if it had one.
    pub explicit_hash_key: Option<&'a str>,
    /// Data.
    pub data: &'a [u8],
    /// Position in the aggregate; `None` for a record that was not one.
    pub sub_sequence_number: Option<u64>,
}

/// Reads a Kinesis record the way the KCL does: an aggregate yields its
/// user records; anything else (no magic, a wrong MD5, a protobuf that
/// does not parse, an index outside its table) is one plain record.
pub fn deaggregate<'a>(
    partition_key: &'a str,
    explicit_hash_key: Option<&'a str>,
    data: &'a [u8],
) -> Vec<Deaggregated<'a>> {
    match parse_aggregate(data) {
        Some(records) => records,
        None => vec![Deaggregated { partition_key, explicit_hash_key, data, sub_sequence_number: None }],
    }
}

/// Whether `data` is a well-formed aggregate.
pub fn is_aggregate(data: &[u8]) -> bool {
    parse_aggregate(data).is_some()
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(b & 0x7F) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None // more than 10 bytes
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(len)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// Skips a field of an unknown number, as proto2 parsers do.
    fn skip(&mut self, wire_type: u64) -> Option<()> {
        match wire_type {
            0 => self.varint().map(drop),
            1 => self.advance(8),
            2 => self.bytes().map(drop),
            5 => self.advance(4),
            _ => None, // groups (3, 4) and invalid types: refuse
        }
    }

    fn advance(&mut self, n: usize) -> Option<()> {
        let end = self.pos.checked_add(n)?;
        if end > self.buf.len() {
            return None;
        }
        self.pos = end;
        Some(())
    }
}

/// An aggregate read in place: its key tables, and its user records
/// pointing into them (indices checked) and into the input (data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateView<'a> {
    /// `partition_key_table`.
    pub partition_keys: Vec<&'a str>,
    /// `explicit_hash_key_table`.
    pub explicit_hash_keys: Vec<&'a str>,
    /// The user records, in order.
    pub records: Vec<IndexedRecord<'a>>,
}

/// A user record of an [`AggregateView`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexedRecord<'a> {
    /// Index into `partition_keys`.
    pub partition_key: usize,
    /// Index into `explicit_hash_keys`, if it has one.
    pub explicit_hash_key: Option<usize>,
    /// Its data, a slice of the input.
    pub data: &'a [u8],
}

/// Reads `data` as an aggregate; `None` when it is not one (no magic, a
/// wrong MD5, a protobuf that does not parse, an index out of range).
pub fn view(data: &[u8]) -> Option<AggregateView<'_>> {
    if data.len() < MAGIC.len() + DIGEST_LEN || data[..MAGIC.len()] != MAGIC {
        return None;
    }
    let (body, digest) = data[MAGIC.len()..].split_at(data.len() - MAGIC.len() - DIGEST_LEN);
    if md5(body) != digest {
        return None;
    }
    let mut partition_keys: Vec<&str> = Vec::new();
    let mut explicit_hash_keys: Vec<&str> = Vec::new();
    let mut raw_records: Vec<&[u8]> = Vec::new();
    let mut r = Reader { buf: body, pos: 0 };
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => partition_keys.push(core::str::from_utf8(r.bytes()?).ok()?),
            (2, 2) => explicit_hash_keys.push(core::str::from_utf8(r.bytes()?).ok()?),
            (3, 2) => raw_records.push(r.bytes()?),
            (0, _) => return None,
            (_, wire) => r.skip(wire)?,
        }
    }
    let mut records = Vec::with_capacity(raw_records.len());
    for raw in raw_records {
        let mut r = Reader { buf: raw, pos: 0 };
        let (mut key, mut hash, mut data) = (None, None, None);
        while !r.done() {
            let tag = r.varint()?;
            match (tag >> 3, tag & 7) {
                (1, 0) => key = Some(r.varint()?),
                (2, 0) => hash = Some(r.varint()?),
                (3, 2) => data = Some(r.bytes()?),
                (4, 2) => check_tag(r.bytes()?)?,
                (0, _) => return None,
                (_, wire) => r.skip(wire)?,
            }
        }
        let partition_key = usize::try_from(key?).ok().filter(|&i| i < partition_keys.len())?;
        let explicit_hash_key = match hash {
            Some(i) => Some(usize::try_from(i).ok().filter(|&i| i < explicit_hash_keys.len())?),
            None => None,
        };
        records.push(IndexedRecord { partition_key, explicit_hash_key, data: data? });
    }
    Some(AggregateView { partition_keys, explicit_hash_keys, records })
}

fn parse_aggregate(data: &[u8]) -> Option<Vec<Deaggregated<'_>>> {
    let v = view(data)?;
    Some(
        v.records
            .iter()
            .enumerate()
            .map(|(n, r)| Deaggregated {
                partition_key: v.partition_keys[r.partition_key],
                explicit_hash_key: r.explicit_hash_key.map(|i| v.explicit_hash_keys[i]),
                data: r.data,
                sub_sequence_number: Some(n as u64),
            })
            .collect(),
    )
}

/// A `Tag` must have its required key; tags are otherwise not surfaced.
fn check_tag(tag: &[u8]) -> Option<()> {
    let mut r = Reader { buf: tag, pos: 0 };
    let mut has_key = false;
    while !r.done() {
        let t = r.varint()?;
        match (t >> 3, t & 7) {
            (1, 2) => {
                core::str::from_utf8(r.bytes()?).ok()?;
                has_key = true;
            }
            (2, 2) => {
                core::str::from_utf8(r.bytes()?).ok()?;
            }
            (0, _) => return None,
            (_, wire) => r.skip(wire)?,
        }
    }
    has_key.then_some(())
}

#[cfg(test)]
mod tests;
