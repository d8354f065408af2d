//! Hash keys: how Kinesis maps a record to a shard.
//!
//! "An MD5 hash function is used to map partition keys to 128-bit integer
//! values" (API reference, PutRecords): the hash key of a record is the MD5
//! of its partition key's UTF-8 bytes read as an unsigned big-endian
//! 128-bit integer, unless the record carries an ExplicitHashKey, a decimal
//! string `0|([1-9]\d{0,38})` whose value must be at most 2^128 − 1.

use crate::prelude::*;
use core::fmt;

use crate::limits::EXPLICIT_HASH_KEY_MAX_DIGITS;

/// The hash key of a partition key: MD5 of its UTF-8 bytes, big-endian.
pub fn hash_key(partition_key: &str) -> u128 {
    u128::from_be_bytes(crate::md5::md5(partition_key.as_bytes()))
}

/// Why an ExplicitHashKey was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplicitHashKeyError {
    /// Not `0|([1-9]\d{0,38})` (AWS answers `ValidationException`).
    Pattern,
    /// Matches the pattern but exceeds 2^128 − 1 (AWS answers
    /// `InvalidArgumentException`).
    Range,
}

impl ExplicitHashKeyError {
    /// The AWS error code for this refusal.
    pub fn code(self) -> &'static str {
        match self {
            ExplicitHashKeyError::Pattern => "ValidationException",
            ExplicitHashKeyError::Range => "InvalidArgumentException",
        }
    }
}

impl fmt::Display for ExplicitHashKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExplicitHashKeyError::Pattern => {
                "ExplicitHashKey must match the pattern 0|([1-9]\\d{0,38}) (a decimal integer without leading zeros)"
            }
            // kinesalite's text for AWS's InvalidArgumentException.
            ExplicitHashKeyError::Range => {
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]."
            }
        })
    }
}

impl core::error::Error for ExplicitHashKeyError {}

/// Reads an ExplicitHashKey.
pub fn parse_explicit_hash_key(text: &str) -> Result<u128, ExplicitHashKeyError> {
    let bytes = text.as_bytes();
    let well_formed = !bytes.is_empty()
        && bytes.len() <= EXPLICIT_HASH_KEY_MAX_DIGITS
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes[0] != b'0' || bytes.len() == 1);
    if !well_formed {
        return Err(ExplicitHashKeyError::Pattern);
    }
    bytes.iter().try_fold(0u128, |acc, &d| {
        acc.checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(d - b'0')))
            .ok_or(ExplicitHashKeyError::Range)
    })
}

/// A hash key as Kinesis writes it: decimal, no leading zeros.
pub fn format_hash_key(key: u128) -> String {
    // By hand, in base 10^9 digits, dividing with 64-bit arithmetic:
    // `u128`'s `Display` keeps core's formatting machinery in the producer's
    // `.wasm`, and `u128` division its 1 KB software divider.
    const BASE: u32 = 1_000_000_000;
    let mut chunks = [0u32; 5];
    let (mut n, mut count) = (key, 0);
    while count == 0 || n != 0 {
        let (q, r) = div_u32(n, BASE);
        // At most five: 39 digits.
        let Some(chunk) = chunks.get_mut(count) else { break };
        *chunk = r;
        n = q;
        count += 1;
    }
    let mut out = Vec::with_capacity(39);
    for (i, &c) in chunks.iter().take(count).rev().enumerate() {
        let mut digits = Vec::with_capacity(9);
        crate::json::write_u64(&mut digits, u64::from(c));
        if i > 0 {
            out.resize(out.len() + 9 - digits.len(), b'0');
        }
        out.extend_from_slice(&digits);
    }
    String::from_utf8(out).unwrap_or_default()
}

/// `n / d` and `n % d`, by long division over 32-bit limbs.
fn div_u32(n: u128, d: u32) -> (u128, u32) {
    let (mut q, mut r) = (0u128, 0u64);
    for &shift in &[96, 64, 32, 0] {
        let cur = (r << 32) | u64::from((n >> shift) as u32);
        q |= u128::from((cur / u64::from(d)) as u32) << shift;
        r = cur % u64::from(d);
    }
    (q, r as u32)
}

/// How a client picks partition keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionKeyStrategy {
    /// The caller gives a key with every record.
    Given,
    /// A fresh random key per record: records spread evenly over the hash
    /// key space, and so over evenly split shards.
    Random,
    /// One key for everything from this session or user (e.g. a session id),
    /// so its records stay in order on one shard.
    Stable(String),
}

impl PartitionKeyStrategy {
    /// The key for a record: `given` for [`Given`](Self::Given) (`None` if
    /// the caller gave none), 32 hex digits of `random` for
    /// [`Random`](Self::Random), the stable key otherwise. Randomness is an
    /// argument: the core reads no random source.
    pub fn key(&self, given: Option<&str>, random: u128) -> Option<String> {
        match self {
            PartitionKeyStrategy::Given => given.map(str::to_owned),
            PartitionKeyStrategy::Random => Some(format!("{random:032x}")),
            PartitionKeyStrategy::Stable(key) => Some(key.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_keys_format_as_decimal() {
        let mut keys = vec![
            0u128,
            1,
            9,
            10,
            10u128.pow(19) - 1,
            10u128.pow(19),
            10u128.pow(19) + 7,
            10u128.pow(9) - 1,
            10u128.pow(9),
            10u128.pow(18),
            10u128.pow(27) - 1,
            10u128.pow(27),
            10u128.pow(36) + 1,
            10u128.pow(38),
            u128::MAX,
            u128::MAX / 3,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
        for _ in 0..1000 {
            x = x.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(1) ^ (x >> 67);
            keys.push(x >> (x % 128));
        }
        for k in keys {
            assert_eq!(format_hash_key(k), k.to_string());
        }
    }

    use super::*;

    #[test]
    fn md5_big_endian() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(hash_key(""), 0xd41d8cd98f00b204e9800998ecf8427e);
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(hash_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
        assert_eq!(format_hash_key(hash_key("a")), "16955237001963240173058271559858726497");
    }

    #[test]
    fn explicit_hash_keys() {
        assert_eq!(parse_explicit_hash_key("0"), Ok(0));
        assert_eq!(parse_explicit_hash_key("340282366920938463463374607431768211455"), Ok(u128::MAX));
        assert_eq!(
            parse_explicit_hash_key("340282366920938463463374607431768211456"),
            Err(ExplicitHashKeyError::Range)
        );
        assert_eq!(
            parse_explicit_hash_key("999999999999999999999999999999999999999"),
            Err(ExplicitHashKeyError::Range)
        );
        for bad in ["", "01", "-1", "1.0", " 1", "1000000000000000000000000000000000000000", "١"] {
            assert_eq!(parse_explicit_hash_key(bad), Err(ExplicitHashKeyError::Pattern), "{bad}");
        }
        assert_eq!(ExplicitHashKeyError::Range.code(), "InvalidArgumentException");
    }

    #[test]
    fn strategies() {
        assert_eq!(PartitionKeyStrategy::Given.key(Some("k"), 7), Some("k".into()));
        assert_eq!(PartitionKeyStrategy::Given.key(None, 7), None);
        assert_eq!(
            PartitionKeyStrategy::Random.key(None, 255).as_deref(),
            Some("000000000000000000000000000000ff")
        );
        assert_eq!(PartitionKeyStrategy::Stable("s".into()).key(Some("k"), 1), Some("s".into()));
    }
}
