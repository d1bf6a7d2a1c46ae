//! The native key batch file (`.bzk`): published keys as fixed-size
//! records after a small header, loaded without a copy through a memory map,
//! so that a million keys load in milliseconds.
//!
//! Layout, all integers little-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `BLUEZKEY` |
//! | 8 | 2 | format version, 1 |
//! | 10 | 1 | scheme: 1 `gaen`, 2 `bluezone`, 3 `b3` |
//! | 11 | 1 | flags, 0 (reserved) |
//! | 12 | 2 | record length: the key length + 16 |
//! | 14 | 2 | slots per day (`bluezone`; 144 otherwise) |
//! | 16 | 8 | number of records |
//! | 24 | 32 | BLAKE3 hash of the records |
//! | 56 | 8 | zero (reserved) |
//! | 64 | … | the records, as [`PublishedKeys`] lays them out |
//!
//! A file is accepted only when every field is known, its length is exactly
//! the header plus the records, the hash matches and every record is valid.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::published::record_len;
use crate::{Error, Position, PublishedKeys, Result, SchemeKind};

/// The first eight bytes of a batch file.
pub const MAGIC: &[u8; 8] = b"BLUEZKEY";
/// The format version written and read.
pub const VERSION: u16 = 1;
/// The length of the header, in bytes.
pub const HEADER_LEN: usize = 64;

/// A batch of published keys read from a `.bzk` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The keys.
    pub keys: PublishedKeys,
    /// Slots per day of the keys' scheme (144 for `gaen` and `b3`).
    pub per_day: u32,
}

/// The scheme code of a kind.
const fn scheme_code(kind: SchemeKind) -> u8 {
    match kind {
        SchemeKind::Gaen => 1,
        SchemeKind::Bluezone => 2,
        SchemeKind::B3 => 3,
    }
}

/// Writes `keys` as a batch file; `per_day` is the slots per day of a
/// `bluezone` batch (144 for the others).
///
/// # Errors
/// [`Error::InvalidPerDay`] for a `per_day` that is not a divisor of 86400
/// (or not 144 for the 10-minute schemes); an I/O error of `writer`, as
/// [`Error::Parse`] naming `file`.
pub fn write(keys: &PublishedKeys, per_day: u32, mut writer: impl Write, file: &str) -> Result<()> {
    crate::Scheme::new(keys.kind(), Some(per_day))?;
    let per_day_field = u16::try_from(per_day).map_err(|_| Error::InvalidPerDay { per_day })?;
    let records = keys.record_bytes();
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..10].copy_from_slice(&VERSION.to_le_bytes());
    header[10] = scheme_code(keys.kind());
    header[12..14].copy_from_slice(&(keys.record_len() as u16).to_le_bytes());
    header[14..16].copy_from_slice(&per_day_field.to_le_bytes());
    header[16..24].copy_from_slice(&(keys.len() as u64).to_le_bytes());
    header[24..56].copy_from_slice(blake3::hash(records).as_bytes());
    let io = |err: std::io::Error| Error::Parse {
        file: file.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("cannot write: {err}"),
    };
    writer.write_all(&header).map_err(io)?;
    writer.write_all(records).map_err(io)?;
    writer.flush().map_err(io)
}

/// Reads a batch file through a memory map: the keys are not copied.
///
/// The file must not change while the keys are in use (it is mapped, not
/// read); key servers replace batch files rather than edit them.
///
/// # Errors
/// [`Error::Parse`] naming the file and the byte offset of what is wrong.
pub fn read_file(path: &Path) -> Result<Batch> {
    let name = path.display().to_string();
    let whole = |message: String| Error::Parse {
        file: name.clone(),
        position: Position::Whole,
        column: None,
        message,
    };
    let file = File::open(path).map_err(|err| whole(format!("cannot open the file: {err}")))?;
    let len = file
        .metadata()
        .map_err(|err| whole(format!("cannot read the file's size: {err}")))?
        .len();
    if len < HEADER_LEN as u64 {
        // Too short to map usefully; read it to report the precise error.
        let bytes =
            std::fs::read(path).map_err(|err| whole(format!("cannot read the file: {err}")))?;
        return read_bytes(bytes, &name);
    }
    // SAFETY: the map is read-only and private to this process; the
    // documented contract is that the file is not modified while mapped.
    // Every byte is checked before use, so a change could produce wrong keys
    // or a later error, never undefined behaviour in the checks.
    let map =
        unsafe { Mmap::map(&file) }.map_err(|err| whole(format!("cannot map the file: {err}")))?;
    let (kind, per_day, records) = check(&map, &name)?;
    let keys = PublishedKeys::from_mapped(kind, Arc::new(map), HEADER_LEN, records)
        .map_err(|err| record_error(err, &name, kind))?;
    Ok(Batch { keys, per_day })
}

/// Reads a batch file from bytes in memory.
///
/// # Errors
/// As [`read_file`].
pub fn read_bytes(mut bytes: Vec<u8>, file: &str) -> Result<Batch> {
    let (kind, per_day, records) = check(&bytes, file)?;
    bytes.drain(..HEADER_LEN);
    bytes.truncate(records);
    let keys = PublishedKeys::from_record_bytes(kind, bytes)
        .map_err(|err| record_error(err, file, kind))?;
    Ok(Batch { keys, per_day })
}

/// Whether `bytes` begin like a batch file.
#[must_use]
pub fn sniff(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Checks the header, the length and the hash; returns the scheme, the
/// slots per day and the length of the records.
fn check(bytes: &[u8], file: &str) -> Result<(SchemeKind, u32, usize)> {
    let at = |offset: usize, column: &str, message: String| Error::Parse {
        file: file.to_owned(),
        position: Position::Offset(offset as u64),
        column: Some(column.to_owned()),
        message,
    };
    if bytes.len() < HEADER_LEN {
        return Err(at(
            bytes.len(),
            "header",
            format!(
                "the file ends after {} bytes, inside the {HEADER_LEN}-byte header",
                bytes.len()
            ),
        ));
    }
    if &bytes[..8] != MAGIC {
        return Err(at(
            0,
            "magic",
            "not a bluezone key batch (it does not begin with BLUEZKEY)".to_owned(),
        ));
    }
    let u16_at = |offset: usize| u16::from_le_bytes([bytes[offset], bytes[offset + 1]]);
    let version = u16_at(8);
    if version != VERSION {
        return Err(at(
            8,
            "version",
            format!("version {version} is not supported (this reads version {VERSION})"),
        ));
    }
    let kind = match bytes[10] {
        1 => SchemeKind::Gaen,
        2 => SchemeKind::Bluezone,
        3 => SchemeKind::B3,
        code => return Err(at(10, "scheme", format!("unknown scheme code {code}"))),
    };
    if bytes[11] != 0 {
        return Err(at(11, "flags", format!("unknown flags {:#04x}", bytes[11])));
    }
    let record = usize::from(u16_at(12));
    if record != record_len(kind) {
        return Err(at(
            12,
            "record length",
            format!(
                "{kind} records are {} bytes, the header says {record}",
                record_len(kind)
            ),
        ));
    }
    let per_day = u32::from(u16_at(14));
    crate::Scheme::new(kind, Some(per_day))
        .map_err(|err| at(14, "slots per day", err.to_string()))?;
    let mut count = [0u8; 8];
    count.copy_from_slice(&bytes[16..24]);
    let count = u64::from_le_bytes(count);
    let available = (bytes.len() - HEADER_LEN) as u64;
    let expected = count.checked_mul(record as u64);
    if expected != Some(available) {
        let message = match expected {
            Some(needed) if needed > available => format!(
                "the header counts {count} records ({needed} bytes) but the file holds {available} bytes of records: it is truncated"
            ),
            Some(needed) => format!(
                "the header counts {count} records ({needed} bytes) but {} more bytes follow them",
                available - needed
            ),
            None => format!("the header counts {count} records, more than any file can hold"),
        };
        return Err(at(16, "count", message));
    }
    let records = &bytes[HEADER_LEN..];
    let hash = if records.len() >= 1 << 20 {
        blake3::Hasher::new().update_rayon(records).finalize()
    } else {
        blake3::hash(records)
    };
    // Not a secret: a plain comparison is fine.
    if hash.as_bytes() != &bytes[24..56] {
        return Err(at(
            24,
            "hash",
            "the records do not match the header's BLAKE3 hash: the file is damaged".to_owned(),
        ));
    }
    if bytes[56..64] != [0; 8] {
        return Err(at(
            56,
            "reserved",
            "reserved header bytes are not zero".to_owned(),
        ));
    }
    Ok((kind, per_day, records.len()))
}

/// Places a record error at its byte offset.
fn record_error(err: Error, file: &str, kind: SchemeKind) -> Error {
    match err {
        Error::InvalidKey { index, reason } => Error::Parse {
            file: file.to_owned(),
            position: Position::Offset((HEADER_LEN + index * record_len(kind)) as u64),
            column: Some(format!("record {index}")),
            message: reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyMetadata, ReportType};
    use proptest::prelude::*;

    fn sample(kind: SchemeKind, n: usize) -> PublishedKeys {
        let mut keys = PublishedKeys::new(kind);
        for i in 0..n {
            let key = vec![i as u8; kind.key_len()];
            let metadata = if i % 3 == 0 {
                KeyMetadata {
                    report_type: ReportType::ConfirmedTest,
                    days_since_onset: Some(i32::try_from(i).unwrap() - 7),
                    transmission_risk: Some(4),
                }
            } else {
                KeyMetadata::default()
            };
            keys.push_with_metadata(&key, 2_900_000 + i as u32, 144, metadata)
                .unwrap();
        }
        keys
    }

    fn encode(keys: &PublishedKeys, per_day: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        write(keys, per_day, &mut bytes, "test.bzk").unwrap();
        bytes
    }

    fn error(bytes: Vec<u8>) -> String {
        read_bytes(bytes, "k.bzk").unwrap_err().to_string()
    }

    #[test]
    fn round_trips_in_memory_and_through_a_map() {
        for (kind, per_day) in [
            (SchemeKind::Gaen, 144),
            (SchemeKind::B3, 144),
            (SchemeKind::Bluezone, 96),
        ] {
            let keys = sample(kind, 10);
            let bytes = encode(&keys, per_day);
            assert_eq!(bytes.len(), HEADER_LEN + 10 * record_len(kind));
            let batch = read_bytes(bytes.clone(), "k.bzk").unwrap();
            assert_eq!(
                batch,
                Batch {
                    keys: keys.clone(),
                    per_day
                }
            );
            let path = std::env::temp_dir()
                .join(format!("bluezone-bzk-{}-{kind}.bzk", std::process::id()));
            std::fs::write(&path, &bytes).unwrap();
            let mapped = read_file(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert!(mapped.keys.is_mapped());
            assert_eq!(mapped.keys, keys);
            assert_eq!(mapped.keys.metadata(3), keys.metadata(3));
        }
    }

    #[test]
    fn an_empty_batch_is_fine() {
        let keys = PublishedKeys::new(SchemeKind::B3);
        let batch = read_bytes(encode(&keys, 144), "k.bzk").unwrap();
        assert!(batch.keys.is_empty());
    }

    #[test]
    fn malformed_files_say_what_and_where() {
        let good = encode(&sample(SchemeKind::Gaen, 4), 144);
        assert_eq!(
            error(good[..10].to_vec()),
            "k.bzk: byte 10: column header: the file ends after 10 bytes, inside the 64-byte header"
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(
            error(bad),
            "k.bzk: byte 0: column magic: not a bluezone key batch (it does not begin with BLUEZKEY)"
        );
        let mut bad = good.clone();
        bad[8] = 2;
        assert_eq!(
            error(bad),
            "k.bzk: byte 8: column version: version 2 is not supported (this reads version 1)"
        );
        let mut bad = good.clone();
        bad[10] = 9;
        assert_eq!(
            error(bad),
            "k.bzk: byte 10: column scheme: unknown scheme code 9"
        );
        let mut bad = good.clone();
        bad[12] = 48;
        assert_eq!(
            error(bad),
            "k.bzk: byte 12: column record length: gaen records are 32 bytes, the header says 48"
        );
        let mut bad = good.clone();
        bad[14] = 96;
        assert!(
            error(bad).contains("column slots per day: the gaen scheme has 144 intervals per day")
        );
        assert_eq!(
            error(good[..good.len() - 1].to_vec()),
            "k.bzk: byte 16: column count: the header counts 4 records (128 bytes) but the file holds 127 bytes of records: it is truncated"
        );
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(
            error(longer),
            "k.bzk: byte 16: column count: the header counts 4 records (128 bytes) but 1 more bytes follow them"
        );
        let mut bad = good.clone();
        bad[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            error(bad),
            "k.bzk: byte 16: column count: the header counts 18446744073709551615 records, more than any file can hold"
        );
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(
            error(bad),
            "k.bzk: byte 24: column hash: the records do not match the header's BLAKE3 hash: the file is damaged"
        );
    }

    #[test]
    fn a_bad_record_is_named_by_offset() {
        let keys = sample(SchemeKind::B3, 3);
        let mut records = keys.record_bytes().to_vec();
        // Record 2's period (after its 16-byte key and 4-byte start) is 0.
        records[2 * 32 + 20..2 * 32 + 24].copy_from_slice(&0u32.to_le_bytes());
        let mut bytes = encode(&keys, 144);
        bytes[HEADER_LEN..].copy_from_slice(&records);
        bytes[24..56].copy_from_slice(blake3::hash(&records).as_bytes());
        assert_eq!(
            error(bytes),
            "k.bzk: byte 128: column record 2: invalid key window: rolling start 2900002, rolling period 0"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_bytes(bytes, "fuzz.bzk");
        }

        #[test]
        fn mutations_of_a_good_file_never_panic(at in any::<prop::sample::Index>(), value in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let good = encode(&sample(SchemeKind::Bluezone, 5), 144);
            let mut bad = good.clone();
            let at = at.index(bad.len());
            bad[at] = value;
            let _ = read_bytes(bad, "fuzz.bzk");
            let _ = read_bytes(good[..cut.index(good.len())].to_vec(), "fuzz.bzk");
        }
    }
}
