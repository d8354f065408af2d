//! Time as a value.
//!
//! The core never reads a clock: every call that needs the time takes a
//! [`Timestamp`] argument (the adapters read `Date.now()`, tests use a
//! simulated clock). This module converts between milliseconds since the
//! Unix epoch, the civil calendar (proleptic Gregorian, UTC) and the two
//! text forms AWS uses: ISO 8601 (`2015-08-30T12:36:00Z`) and SigV4's basic
//! form (`20150830T123600Z`).

use crate::prelude::*;
use core::fmt;

/// An instant, as whole milliseconds since 1970-01-01T00:00:00Z (UTC).
///
/// The range is that of years 0000 to 9999, which is what the text forms
/// can express; constructors refuse anything outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Milliseconds from the epoch to 0000-01-01T00:00:00Z.
const MIN_MS: i64 = -62_167_219_200_000;
/// Milliseconds from the epoch to 9999-12-31T23:59:59.999Z.
const MAX_MS: i64 = 253_402_300_799_999;

const MS_PER_DAY: i64 = 86_400_000;

/// Why a time could not be read or represented. A code: its words are
/// only in a build that shows them (the producer's reads a service's times
/// and, when it cannot, does without).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeError {
    what: Problem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    Iso8601,
    Basic,
    HttpDate,
    OutOfRange,
    NotCalendarDate,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.what {
            Problem::Iso8601 => {
                "expected an ISO 8601 date-time such as 2015-08-30T12:36:00Z (or 20150830T123600Z)"
            }
            Problem::Basic => "expected a SigV4 date-time such as 20150830T123600Z",
            Problem::HttpDate => "expected an HTTP date such as Sun, 06 Nov 1994 08:49:37 GMT",
            Problem::OutOfRange => "date-time out of range",
            Problem::NotCalendarDate => "date-time out of range (or not a calendar date)",
        })
    }
}

impl core::error::Error for TimeError {}

/// A UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year, 0..=9999.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
    /// Millisecond, 0..=999.
    pub millis: u32,
}

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// From milliseconds since the epoch; `None` outside years 0000..=9999.
    pub fn from_millis(ms: i64) -> Option<Timestamp> {
        (MIN_MS..=MAX_MS).contains(&ms).then_some(Timestamp(ms))
    }

    /// From a JS number of milliseconds (`Date.now()`, `date.getTime()`):
    /// fractions are truncated towards negative infinity, as `Date` does.
    pub fn from_millis_f64(ms: f64) -> Option<Timestamp> {
        if !ms.is_finite() {
            return None;
        }
        let ms = crate::num::floor(ms);
        if ms < MIN_MS as f64 || ms > MAX_MS as f64 {
            return None;
        }
        Some(Timestamp(ms as i64))
    }

    /// From whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> Option<Timestamp> {
        secs.checked_mul(1000).and_then(Timestamp::from_millis)
    }

    /// Milliseconds since the epoch.
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch (rounded down).
    pub fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant moved by `ms` milliseconds, saturating at the ends of
    /// the representable range.
    pub fn add_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms).clamp(MIN_MS, MAX_MS))
    }

    /// The calendar date and time of this instant, in UTC.
    pub fn civil(self) -> Civil {
        let days = self.0.div_euclid(MS_PER_DAY);
        let in_day = self.0.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (in_day / 3_600_000) as u32,
            minute: (in_day / 60_000 % 60) as u32,
            second: (in_day / 1000 % 60) as u32,
            millis: (in_day % 1000) as u32,
        }
    }

    /// From a calendar date and time in UTC; `None` if any field is out of
    /// range (including 30 February and the like).
    pub fn from_civil(c: Civil) -> Option<Timestamp> {
        if !(0..=9999).contains(&c.year)
            || !(1..=12).contains(&c.month)
            || c.day < 1
            || c.day > days_in_month(c.year, c.month)
            || c.hour > 23
            || c.minute > 59
            || c.second > 59
            || c.millis > 999
        {
            return None;
        }
        let days = days_from_civil(c.year, c.month, c.day);
        let ms = days * MS_PER_DAY
            + i64::from(c.hour) * 3_600_000
            + i64::from(c.minute) * 60_000
            + i64::from(c.second) * 1000
            + i64::from(c.millis);
        Timestamp::from_millis(ms)
    }

    /// SigV4's `X-Amz-Date` form: `YYYYMMDDTHHMMSSZ`.
    pub fn amz_date(self) -> [u8; 16] {
        let c = self.civil();
        let mut out = *b"00000000T000000Z";
        put_digits(&mut out[0..4], c.year as u32);
        put_digits(&mut out[4..6], c.month);
        put_digits(&mut out[6..8], c.day);
        put_digits(&mut out[9..11], c.hour);
        put_digits(&mut out[11..13], c.minute);
        put_digits(&mut out[13..15], c.second);
        out
    }

    /// ISO 8601 with milliseconds: `YYYY-MM-DDTHH:MM:SS.sssZ` (as JS's
    /// `Date.prototype.toISOString`).
    pub fn iso8601(self) -> String {
        let c = self.civil();
        let mut out = *b"0000-00-00T00:00:00.000Z";
        put_digits(&mut out[0..4], c.year as u32);
        put_digits(&mut out[5..7], c.month);
        put_digits(&mut out[8..10], c.day);
        put_digits(&mut out[11..13], c.hour);
        put_digits(&mut out[14..16], c.minute);
        put_digits(&mut out[17..19], c.second);
        put_digits(&mut out[20..23], c.millis);
        // Only ASCII digits and punctuation were written.
        out.iter().map(|&b| b as char).collect()
    }

    /// Reads a time in one of the forms AWS and JS use:
    /// - ISO 8601 / RFC 3339 in UTC or with an offset:
    ///   `2015-08-30T12:36:00Z`, `2015-08-30T12:36:00.123Z`,
    ///   `2015-08-30T14:36:00+02:00` (a space may stand for `T`);
    /// - SigV4's basic form `20150830T123600Z`.
    ///
    /// Fractions beyond milliseconds are truncated. Leap seconds (`:60`)
    /// are refused, as AWS never sends them.
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        let b = text.trim().as_bytes();
        let bad = TimeError { what: Problem::Iso8601 };
        // Basic form: YYYYMMDDTHHMMSSZ.
        if b.len() == 16 && b[8] == b'T' && b[15] == b'Z' {
            return Timestamp::parse_amz_date(text.trim())
                .map_err(|e| if e == bad_basic() { bad } else { e });
        }
        // Extended form: YYYY-MM-DD[T ]HH:MM[:SS[.fff…]](Z|±HH:MM|±HHMM).
        if b.len() < 17 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad);
        }
        if b[13] != b':' {
            return Err(bad);
        }
        let mut civil = Civil {
            year: digits(&b[0..4]).ok_or(bad)? as i32,
            month: digits(&b[5..7]).ok_or(bad)?,
            day: digits(&b[8..10]).ok_or(bad)?,
            hour: digits(&b[11..13]).ok_or(bad)?,
            minute: digits(&b[14..16]).ok_or(bad)?,
            second: 0,
            millis: 0,
        };
        let mut i = 16;
        if b.get(i) == Some(&b':') {
            civil.second = b.get(i + 1..i + 3).and_then(digits).ok_or(bad)?;
            i += 3;
            if matches!(b.get(i), Some(b'.') | Some(b',')) {
                i += 1;
                let start = i;
                let mut millis = 0u32;
                while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                    if i - start < 3 {
                        millis = millis * 10 + u32::from(d - b'0');
                    }
                    i += 1;
                }
                if i == start {
                    return Err(bad);
                }
                for _ in (i - start)..3 {
                    millis *= 10;
                }
                civil.millis = millis;
            }
        }
        let offset_minutes: i64 = match &b[i..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] => {
                let (h, m) = match rest {
                    [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2]), digits(&[*m1, *m2])),
                    _ => return Err(bad),
                };
                let (h, m) = (h.ok_or(bad)?, m.ok_or(bad)?);
                if h > 23 || m > 59 {
                    return Err(bad);
                }
                let total = i64::from(h * 60 + m);
                if *sign == b'+' {
                    total
                } else {
                    -total
                }
            }
            _ => return Err(bad),
        };
        let local = Timestamp::from_civil(civil).ok_or(TimeError { what: Problem::NotCalendarDate })?;
        Timestamp::from_millis(local.0 - offset_minutes * 60_000)
            .ok_or(TimeError { what: Problem::OutOfRange })
    }
}

fn bad_basic() -> TimeError {
    TimeError { what: Problem::Basic }
}

impl Timestamp {
    /// SigV4's basic form, `YYYYMMDDTHHMMSSZ` (the time AWS quotes in its
    /// clock-skew messages). [`Timestamp::parse`] reads it too; the
    /// producer needs only this.
    pub fn parse_amz_date(text: &str) -> Result<Timestamp, TimeError> {
        let b = text.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(bad_basic());
        }
        let civil = Civil {
            year: digits(&b[0..4]).ok_or_else(bad_basic)? as i32,
            month: digits(&b[4..6]).ok_or_else(bad_basic)?,
            day: digits(&b[6..8]).ok_or_else(bad_basic)?,
            hour: digits(&b[9..11]).ok_or_else(bad_basic)?,
            minute: digits(&b[11..13]).ok_or_else(bad_basic)?,
            second: digits(&b[13..15]).ok_or_else(bad_basic)?,
            millis: 0,
        };
        Timestamp::from_civil(civil).ok_or(TimeError { what: Problem::OutOfRange })
    }

    /// An HTTP `Date` header (RFC 9110 IMF-fixdate, the form servers send):
    /// `Sun, 06 Nov 1994 08:49:37 GMT`. The producer reads the service's
    /// clock from it to correct a skewed local clock.
    pub fn parse_http_date(text: &str) -> Result<Timestamp, TimeError> {
        const MONTHS: [&str; 12] =
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let bad = TimeError { what: Problem::HttpDate };
        let b = text.as_bytes().trim_ascii();
        if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" || b[19] != b':' || b[22] != b':' {
            return Err(bad);
        }
        let month = MONTHS.iter().position(|m| m.as_bytes() == &b[8..11]).ok_or(bad)? as u32 + 1;
        let civil = Civil {
            year: digits(&b[12..16]).ok_or(bad)? as i32,
            month,
            day: digits(&b[5..7]).ok_or(bad)?,
            hour: digits(&b[17..19]).ok_or(bad)?,
            minute: digits(&b[20..22]).ok_or(bad)?,
            second: digits(&b[23..25]).ok_or(bad)?,
            millis: 0,
        };
        Timestamp::from_civil(civil).ok_or(bad)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
}

fn put_digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's `days_from_civil` / `civil_from_days`
// (http://howardhinnant.github.io/date_algorithms.html), exact for the whole
// proleptic Gregorian calendar.
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_time() {
        let t = Timestamp::parse("2015-08-30T12:36:00Z").unwrap();
        assert_eq!(t.as_millis(), 1_440_938_160_000);
        assert_eq!(&t.amz_date(), b"20150830T123600Z");
        assert_eq!(Timestamp::parse("20150830T123600Z").unwrap(), t);
        assert_eq!(t.iso8601(), "2015-08-30T12:36:00.000Z");
    }

    #[test]
    fn offsets_and_fractions() {
        let t = Timestamp::parse("2015-08-30T14:36:00.1234+02:00").unwrap();
        assert_eq!(t.as_millis(), 1_440_938_160_123);
        let t = Timestamp::parse("2015-08-30 07:36-0500").unwrap();
        assert_eq!(t.as_millis(), 1_440_938_160_000);
    }

    #[test]
    fn refuses_bad_input() {
        for s in [
            "",
            "2015-02-29T00:00:00Z",
            "2015-08-30T24:00:00Z",
            "2015-08-30T12:36:60Z",
            "2015-08-30T12:36:00",
            "2015-08-30T12:36:00+2",
            "2015-08-30T12:36:00.Z",
            "20150830T123600",
            "2015-08-30T12:36:00Z junk",
            "२०१५-08-30T12:36:00Z",
        ] {
            assert!(Timestamp::parse(s).is_err(), "{s:?} should be refused");
        }
        assert!(Timestamp::from_millis_f64(f64::NAN).is_none());
        assert!(Timestamp::from_millis_f64(1e300).is_none());
    }

    #[test]
    fn civil_round_trip_over_many_days() {
        let mut ms = MIN_MS;
        while ms <= MAX_MS {
            let t = Timestamp(ms);
            assert_eq!(Timestamp::from_civil(t.civil()), Some(t));
            ms += 7 * MS_PER_DAY + 3_723_001;
        }
        assert_eq!(Timestamp(MAX_MS).iso8601(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Timestamp(MIN_MS).iso8601(), "0000-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(-1).iso8601(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn http_dates() {
        let t = Timestamp::parse_http_date("Thu, 26 Nov 2026 15:04:05 GMT").unwrap();
        assert_eq!(t, Timestamp::parse("2026-11-26T15:04:05Z").unwrap());
        for bad in [
            "",
            "Thu, 26 Nov 2026 15:04:05 UTC",
            "Thu, 26 Foo 2026 15:04:05 GMT",
            "Thu, 31 Nov 2026 15:04:05 GMT",
            "Thursday, 26-Nov-26 15:04:05 GMT",
        ] {
            assert!(Timestamp::parse_http_date(bad).is_err(), "{bad}");
        }
    }
}
