//! AWS's CBOR wire format for Kinesis (`Content-Type:
//! application/x-amz-cbor-1.1`), which the AWS SDK for Java (v1 and v2)
//! and so the KCL speak by default: the same requests and answers as JSON
//! 1.1, written in CBOR (RFC 8949). Blobs are byte strings, not base64
//! text, and timestamps are tag 1 over epoch *milliseconds* (the SDK's
//! `SdkCborGenerator` writes `instant.toEpochMilli()`, and its
//! `AwsCborProtocolFactory` reads payload timestamps as
//! `UNIX_TIMESTAMP_MILLIS`), where JSON 1.1 has epoch seconds.
//!
//! The engine answers through JSON: a request is turned into the JSON 1.1
//! document it stands for ([`request_to_json`]) and the JSON answer into
//! CBOR ([`answer_from_json`]).

use base64::Engine as _;

use crate::json::{self, Value};

/// The content type, and the one the engine answers such requests with.
pub const CONTENT_TYPE: &str = "application/x-amz-cbor-1.1";

/// How deep arrays and maps may nest in a request (AWS's deepest Kinesis
/// request nests three).
const MAX_DEPTH: u32 = 64;

/// Members of Kinesis answers that are timestamps (epoch seconds in JSON
/// 1.1; tag 1 over epoch milliseconds in CBOR).
const TIMESTAMPS: [&str; 3] = ["ApproximateArrivalTimestamp", "StreamCreationTimestamp", "CreateTimestamp"];

/// The JSON 1.1 document a CBOR request stands for: byte strings as
/// base64 text, tag 1 timestamps (epoch milliseconds) as epoch seconds;
/// `None` when `body` is not one well-formed CBOR item whose map keys are
/// text (AWS answers `SerializationException`).
pub fn request_to_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader { b: body, i: 0 };
    let mut out = Vec::with_capacity(body.len() * 4 / 3 + 16);
    r.item(&mut out, 0)?;
    (r.i == body.len()).then_some(out)
}

/// A JSON answer (the engine's) written as CBOR: `Data` members as byte
/// strings, timestamps as tag 1 over epoch milliseconds. A body that is
/// not JSON (none: an action that answers nothing) is returned as it is.
pub fn answer_from_json(body: &[u8]) -> Vec<u8> {
    match json::parse(body) {
        Ok(v) if !body.is_empty() => {
            let mut out = Vec::with_capacity(body.len());
            write(&mut out, &v, "");
            out
        }
        _ => body.to_vec(),
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

/// An item's head: its major type and its argument, or `None` for an
/// indefinite length (info 31).
struct Head {
    major: u8,
    info: u8,
    arg: Option<u64>,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.b.get(self.i)?;
        self.i += 1;
        Some(b)
    }

    fn take(&mut self, n: u64) -> Option<&[u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.i.checked_add(n)?;
        let s = self.b.get(self.i..end)?;
        self.i = end;
        Some(s)
    }

    fn head(&mut self) -> Option<Head> {
        let first = self.byte()?;
        let (major, info) = (first >> 5, first & 31);
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24..=27 => {
                let bytes = self.take(1 << (info - 24))?;
                Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            }
            // Indefinite lengths are for strings, arrays and maps; 31 in
            // major type 7 is a "break", which only ends one of those.
            31 if (2..=5).contains(&major) => None,
            _ => return None,
        };
        Some(Head { major, info, arg })
    }

    /// Whether the next byte is a "break" (the end of an indefinite
    /// length), taking it if so.
    fn at_break(&mut self) -> bool {
        let at = self.b.get(self.i) == Some(&0xff);
        if at {
            self.i += 1;
        }
        at
    }

    /// Whether an array or map of `len` items (`None`: indefinite, up to
    /// a "break") has more after `n`.
    fn more(&mut self, len: Option<u64>, n: u64) -> bool {
        match len {
            Some(len) => n < len,
            None => !self.at_break(),
        }
    }

    /// A byte or text string's bytes, definite or in chunks of its own
    /// major type.
    fn string(&mut self, head: &Head) -> Option<Vec<u8>> {
        match head.arg {
            Some(n) => Some(self.take(n)?.to_vec()),
            None => {
                let mut all = Vec::new();
                while !self.at_break() {
                    let chunk = self.head()?;
                    if chunk.major != head.major {
                        return None;
                    }
                    all.extend_from_slice(self.take(chunk.arg?)?);
                }
                Some(all)
            }
        }
    }

    /// Writes the next item as JSON.
    fn item(&mut self, out: &mut Vec<u8>, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let head = self.head()?;
        match head.major {
            0 => json::write_u64(out, head.arg?),
            1 => {
                // −1 − n, which for n = u64::MAX is beyond i64.
                out.push(b'-');
                out.extend_from_slice((u128::from(head.arg?) + 1).to_string().as_bytes());
            }
            2 => {
                let bytes = self.string(&head)?;
                out.push(b'"');
                out.extend_from_slice(base64::engine::general_purpose::STANDARD.encode(bytes).as_bytes());
                out.push(b'"');
            }
            3 => json::write_string(out, &String::from_utf8(self.string(&head)?).ok()?),
            // An array, or a map (keys are text): JSON's array or object.
            4 | 5 => {
                let map = head.major == 5;
                out.push(if map { b'{' } else { b'[' });
                let mut n = 0u64;
                while self.more(head.arg, n) {
                    if n > 0 {
                        out.push(b',');
                    }
                    if map {
                        let key = self.head()?;
                        if key.major != 3 {
                            return None;
                        }
                        json::write_string(out, &String::from_utf8(self.string(&key)?).ok()?);
                        out.push(b':');
                    }
                    self.item(out, depth + 1)?;
                    n += 1;
                }
                out.push(if map { b'}' } else { b']' });
            }
            6 => {
                if head.arg? != 1 {
                    // Another tag: its content stands for itself.
                    return self.item(out, depth + 1);
                }
                // A timestamp: epoch milliseconds, an integer or a float,
                // written as seconds with three decimals.
                let ms = self.head()?;
                let ms: i128 = match (ms.major, ms.info) {
                    (0, _) => i128::from(ms.arg?),
                    (1, _) => -1 - i128::from(ms.arg?),
                    (7, 25..=27) => {
                        let v = float(ms.info, ms.arg?).filter(|v| v.abs() < 1e18)?;
                        v.round() as i128
                    }
                    _ => return None,
                };
                write_fixed(out, ms, 3);
            }
            _ => match head.info {
                20 => out.extend_from_slice(b"false"),
                21 => out.extend_from_slice(b"true"),
                22 | 23 => out.extend_from_slice(b"null"),
                25..=27 => {
                    // To a millionth (no Kinesis member takes a fraction
                    // finer than a millisecond), or whole when larger than
                    // that allows.
                    let v = float(head.info, head.arg?)?;
                    if v.abs() < 1e12 {
                        write_fixed(out, (v * 1e6).round() as i128, 6);
                    } else if v.abs() < 1e36 {
                        write_fixed(out, v.round() as i128, 0);
                    } else {
                        return None;
                    }
                }
                _ => return None,
            },
        }
        Some(())
    }
}

/// An IEEE 754 half-precision float's value (RFC 8949, appendix D).
fn half(bits: u16) -> f64 {
    let exp = (bits >> 10) & 0x1f;
    let mant = f64::from(bits & 0x3ff);
    let v = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mant + 1024.0) * 2f64.powi(i32::from(exp) - 25),
    };
    if bits & 0x8000 != 0 {
        -v
    } else {
        v
    }
}

/// A half, single or double float (CBOR's additional information 25, 26,
/// 27) from its bits, when finite.
fn float(info: u8, bits: u64) -> Option<f64> {
    let v = match info {
        25 => half(bits as u16),
        26 => f64::from(f32::from_bits(bits as u32)),
        _ => f64::from_bits(bits),
    };
    v.is_finite().then_some(v)
}

/// `n` × 10^−`places` as a JSON number, by integer arithmetic (formatting
/// an `f64` would bring the float printer into the `.wasm`): `-1.5` for
/// (−1500, 3), trailing zeros of the fraction left out.
fn write_fixed(out: &mut Vec<u8>, n: i128, places: u32) {
    if n < 0 {
        out.push(b'-');
    }
    let n = n.unsigned_abs();
    let scale = 10u128.pow(places);
    out.extend_from_slice((n / scale).to_string().as_bytes());
    let mut frac = n % scale;
    if frac > 0 {
        let mut digits = places;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        out.push(b'.');
        let text = frac.to_string();
        out.extend(core::iter::repeat_n(b'0', digits as usize - text.len()));
        out.extend_from_slice(text.as_bytes());
    }
}

/// A CBOR head: major type and argument, in the shortest form.
fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}

fn write_text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A JSON number as a CBOR integer when it is one, else a double.
fn write_number(out: &mut Vec<u8>, text: &str) {
    if let Ok(n) = text.parse::<u64>() {
        head(out, 0, n);
    } else if let Ok(n) = text.parse::<i64>() {
        head(out, 1, (-1 - n) as u64);
    } else {
        out.push(0xfb);
        out.extend_from_slice(&text.parse::<f64>().unwrap_or(0.0).to_bits().to_be_bytes());
    }
}

/// Writes `v`, the member `key` of its object ("" elsewhere), as CBOR.
fn write(out: &mut Vec<u8>, v: &Value<'_>, key: &str) {
    match v {
        Value::Null => out.push(0xf6),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Number(n) if TIMESTAMPS.contains(&key) => {
            let ms = (n.parse::<f64>().unwrap_or(0.0) * 1000.0).round() as i64;
            out.push(0xc1); // tag 1
            match u64::try_from(ms) {
                Ok(ms) => head(out, 0, ms),
                Err(_) => head(out, 1, (-1 - ms) as u64),
            }
        }
        Value::Number(n) => write_number(out, n),
        Value::String(s) if key == "Data" => {
            match base64::engine::general_purpose::STANDARD.decode(s.as_bytes()) {
                Ok(bytes) => {
                    head(out, 2, bytes.len() as u64);
                    out.extend_from_slice(&bytes);
                }
                Err(_) => write_text(out, s),
            }
        }
        Value::String(s) => write_text(out, s),
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            for item in items {
                write(out, item, "");
            }
        }
        Value::Object(members) => {
            head(out, 5, members.len() as u64);
            for (k, item) in members {
                write_text(out, k);
                write(out, item, k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(cbor: &[u8]) -> Option<String> {
        request_to_json(cbor).map(|j| String::from_utf8(j).unwrap())
    }

    #[test]
    fn requests_as_the_java_sdk_writes_them() {
        // Jackson's CBORGenerator writes objects as indefinite-length maps
        // (0xbf … 0xff): a PutRecord with a 3-byte blob.
        let mut put = vec![0xbf];
        write_text(&mut put, "StreamName");
        write_text(&mut put, "s");
        write_text(&mut put, "Data");
        put.extend_from_slice(&[0x43, 1, 2, 3]);
        write_text(&mut put, "PartitionKey");
        write_text(&mut put, "k\"é");
        put.push(0xff);
        assert_eq!(json_of(&put).unwrap(), r#"{"StreamName":"s","Data":"AQID","PartitionKey":"k\"é"}"#);
        // AT_TIMESTAMP: tag 1 over epoch milliseconds, as an integer or a
        // double; seconds in JSON 1.1.
        let mut at = vec![0xa1];
        write_text(&mut at, "Timestamp");
        at.extend_from_slice(&[0xc1, 0x1b]);
        at.extend_from_slice(&1_764_158_400_123u64.to_be_bytes());
        assert_eq!(json_of(&at).unwrap(), r#"{"Timestamp":1764158400.123}"#);
        let mut at = vec![0xa1];
        write_text(&mut at, "Timestamp");
        at.extend_from_slice(&[0xc1, 0xfb]);
        at.extend_from_slice(&1_500.0f64.to_bits().to_be_bytes());
        assert_eq!(json_of(&at).unwrap(), r#"{"Timestamp":1.5}"#);
        // Chunked strings, arrays of both kinds, numbers of every width.
        let chunked = [
            0xa2, 0x7f, 0x61, b'a', 0x61, b'b', 0xff, 0x5f, 0x41, 0xff, 0x41, 0, 0xff, 0x61, b'n', 0x9f,
            0x00, 0x17, 0x18, 0x18, 0x39, 0x01, 0x00, 0xf9, 0x3e, 0x00, 0xfa, 0x3f, 0xc0, 0, 0, 0x82, 0xf5,
            0xf6, 0xff,
        ];
        assert_eq!(json_of(&chunked).unwrap(), r#"{"ab":"/wA=","n":[0,23,24,-257,1.5,1.5,[true,null]]}"#);
        // Floats to a millionth, timestamps to the millisecond, by integers.
        let mut f = vec![0x84, 0xfb];
        f.extend_from_slice(&(-0.1f64).to_bits().to_be_bytes());
        f.extend_from_slice(&[0xfb]);
        f.extend_from_slice(&1e20f64.to_bits().to_be_bytes());
        f.extend_from_slice(&[0xc1, 0x39, 0x05, 0xdb, 0xc1, 0x00]);
        assert_eq!(json_of(&f).unwrap(), "[-0.1,100000000000000000000,-1.5,0]");
        // A definite array last in an indefinite one: the break is the outer's.
        assert_eq!(json_of(&[0x9f, 0x82, 0xf5, 0xf6, 0xff]).unwrap(), "[[true,null]]");
        assert_eq!(
            json_of(&[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap(),
            "-18446744073709551616"
        );
    }

    #[test]
    fn malformed_requests_are_refused_not_panicked_on() {
        let deep: Vec<u8> = core::iter::repeat_n(0x81, 100).chain([0x00]).collect();
        for bad in [
            &[][..],
            &[0xa1, 0x01, 0x01],       // a key that is not text
            &[0xa1, 0x61],             // cut short
            &[0x62, 0xff, 0xfe],       // text that is not UTF-8
            &[0xff],                   // a break outside an indefinite length
            &[0x1c],                   // a reserved argument width
            &[0x5f, 0x61, b'a', 0xff], // a text chunk in a byte string
            &[0xfa, 0x7f, 0xc0, 0, 0], // NaN
            &[0xc1, 0x61, b'x'],       // a timestamp that is text
            &[0x01, 0x01],             // two items
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &deep,
        ] {
            assert_eq!(request_to_json(bad), None, "{bad:02x?}");
        }
    }

    #[test]
    fn answers_carry_blobs_as_bytes_and_timestamps_in_milliseconds() {
        let body = br#"{"Records":[{"SequenceNumber":"49","ApproximateArrivalTimestamp":1764158400.123,"Data":"AQID","PartitionKey":"k"}],"MillisBehindLatest":0,"n":-2,"f":0.5}"#;
        let cbor = answer_from_json(body);
        let mut want = vec![0xa4];
        write_text(&mut want, "Records");
        want.extend_from_slice(&[0x81, 0xa4]);
        write_text(&mut want, "SequenceNumber");
        write_text(&mut want, "49");
        write_text(&mut want, "ApproximateArrivalTimestamp");
        want.extend_from_slice(&[0xc1, 0x1b]);
        want.extend_from_slice(&1_764_158_400_123u64.to_be_bytes());
        write_text(&mut want, "Data");
        want.extend_from_slice(&[0x43, 1, 2, 3]);
        write_text(&mut want, "PartitionKey");
        write_text(&mut want, "k");
        write_text(&mut want, "MillisBehindLatest");
        want.push(0x00);
        write_text(&mut want, "n");
        want.push(0x21);
        write_text(&mut want, "f");
        want.push(0xfb);
        want.extend_from_slice(&0.5f64.to_bits().to_be_bytes());
        assert_eq!(cbor, want);
        // And back: what a client reads is what the engine wrote.
        assert_eq!(
            json_of(&cbor).unwrap(),
            r#"{"Records":[{"SequenceNumber":"49","ApproximateArrivalTimestamp":1764158400.123,"Data":"AQID","PartitionKey":"k"}],"MillisBehindLatest":0,"n":-2,"f":0.5}"#
        );
        assert_eq!(answer_from_json(b""), b"");
    }

    /// A JSON document of strings, integers, booleans, nulls, arrays and
    /// objects, written compactly (as the engine writes its answers).
    #[cfg(not(target_arch = "wasm32"))]
    fn json_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just("null".to_owned()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            ".{0,12}".prop_map(|t| {
                let mut out = Vec::new();
                json::write_string(&mut out, &t);
                String::from_utf8(out).unwrap()
            }),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(("[a-zA-Z]{1,8}", inner), 0..6).prop_map(|m| {
                    let members: Vec<String> = m.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// An answer written as CBOR reads back as the JSON it was (keys
        /// other than `Data` and the timestamps keep their JSON types).
        #[test]
        fn answers_read_back_as_they_were(text in json_text()) {
            let text = if text.starts_with('{') { text } else { format!("{{\"v\":{text}}}") };
            proptest::prop_assume!(!text.contains("\"Data\"") && !TIMESTAMPS.iter().any(|t| text.contains(t)));
            let back = request_to_json(&answer_from_json(text.as_bytes()));
            proptest::prop_assert_eq!(back.map(|b| String::from_utf8(b).unwrap()), Some(text));
        }

        /// Whatever the bytes (a valid request cut short or changed), an
        /// answer or `None`, never a panic; an answer is JSON.
        #[test]
        fn any_bytes_are_read_or_refused(
            text in json_text(),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            flips in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 0..3),
        ) {
            let mut bytes = answer_from_json(format!("{{\"v\":{text}}}").as_bytes());
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Some(j) = request_to_json(&bytes) {
                proptest::prop_assert!(json::parse(&j).is_ok(), "{}", String::from_utf8_lossy(&j));
            }
        }
    }
}
