//! The log line format on Lambda: one JSON object per event, its fields at the top level, written straight
//! into the line buffer as the event is visited (no intermediate values, no timestamp string).
//!
//! The shape is `tracing_subscriber`'s JSON format with `flatten_event(true)` and `with_current_span(false)`:
//! `{"timestamp":"…Z","level":"INFO",<fields…>,"target":"…"}`, which CloudWatch Logs Insights reads without
//! parsing. Unlike that format it leaves out the list of enclosing spans (facetheory's spans are debug-level and
//! their fields repeat the request log's); see [observability](../../docs/observability.md).

use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

/// JSON lines for `tracing_subscriber::fmt`, as the Lambda binary logs.
///
/// ```
/// let subscriber = tracing_subscriber::fmt()
///     .event_format(facetheory::observe::JsonLines)
///     .with_writer(std::io::stdout)
///     .finish();
/// tracing::subscriber::with_default(subscriber, || tracing::info!(route = "/blog", "request completed"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        // The line is built in a buffer of this thread's (static calls, no allocation once warm) and handed to
        // the writer in one call: writing each piece through the writer's `dyn Write` cost more than the rest.
        thread_local! {
            static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                line.clear();
                let result = write_line(&mut line, event).and_then(|()| writer.write_str(&line));
                // A rare huge event does not keep its buffer.
                if line.capacity() > MAX_KEPT_LINE {
                    *line = String::new();
                }
                result
            }
            // A field's formatting logged an event of its own: that line gets a buffer of its own.
            Err(_) => {
                let mut own = String::new();
                write_line(&mut own, event)?;
                writer.write_str(&own)
            }
        })
    }
}

/// The largest line buffer a thread keeps between events.
const MAX_KEPT_LINE: usize = 64 * 1024;

/// `event` as one JSON line.
fn write_line(out: &mut String, event: &Event<'_>) -> fmt::Result {
    let meta = event.metadata();
    out.push_str("{\"timestamp\":\"");
    write_timestamp(out, SystemTime::now())?;
    out.push_str("\",\"level\":\"");
    out.push_str(meta.level().as_str());
    out.push('"');
    let mut fields = Fields { out, result: Ok(()) };
    event.record(&mut fields);
    fields.result?;
    out.push_str(",\"target\":");
    write_string(out, meta.target())?;
    out.push_str("}\n");
    Ok(())
}

/// Writes each field as `,"name":value`; the first write error is kept (a `Visit` cannot return one).
struct Fields<'w> {
    out: &'w mut String,
    result: fmt::Result,
}

impl Fields<'_> {
    fn entry(&mut self, field: &Field, value: impl FnOnce(&mut String) -> fmt::Result) {
        if self.result.is_ok() {
            self.result = (|| {
                self.out.push(',');
                write_string(self.out, field.name())?;
                self.out.push(':');
                value(self.out)
            })();
        }
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.entry(field, |out| write_string(out, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.entry(field, |out| {
            out.push_str(if value { "true" } else { "false" });
            Ok(())
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.entry(field, |out| {
            out.push_str(itoa::Buffer::new().format(value));
            Ok(())
        });
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.entry(field, |out| {
            out.push_str(itoa::Buffer::new().format(value));
            Ok(())
        });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // As serde_json writes a float (the same crate, `zmij`). JSON has no NaN or infinity: serde_json writes
        // them as null, and so does this.
        self.entry(field, |out| {
            let mut buffer = zmij::Buffer::new();
            out.push_str(if value.is_finite() { buffer.format_finite(value) } else { "null" });
            Ok(())
        });
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.entry(field, |out| {
            out.push('"');
            write!(Escaped(&mut *out), "{value}")?;
            out.push('"');
            Ok(())
        });
    }

    /// `%value`, `?value` and the message: formatted straight through the escaper.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.entry(field, |out| {
            out.push('"');
            write!(Escaped(&mut *out), "{value:?}")?;
            out.push('"');
            Ok(())
        });
    }
}

/// A JSON string literal.
fn write_string(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    Escaped(out).write_str(s)?;
    out.write_char('"')
}

/// Escapes what it is given for the inside of a JSON string: `"`, `\` and control characters.
struct Escaped<'a, W: Write>(&'a mut W);

impl<W: Write> Write for Escaped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let bytes = s.as_bytes();
        // Most pieces (field names, routes, ids) need nothing: checked a word at a time and copied whole.
        if !any_needs_escape(bytes) {
            return self.0.write_str(s);
        }
        let mut plain = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Eight bytes at a time while none needs escaping, which is most of a log line.
            if let Some(word) = bytes.get(i..i + 8) {
                if !needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f | 0x7f => "",
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.0.write_str(&s[plain..i])?;
            if escape.is_empty() {
                self.0.write_str("\\u00")?;
                self.0.write_char(char::from(HEX[usize::from(b >> 4)]))?;
                self.0.write_char(char::from(HEX[usize::from(b & 0xf)]))?;
            } else {
                self.0.write_str(escape)?;
            }
            i += 1;
            plain = i;
        }
        self.0.write_str(&s[plain..])
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// True when a byte of `bytes` needs escaping (see [`needs_escape`]): whole words first, then the few left.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    if words.by_ref().any(|w| needs_escape(u64::from_le_bytes(w.try_into().expect("eight bytes")))) {
        return true;
    }
    words.remainder().iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f)
}

/// True when one of the eight bytes of `word` is `"`, `\`, a control character or DEL (may be true for a
/// word that needs none, never false for one that does: the bytes are then looked at one by one).
const fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const fn has_zero(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGH
    }
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let quote = has_zero(word ^ (ONES * b'"' as u64));
    let backslash = has_zero(word ^ (ONES * b'\\' as u64));
    let delete = has_zero(word ^ (ONES * 0x7f));
    control | quote | backslash | delete != 0
}

/// RFC 3339 in UTC with microseconds (`2026-12-05T03:30:00.123456Z`), as `tracing_subscriber`'s timer writes.
fn write_timestamp(out: &mut impl Write, now: SystemTime) -> fmt::Result {
    // Before 1970 only on a broken clock: written as the epoch rather than failing the line.
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rest = secs % 86_400;
    // Digit by digit: `write!` with seven padded numbers cost more than the rest of the line's numbers.
    // RFC 3339 has four-digit years: a clock past 9999 is written as 9999.
    let year = year.clamp(0, 9999) as u64;
    let mut stamp = *b"0000-00-00T00:00:00.000000Z";
    for (at, width, value) in [
        (0, 4, year),
        (5, 2, u64::from(month)),
        (8, 2, u64::from(day)),
        (11, 2, rest / 3600),
        (14, 2, rest / 60 % 60),
        (17, 2, rest % 60),
        (20, 6, u64::from(since.subsec_micros())),
    ] {
        let mut value = value;
        for digit in stamp[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    out.write_str(std::str::from_utf8(&stamp).expect("ASCII digits"))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    /// Captures what a subscriber writes.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the format writes for the events `f` logs.
    fn text(f: impl FnOnce()) -> String {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt().event_format(JsonLines).with_writer(move || writer.clone()).finish();
        tracing::subscriber::with_default(subscriber, f);
        let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        text
    }

    fn lines(f: impl FnOnce()) -> Vec<serde_json::Value> {
        let text = text(f);
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }

    #[test]
    fn fields_of_every_kind_are_valid_json_at_the_top_level() {
        let err = std::io::Error::other("disk \"full\"");
        let got = lines(|| {
            tracing::warn!(
                target: "facetheory::request",
                text = "a \"quoted\"\\ line\nnext\u{1}\u{7f} é",
                display = %"shown",
                debug = ?("tuple", 1),
                n = 42u64,
                neg = -7i64,
                ms = 1.25f64,
                nan = f64::NAN,
                yes = true,
                error = &err as &(dyn std::error::Error + 'static),
                absent = Option::<f64>::None,
                "done {}",
                3
            )
        });
        assert_eq!(got.len(), 1);
        let line = got[0].as_object().unwrap();
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["target"], "facetheory::request");
        assert_eq!(line["message"], "done 3");
        assert_eq!(line["text"], "a \"quoted\"\\ line\nnext\u{1}\u{7f} é");
        assert_eq!(line["display"], "shown");
        assert_eq!(line["debug"], "(\"tuple\", 1)");
        assert_eq!(line["n"], 42);
        assert_eq!(line["neg"], -7);
        assert_eq!(line["ms"], 1.25);
        assert!(line["nan"].is_null());
        assert_eq!(line["yes"], true);
        assert_eq!(line["error"], "disk \"full\"");
        assert!(!line.contains_key("absent"), "a None field is not recorded");
        let stamp = line["timestamp"].as_str().unwrap();
        assert_eq!(stamp.len(), "2026-12-05T03:30:00.123456Z".len(), "{stamp}");
        assert!(stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T', "{stamp}");
    }

    #[test]
    fn every_ascii_byte_at_every_place_in_a_word_round_trips() {
        // Strings of 0..=19 bytes with one ASCII byte at each position (so at each place within and across the
        // eight-byte words the escaper skips), plus non-ASCII text: what is written parses back to the input.
        for b in 0u8..=0x7f {
            for len in 1..20 {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    let text = String::from_utf8(text).unwrap() + "é—🎉";
                    let mut json = String::new();
                    write_string(&mut json, &text).unwrap();
                    assert!(json.bytes().all(|c| c >= 0x20 && c != 0x7f), "{json:?}");
                    assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text, "{json}");
                }
            }
        }
    }

    #[test]
    fn random_text_round_trips() {
        // Pseudo-random strings (fixed seed) of up to 100 characters drawn from plain ASCII, the bytes that need
        // escaping and multi-byte characters, in every mix: what is written parses back to the input.
        const CHARS: &[char] =
            &['a', 'Z', ' ', '"', '\\', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}', 'é', '—', '🎉', '\u{2028}'];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 100) as usize;
            let text: String = (0..len).map(|_| CHARS[(next() % CHARS.len() as u64) as usize]).collect();
            let mut json = String::new();
            write_string(&mut json, &text).unwrap();
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text, "{json}");
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for v in [0.0, 1.0, 1.25, 0.1 + 0.2, 1e-7, 123_456_789.5, 1e300, -2.5, f64::MIN_POSITIVE] {
            let line = text(|| tracing::info!(v, "x"));
            let want = format!(",\"v\":{},", serde_json::to_string(&v).unwrap());
            assert!(line.contains(&want), "{want} in {line}");
            assert_eq!(lines(|| tracing::info!(v, "x"))[0]["v"].as_f64(), Some(v), "{v}");
        }
        for v in [0u64, 7, 10, u64::MAX] {
            assert_eq!(lines(|| tracing::info!(v, "x"))[0]["v"].as_u64(), Some(v));
        }
        for v in [i64::MIN, -1, 0, i64::MAX] {
            assert_eq!(lines(|| tracing::info!(v, "x"))[0]["v"].as_i64(), Some(v));
        }
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        let at = |secs: u64, micros: u64| {
            let mut s = String::new();
            write_timestamp(&mut s, UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros)).unwrap();
            s
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z"); // a leap day in a century leap year
        assert_eq!(at(1_796_441_399, 999_999), "2026-12-05T03:29:59.999999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000000Z"); // 2100 is not a leap year
    }

    #[test]
    fn every_day_matches_a_plain_day_by_day_count() {
        // Walks 1970..2200 one day at a time with the calendar rules, against the closed form.
        let (mut y, mut m, mut d) = (1970i64, 1u32, 1u32);
        for days in 0..84_000i64 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m as usize - 1];
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
