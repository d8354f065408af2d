//! Shard iterators: opaque tokens bound to a stream, a shard, a position
//! and the time they were issued (they expire five minutes later).

use base64::Engine as _;

use crate::time::Timestamp;

/// The five GetShardIterator types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IteratorType<'a> {
    /// The oldest record still retained.
    TrimHorizon,
    /// Just after the newest record.
    Latest,
    /// At this sequence number.
    AtSequenceNumber(&'a str),
    /// Just after this sequence number.
    AfterSequenceNumber(&'a str),
    /// The first record that arrived at or after this time.
    AtTimestamp(Timestamp),
}

/// Where an iterator reads from: the first record at (`inclusive`) or after
/// `sequence_number`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) sequence_number: String,
    pub(crate) inclusive: bool,
}

const VERSION: &str = "ke1";

pub(crate) fn encode(stream: &str, shard: &str, position: &Position, issued: Timestamp) -> String {
    let text = format!(
        "{VERSION}\n{stream}\n{shard}\n{}\n{}\n{}",
        position.sequence_number,
        u8::from(position.inclusive),
        issued.as_millis()
    );
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// `(stream, shard, position, issued)`, or `None` for anything that is not
/// a token this engine issued.
pub(crate) fn decode(token: &str) -> Option<(String, String, Position, Timestamp)> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut f = text.split('\n');
    let (version, stream, shard, seq, inclusive, issued) =
        (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
    if version != VERSION || f.next().is_some() || seq.len() != 56 || !seq.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let inclusive = match inclusive {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let issued = Timestamp::from_millis(issued.parse().ok()?)?;
    Some((
        stream.to_owned(),
        shard.to_owned(),
        Position { sequence_number: seq.to_owned(), inclusive },
        issued,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let p = Position { sequence_number: "4".repeat(56), inclusive: true };
        let t = Timestamp::from_millis(1_700_000_000_000).unwrap();
        let token = encode("s", "shardId-000000000000", &p, t);
        assert_eq!(decode(&token), Some(("s".into(), "shardId-000000000000".into(), p, t)));
        for bad in
            ["", "!!!", "a2Ux", &base64::engine::general_purpose::STANDARD.encode("ke1\ns\nx\n1\n1\n1")]
        {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
