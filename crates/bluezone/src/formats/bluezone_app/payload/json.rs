//! Reading the payload's JSON.
//!
//! The reader walks the JSON with `serde_json`'s streaming parser and typed
//! visitors, one per level of the format (the payload object, the `data`
//! array, an entry object, a field value). Each visitor accepts only the
//! kind of value that its level holds and refuses any other as soon as it
//! sees its first byte, so nesting never goes deeper than the format's three
//! levels, and nothing is kept per entry but the key in [`PublishedKeys`].

use std::fmt;
use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

use super::super::{SHOWN_CHARS, shown};
use super::{DAILY_KEY, DATA, FIELDS, MAX, TIME_START, window};
use crate::scheme::bluezone::KEY_LEN;
use crate::{Bluezone, Error, Position, PublishedKeys, Result, SchemeKind};

/// The byte-order mark that some tools write before UTF-8 text.
const BOM: &[u8] = b"\xef\xbb\xbf";

const PAYLOAD_EXPECTED: &str = "a JSON object {\"data\": [...]}";
const DATA_EXPECTED: &str = "an array of entries";
const ENTRY_EXPECTED: &str = "an object with daily_key, time_start, max and time_end";
const MISSING: &str =
    "missing from the entry, which must have daily_key, time_start, max and time_end";
const KEY_EXPECTED: &str = "a string of 64 hex digits";
const TIME_EXPECTED: &str = "a time in whole Unix seconds from 0 to 18446744073709551615";
const MAX_EXPECTED: &str = "a number of slots per day that divides 86400, such as 144 or 96";

/// Reads the keys of a payload and the slots per day of its entries (`None`
/// without entries), refusing more than `max_entries` entries; see
/// [`read_payload`](super::read_payload).
pub(super) fn read(
    reader: impl Read,
    file: &str,
    max_entries: usize,
) -> Result<(PublishedKeys, Option<u32>)> {
    let mut reader = reader;
    let mut head = Vec::with_capacity(BOM.len());
    (&mut reader)
        .take(BOM.len() as u64)
        .read_to_end(&mut head)
        .map_err(|err| whole(file, None, format!("cannot read the file: {err}")))?;
    if head.is_empty() {
        return Err(whole(
            file,
            None,
            format!("expected {PAYLOAD_EXPECTED}, found an empty file"),
        ));
    }
    let head: &[u8] = if head == BOM { &[] } else { &head };
    let mut state = Reading {
        file,
        keys: PublishedKeys::new(SchemeKind::Bluezone),
        per_day: None,
        max_entries,
        error: None,
    };
    let mut json = serde_json::Deserializer::from_reader(BufReader::new(head.chain(reader)));
    let result = Visit(PayloadShape { state: &mut state })
        .deserialize(&mut json)
        .and_then(|()| json.end());
    if let Err(err) = result {
        return Err(state.error.take().unwrap_or_else(|| json_error(file, &err)));
    }
    Ok((state.keys, state.per_day))
}

/// The state of a read: the keys so far, the slots per day of the first
/// entry, and the error that stopped the parser, when it was ours.
struct Reading<'f> {
    file: &'f str,
    keys: PublishedKeys,
    per_day: Option<u32>,
    /// The most entries allowed.
    max_entries: usize,
    error: Option<Error>,
}

impl Reading<'_> {
    /// Records an error about the value at `column` (the whole payload when
    /// `None`) and returns the error that stops the parser.
    fn fail<E: de::Error>(&mut self, column: Option<String>, message: String) -> E {
        self.error = Some(whole(self.file, column, message));
        E::custom("invalid F0 payload")
    }

    /// Checks an entry's `max`: it divides 86400 and is the first entry's.
    fn check_max(&mut self, value: u64) -> Result<u32, String> {
        let per_day = u32::try_from(value)
            .ok()
            .and_then(|per_day| Bluezone::new(per_day).ok())
            .ok_or_else(|| format!("expected {MAX_EXPECTED}, found {value}"))?
            .per_day();
        match self.per_day {
            Some(first) if first != per_day => Err(format!(
                "expected {first} as in data[0].max, found {per_day}"
            )),
            Some(_) => Ok(per_day),
            None => {
                self.per_day = Some(per_day);
                Ok(per_day)
            }
        }
    }
}

/// The path of a field in the payload: `data[3].max`, or `max` at the top.
fn path(entry: Option<usize>, field: &str) -> String {
    match entry {
        Some(index) => format!("{DATA}[{index}].{field}"),
        None => field.to_owned(),
    }
}

/// A field name as part of a path: as it is when it is short and
/// printable, quoted otherwise.
fn field_label(name: &str) -> String {
    if name.chars().count() <= SHOWN_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.is_empty()
    {
        name.to_owned()
    } else {
        shown(name)
    }
}

/// An error about the payload as a whole, or the value at `column`.
fn whole(file: &str, column: Option<String>, message: String) -> Error {
    Error::Parse {
        file: file.to_owned(),
        position: Position::Whole,
        column,
        message,
    }
}

/// An error of the JSON parser itself, at its line when it has one.
fn json_error(file: &str, err: &serde_json::Error) -> Error {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    match err.classify() {
        Category::Io => whole(file, None, format!("cannot read the file: {message}")),
        Category::Syntax | Category::Eof if err.line() > 0 => Error::Parse {
            file: file.to_owned(),
            position: Position::Line(err.line() as u64),
            column: None,
            message: format!("invalid JSON: {message} at column {}", err.column()),
        },
        _ => whole(file, None, message.to_owned()),
    }
}

/// A JSON value of an expected shape. Each method takes one kind of value;
/// by default it is refused with "expected …, found …".
trait Shape<'de>: Sized {
    /// What the value becomes.
    type Value;

    /// Records "expected …, found `found`" and returns the error that stops
    /// the parser.
    fn refuse<E: de::Error>(self, found: &str) -> E;

    fn object<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
        Err(self.refuse("an object"))
    }

    fn array<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(self.refuse("an array"))
    }

    fn string<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Err(self.refuse(&format!("the string {}", shown(text))))
    }

    fn unsigned<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn signed<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Err(self.refuse(&value.to_string()))
    }

    /// A number with a fraction or an exponent, or an integer beyond 64
    /// bits: shown as `serde_json` parsed it (`1.5`, `1e20`, `1000.0`).
    fn float<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Err(self.refuse(&format!("{value:?}")))
    }

    fn boolean<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Err(self.refuse(&value.to_string()))
    }

    fn null<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.refuse("null"))
    }
}

/// Visits a value with a [`Shape`]; also the seed that asks for it.
struct Visit<S>(S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Visit<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for Visit<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Bluezone F0 payload")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<S::Value, E> {
        self.0.boolean(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<S::Value, E> {
        self.0.signed(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<S::Value, E> {
        self.0.unsigned(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<S::Value, E> {
        self.0.float(value)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<S::Value, E> {
        self.0.string(text)
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Value, E> {
        self.0.null()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Value, A::Error> {
        self.0.array(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        self.0.object(map)
    }
}

/// The payload object, `{"data": [...]}`.
struct PayloadShape<'s, 'f> {
    state: &'s mut Reading<'f>,
}

impl<'de> Shape<'de> for PayloadShape<'_, '_> {
    type Value = ();

    fn refuse<E: de::Error>(self, found: &str) -> E {
        self.state
            .fail(None, format!("expected {PAYLOAD_EXPECTED}, found {found}"))
    }

    fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while map
            .next_key_seed(Visit(FieldShape {
                state: &mut *self.state,
                entry: None,
                names: &[DATA],
            }))?
            .is_some()
        {
            if seen {
                return Err(self.state.fail(
                    Some(DATA.to_owned()),
                    "appears twice in the payload".to_owned(),
                ));
            }
            seen = true;
            map.next_value_seed(Visit(DataShape {
                state: &mut *self.state,
            }))?;
        }
        if !seen {
            return Err(self.state.fail(
                Some(DATA.to_owned()),
                format!("missing from the payload, which must be {PAYLOAD_EXPECTED}"),
            ));
        }
        Ok(())
    }
}

/// A field name of an object: its index among `names`.
struct FieldShape<'s, 'f> {
    state: &'s mut Reading<'f>,
    /// The entry whose field it is, `None` for the payload's.
    entry: Option<usize>,
    names: &'static [&'static str],
}

impl Shape<'_> for FieldShape<'_, '_> {
    type Value = usize;

    fn refuse<E: de::Error>(self, found: &str) -> E {
        let column = self.entry.map(|index| format!("{DATA}[{index}]"));
        self.state
            .fail(column, format!("expected a field name, found {found}"))
    }

    fn string<E: de::Error>(self, text: &str) -> Result<usize, E> {
        if let Some(index) = self.names.iter().position(|name| *name == text) {
            return Ok(index);
        }
        let expected = match self.names {
            [only] => format!("expected only {only}"),
            names => format!("expected one of {}", names.join(", ")),
        };
        Err(self.state.fail(
            Some(path(self.entry, &field_label(text))),
            format!("unknown field: {expected}"),
        ))
    }
}

/// The `data` array.
struct DataShape<'s, 'f> {
    state: &'s mut Reading<'f>,
}

impl<'de> Shape<'de> for DataShape<'_, '_> {
    type Value = ();

    fn refuse<E: de::Error>(self, found: &str) -> E {
        self.state.fail(
            Some(DATA.to_owned()),
            format!("expected {DATA_EXPECTED}, found {found}"),
        )
    }

    fn array<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for index in 0..self.state.max_entries {
            let entry = EntryShape {
                state: &mut *self.state,
                index,
            };
            if seq.next_element_seed(Visit(entry))?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(TooMany {
            state: &mut *self.state,
        })?;
        Ok(())
    }
}

/// The element after the last allowed: refused before it is parsed.
struct TooMany<'s, 'f> {
    state: &'s mut Reading<'f>,
}

impl<'de> DeserializeSeed<'de> for TooMany<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, _deserializer: D) -> Result<(), D::Error> {
        Err(self.state.fail(
            Some(DATA.to_owned()),
            format!(
                "expected at most {} entries, found more",
                self.state.max_entries
            ),
        ))
    }
}

/// One entry of `data`.
struct EntryShape<'s, 'f> {
    state: &'s mut Reading<'f>,
    index: usize,
}

impl<'de> Shape<'de> for EntryShape<'_, '_> {
    type Value = ();

    fn refuse<E: de::Error>(self, found: &str) -> E {
        self.state.fail(
            Some(format!("{DATA}[{}]", self.index)),
            format!("expected {ENTRY_EXPECTED}, found {found}"),
        )
    }

    fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let entry = Some(self.index);
        let mut key = None;
        let mut numbers: [Option<u64>; FIELDS.len()] = [None; FIELDS.len()];
        while let Some(field) = map.next_key_seed(Visit(FieldShape {
            state: &mut *self.state,
            entry,
            names: &FIELDS,
        }))? {
            let column = || Some(path(entry, FIELDS[field]));
            let repeated = if field == DAILY_KEY {
                key.is_some()
            } else {
                numbers[field].is_some()
            };
            if repeated {
                return Err(self
                    .state
                    .fail(column(), "appears twice in the entry".to_owned()));
            }
            if field == DAILY_KEY {
                key = Some(map.next_value_seed(Visit(KeyShape {
                    state: &mut *self.state,
                    entry,
                }))?);
                continue;
            }
            let expected = if field == MAX {
                MAX_EXPECTED
            } else {
                TIME_EXPECTED
            };
            let value = map.next_value_seed(Visit(IntegerShape {
                state: &mut *self.state,
                entry,
                field,
                expected,
            }))?;
            if field == MAX {
                self.state
                    .check_max(value)
                    .map_err(|message| self.state.fail(column(), message))?;
            }
            numbers[field] = Some(value);
        }
        let Some(key) = key else {
            return Err(self
                .state
                .fail(Some(path(entry, FIELDS[DAILY_KEY])), MISSING.to_owned()));
        };
        let [_, Some(time_start), Some(per_day), Some(time_end)] = numbers else {
            let field = (TIME_START..FIELDS.len())
                .find(|&field| numbers[field].is_none())
                .unwrap_or(TIME_START);
            return Err(self
                .state
                .fail(Some(path(entry, FIELDS[field])), MISSING.to_owned()));
        };
        let (rolling_start, rolling_period) = window(per_day as u32, time_start, time_end)
            .map_err(|(field, message)| {
                self.state.fail(Some(path(entry, FIELDS[field])), message)
            })?;
        self.state
            .keys
            .push(&key, rolling_start, rolling_period)
            .map_err(|err| {
                self.state
                    .fail(Some(format!("{DATA}[{}]", self.index)), err.to_string())
            })
    }
}

/// A `daily_key`: 64 hex digits.
struct KeyShape<'s, 'f> {
    state: &'s mut Reading<'f>,
    entry: Option<usize>,
}

impl Shape<'_> for KeyShape<'_, '_> {
    type Value = [u8; KEY_LEN];

    fn refuse<E: de::Error>(self, found: &str) -> E {
        self.state.fail(
            Some(path(self.entry, FIELDS[DAILY_KEY])),
            format!("expected {KEY_EXPECTED}, found {found}"),
        )
    }

    fn string<E: de::Error>(self, text: &str) -> Result<[u8; KEY_LEN], E> {
        crate::hex::decode_array(text).map_err(|err| {
            self.state
                .fail(Some(path(self.entry, FIELDS[DAILY_KEY])), err.to_string())
        })
    }
}

/// A non-negative integer written as one: no fraction, no exponent.
struct IntegerShape<'s, 'f> {
    state: &'s mut Reading<'f>,
    entry: Option<usize>,
    field: usize,
    expected: &'static str,
}

impl Shape<'_> for IntegerShape<'_, '_> {
    type Value = u64;

    fn refuse<E: de::Error>(self, found: &str) -> E {
        self.state.fail(
            Some(path(self.entry, FIELDS[self.field])),
            format!("expected {}, found {found}", self.expected),
        )
    }

    fn unsigned<E: de::Error>(self, value: u64) -> Result<u64, E> {
        Ok(value)
    }
}
