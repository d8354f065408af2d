//! A small JSON reader and writer for the JSON 1.1 protocol.
//!
//! Reading: a borrowed tree ([`Value`]) with strings unescaped only when
//! they contain escapes, nesting limited to [`MAX_DEPTH`], and a typed
//! error (never a panic) for anything that is not JSON. Written here
//! rather than taken from `serde_json`: parsing a `serde_json::Value` made
//! a minimal `opt-level = "z"` wasm 28.7 KB (14.0 KB gzipped) larger
//! (measured with `wasm-opt -Oz`), about half the producer's whole
//! 30 KB gzipped budget; this reader is about 250 lines.
//!
//! Writing: string escaping as `JSON.stringify` does it (the AWS SDK for
//! JavaScript serializes with it), so encoded bodies can be byte-identical.

use crate::prelude::*;
use alloc::borrow::Cow;

/// Deepest nesting accepted: far beyond any AWS response, low enough that
/// recursion cannot exhaust the stack on hostile input.
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value, borrowing from the input where it can.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written (AWS numbers are integers and timestamps).
    Number(&'a str),
    /// A string.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object, members in order.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl<'a> Value<'a> {
    /// The member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The number as an unsigned integer, if it is one. (A loop, not
    /// `str::parse`, whose generic integer parser was 0.1 KB more of the
    /// producer's `.wasm`; a JSON number has no sign but `-`.)
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if !n.is_empty() => n.bytes().try_fold(0u64, |acc, d| {
                let digit = d.checked_sub(b'0').filter(|d| *d < 10)?;
                acc.checked_mul(10)?.checked_add(u64::from(digit))
            }),
            _ => None,
        }
    }

    /// The number as a float (timestamps come as epoch seconds).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }
}

/// Where and why JSON could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What was expected.
    pub expected: Expected,
}

/// What the parser expected where it stopped: a code, whose words
/// ([`Expected::as_str`]) are only in a build that shows them (the
/// producer's drops a response it cannot read, saying only that).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // Each says itself in as_str.
pub enum Expected {
    Utf8,
    End,
    Value,
    ShallowerNesting,
    MemberName,
    Colon,
    CommaOrBrace,
    CommaOrBracket,
    Digits,
    FractionDigits,
    ExponentDigits,
    Quote,
    EscapedControl,
    LowSurrogate,
    CodePoint,
    NotLoneSurrogate,
    Escape,
    HexDigits,
}

impl Expected {
    /// In words, e.g. "a member name".
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::Utf8 => "UTF-8 text",
            Expected::End => "the end of the document",
            Expected::Value => "a value",
            Expected::ShallowerNesting => "less deeply nested values",
            Expected::MemberName => "a member name",
            Expected::Colon => "':'",
            Expected::CommaOrBrace => "',' or '}'",
            Expected::CommaOrBracket => "',' or ']'",
            Expected::Digits => "digits",
            Expected::FractionDigits => "digits after '.'",
            Expected::ExponentDigits => "exponent digits",
            Expected::Quote => "'\"'",
            Expected::EscapedControl => "an escaped control character",
            Expected::LowSurrogate => "a low surrogate",
            Expected::CodePoint => "a code point",
            Expected::NotLoneSurrogate => "a code point (not a lone surrogate)",
            Expected::Escape => "an escape",
            Expected::HexDigits => "four hex digits",
        }
    }
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "invalid JSON at byte {}: expected {}", self.offset, self.expected.as_str())
    }
}

impl core::error::Error for JsonError {}

/// Parses a whole JSON document.
pub fn parse(input: &[u8]) -> Result<Value<'_>, JsonError> {
    let text = core::str::from_utf8(input)
        .map_err(|e| JsonError { offset: e.valid_up_to(), expected: Expected::Utf8 })?;
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err(Expected::End));
    }
    Ok(v)
}

/// A reader of JSON of a known shape whose strings have nothing escaped
/// (the engine's PutRecords reader): each step is `None` when the next
/// token is not the one expected, and the caller then reads the document
/// with [`parse`] instead.
#[cfg(feature = "std")]
pub(crate) struct Plain<'a>(Parser<'a>);

#[cfg(feature = "std")]
impl<'a> Plain<'a> {
    /// `None` when `input` is not UTF-8.
    pub(crate) fn new(input: &'a [u8]) -> Option<Plain<'a>> {
        let s = core::str::from_utf8(input).ok()?;
        Some(Plain(Parser { s, b: s.as_bytes(), i: 0 }))
    }

    /// `byte` (`{`, `:`, `,` …), after any white space.
    pub(crate) fn eat(&mut self, byte: u8) -> Option<()> {
        self.0.ws();
        (self.0.b.get(self.0.i) == Some(&byte)).then(|| self.0.i += 1)
    }

    /// A string with nothing escaped.
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.0.i;
        self.0.i += plain_len(self.0.b.get(start..).unwrap_or_default());
        // At the closing quote, not at a byte to escape (nor white space
        // after a raw tab, as `eat` would skip).
        let s = self.0.slice(start);
        (self.0.b.get(self.0.i) == Some(&b'"')).then(|| {
            self.0.i += 1;
            s
        })
    }

    /// Whether only white space is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.0.ws();
        self.0.i == self.0.b.len()
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, expected: Expected) -> JsonError {
        JsonError { offset: self.i, expected }
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, literal: &str, v: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.b[self.i..].starts_with(literal.as_bytes()) {
            self.i += literal.len();
            Ok(v)
        } else {
            Err(self.err(Expected::Value))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(Expected::ShallowerNesting));
        }
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err(Expected::MemberName));
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err(Expected::Colon));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(members));
                        }
                        _ => return Err(self.err(Expected::CommaOrBrace)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.err(Expected::CommaOrBracket)),
                    }
                }
            }
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.eat("true", Value::Bool(true)),
            Some(b'f') => self.eat("false", Value::Bool(false)),
            Some(b'n') => self.eat("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err(Expected::Value)),
        }
    }

    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.i;
        let digits = |p: &mut Parser<'a>| {
            let from = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i > from
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else if !digits(self) {
            return Err(self.err(Expected::Digits));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.err(Expected::FractionDigits));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.err(Expected::ExponentDigits));
            }
        }
        Ok(Value::Number(self.slice(start)))
    }

    /// The text from `start` to here. Both ends sit next to ASCII (a quote,
    /// a backslash, a digit), so on character boundaries; `get` says so
    /// without the panic path that slicing `str` keeps alive in wasm.
    fn slice(&self, start: usize) -> &'a str {
        self.s.get(start..self.i).unwrap_or_default()
    }

    /// A string; `self.i` is at its opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.i += 1;
        let start = self.i;
        // Fast path: no escapes (one tight scan to the first byte that
        // needs a look).
        self.i += plain_len(self.b.get(start..).unwrap_or_default());
        match self.b.get(self.i) {
            None => return Err(self.err(Expected::Quote)),
            Some(b'"') => {
                let s = self.slice(start);
                self.i += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.err(Expected::EscapedControl)),
        }
        let mut out = String::from(self.slice(start));
        loop {
            match self.b.get(self.i) {
                None => return Err(self.err(Expected::Quote)),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.b.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair: \uD8xx\uDCxx.
                                if self.b.get(self.i + 1) != Some(&b'\\')
                                    || self.b.get(self.i + 2) != Some(&b'u')
                                {
                                    return Err(self.err(Expected::LowSurrogate));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err(Expected::LowSurrogate));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                    .ok_or(self.err(Expected::CodePoint))?
                            } else {
                                char::from_u32(hi).ok_or(self.err(Expected::NotLoneSurrogate))?
                            }
                        }
                        _ => return Err(self.err(Expected::Escape)),
                    };
                    out.push(c);
                    self.i += 1;
                }
                Some(&c) if c < 0x20 => return Err(self.err(Expected::EscapedControl)),
                Some(_) => {
                    // Copy the run up to the next quote or backslash.
                    let from = self.i;
                    while self.b.get(self.i).is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20) {
                        self.i += 1;
                    }
                    out.push_str(self.slice(from));
                }
            }
        }
    }

    /// Four hex digits after `\u`; leaves `self.i` on the last one.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.b.get(self.i + 1..self.i + 5).ok_or(self.err(Expected::HexDigits))?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16).ok_or(self.err(Expected::HexDigits))?;
        }
        self.i += 4;
        Ok(v)
    }
}

/// Appends `n` in decimal. By hand: integer `Display` keeps core's
/// formatting machinery in the producer's `.wasm`.
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `n` in decimal, as a `String`.
pub fn u64_text(n: u64) -> String {
    let mut out = Vec::with_capacity(20);
    write_u64(&mut out, n);
    String::from_utf8(out).unwrap_or_default()
}

/// How many bytes from the start of `bytes` a JSON string holds as they
/// are: the index of the first `"`, `\` or control character, or the
/// length when there is none.
///
/// The speed-optimized builds look at eight bytes at a time (a word, with
/// the bit tricks of "Determine if a word has a zero byte" and "… a byte
/// less than n" in Sean Eron Anderson's *Bit Twiddling Hacks*, both exact
/// as tests of whether any byte matches): strings here are mostly long
/// runs of plain ASCII (base64 data, sequence numbers, keys), and this
/// scan was a tenth of the engine's PutRecords profile byte by byte. The
/// producer entry keeps the byte loop (smaller).
pub(crate) fn plain_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    if cfg!(feature = "std") {
        const ONES: u64 = u64::from_le_bytes([1; 8]);
        const HIGH: u64 = ONES << 7;
        while let Some(Ok(word)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
            let x = u64::from_le_bytes(word);
            let quote = x ^ (ONES * u64::from(b'"'));
            let backslash = x ^ (ONES * u64::from(b'\\'));
            let found = (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (x.wrapping_sub(ONES * 0x20) & !x);
            if found & HIGH != 0 {
                break;
            }
            at += 8;
        }
    }
    let tail = bytes.get(at..).unwrap_or_default();
    at + tail.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(tail.len())
}

/// Appends `s` as a JSON string literal, escaped as `JSON.stringify` does:
/// `"` and `\`, `\b \f \n \r \t`, other control characters as `\u00XX`;
/// everything else (non-ASCII included) as it is.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    if plain_len(bytes) == bytes.len() {
        // The usual case (keys, ids, sequence numbers): one copy.
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut from = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let escaped: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0..=0x1F => &[b'\\', b'u', b'0', b'0', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]],
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        out.extend_from_slice(escaped);
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_u64_exactly_as_rust_parses_them() {
        for n in [
            "0",
            "7",
            "42",
            "1000000",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "-1",
            "-0",
            "1.5",
            "1e3",
            "1E3",
            "",
            "12a",
        ] {
            assert_eq!(Value::Number(n).as_u64(), n.parse::<u64>().ok(), "{n:?}");
        }
    }

    #[test]
    fn reads_aws_shapes() {
        let v = parse(br#"{"FailedRecordCount":1,"Records":[{"SequenceNumber":"4959","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}"#).unwrap();
        assert_eq!(v.get("FailedRecordCount").and_then(Value::as_u64), Some(1));
        let records = v.get("Records").and_then(Value::as_array).unwrap();
        assert_eq!(
            records[1].get("ErrorCode").and_then(Value::as_str),
            Some("ProvisionedThroughputExceededException")
        );
        assert_eq!(
            parse(b" [1.5e3, -0, true, false, null, \"a\\u00e9\\ud83d\\ude00\\n\"] ").unwrap(),
            Value::Array(vec![
                Value::Number("1.5e3"),
                Value::Number("-0"),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::String("aé😀\n".into()),
            ])
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1,]",
            b"01",
            b"1.",
            b"-",
            b"\"\\ud800\"",
            b"\"\\udc00\"",
            b"\"\\x\"",
            b"\"a\nb\"",
            b"tru",
            b"{} x",
            b"\xff",
            b"\"\\u12",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(deep.as_bytes()).is_err());
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// The word-at-a-time scan finds the byte the plain loop finds:
        /// mostly plain bytes, so that runs are long, with the bytes it
        /// stops at and those beside them (`0x1f`/`0x20`, `!`, `[`/`]`,
        /// and bytes with the high bit set) mixed in.
        #[test]
        fn plain_len_finds_the_first_byte_to_escape(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                16 => proptest::sample::select(b"aZ09+/=-_.~ ".to_vec()),
                2 => proptest::sample::select(vec![b'"', b'\\', 0, 0x1f, 0x20, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff]),
                1 => proptest::prelude::any::<u8>(),
            ], 0..80)
        ) {
            let want = bytes.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(plain_len(&bytes), want);
        }
    }

    #[test]
    fn writes_like_json_stringify() {
        let mut out = Vec::new();
        write_string(&mut out, "a\"b\\c\n\u{1}\u{7f}é\u{2028}😀");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001\u{7f}é\u{2028}😀\"".as_bytes());
    }
}
