//! One entry point for every file format: the format is recognised from
//! the file's first bytes, not its name.
//!
//! | format | recognised by |
//! |---|---|
//! | Exposure Notification export zip | a zip's first bytes, `PK\x03\x04` |
//! | bare `export.bin` | its header, `EK Export v1` |
//! | native batch (`.bzk`) | its magic, `BLUEZKEY` |
//! | Bluezone F0 payload (JSON) | a `{` first, after white space |
//! | keys CSV | anything else |
//!
//! and for encounter logs: a Bluezone `data_trace.txt` when the first line
//! holds tabs and no comma, the encounters CSV otherwise.

use std::fmt;
use std::io::Read;
use std::path::Path;

use super::{bluezone_app, bzk, csv, gaen_export};
use crate::{EncounterLog, Error, Position, PublishedKeys, Result, SchemeKind};

/// The formats that published keys are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFormat {
    /// The keys CSV (`key,rolling_start,rolling_period`).
    Csv,
    /// The native batch file.
    Bzk,
    /// An Exposure Notification export zip (`export.bin` and
    /// `export.sig`).
    GaenZip,
    /// A bare Exposure Notification `export.bin`, without signature.
    GaenBin,
    /// The F0 payload of the Bluezone app.
    BluezonePayload,
}

impl KeyFormat {
    /// The format's name, as `bluezone keys inspect` prints it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            KeyFormat::Csv => "csv",
            KeyFormat::Bzk => "bzk",
            KeyFormat::GaenZip => "gaen-zip",
            KeyFormat::GaenBin => "gaen-bin",
            KeyFormat::BluezonePayload => "bluezone-payload",
        }
    }

    /// Recognises a key file's format from its first bytes (at least 16,
    /// when the file has them).
    #[must_use]
    pub fn detect(head: &[u8]) -> Self {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            KeyFormat::GaenZip
        } else if head.starts_with(gaen_export::HEADER) {
            KeyFormat::GaenBin
        } else if bzk::sniff(head) {
            KeyFormat::Bzk
        } else if head
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(head)
            .iter()
            .find(|byte| !byte.is_ascii_whitespace())
            == Some(&b'{')
        {
            KeyFormat::BluezonePayload
        } else {
            KeyFormat::Csv
        }
    }
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Published keys loaded from a file, with what the file said about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedKeys {
    /// The keys.
    pub keys: PublishedKeys,
    /// The file's format.
    pub format: KeyFormat,
    /// Slots per day, when the file gives them (native batch, Bluezone
    /// payload).
    pub per_day: Option<u32>,
    /// The export's header and signatures, for Exposure Notification
    /// exports (a bare `export.bin` has no signatures).
    pub export: Option<gaen_export::Export>,
}

/// Loads published keys from a file of any supported format.
///
/// `kind` is the scheme the keys are for; `None` takes the file's own
/// (native batch), the format's (`gaen` for exports, `bluezone` for
/// payloads), or for a CSV the key length of its first row (32 bytes:
/// `bluezone`; otherwise `gaen`).
///
/// # Errors
/// [`Error::Parse`] naming the file and where it is wrong;
/// [`Error::SchemeMismatch`] when the file's keys cannot be keys of `kind`.
pub fn load_keys(path: &Path, kind: Option<SchemeKind>) -> Result<LoadedKeys> {
    let name = path.display().to_string();
    let head = read_head(path, &name)?;
    let format = KeyFormat::detect(&head);
    match format {
        KeyFormat::Bzk => {
            let batch = bzk::read_file(path)?;
            finish_batch(batch, kind, &name)
        }
        KeyFormat::GaenZip => {
            let export = gaen_export::read_export_zip_file(path, export_kind(kind, &name)?)?;
            Ok(from_export(export, KeyFormat::GaenZip))
        }
        KeyFormat::GaenBin => {
            let bin = gaen_export::read_export_bin_file(path, export_kind(kind, &name)?)?;
            Ok(from_export(bin_export(bin), KeyFormat::GaenBin))
        }
        KeyFormat::BluezonePayload => {
            payload_kind(kind, &name)?;
            let payload = bluezone_app::read_payload_file(path)?;
            Ok(from_payload(payload))
        }
        KeyFormat::Csv => {
            check_text(&head, &name)?;
            let kind = match kind {
                Some(kind) => kind,
                None => {
                    csv_kind(&std::fs::read(path).map_err(|err| io_error(&name, "read", &err))?)
                }
            };
            let keys = csv::read_keys_file(path, kind)?;
            Ok(from_csv(keys))
        }
    }
}

/// Loads published keys from bytes in memory, of any supported format;
/// `name` names them in errors. As [`load_keys`] otherwise.
///
/// # Errors
/// As [`load_keys`].
pub fn load_keys_bytes(bytes: &[u8], name: &str, kind: Option<SchemeKind>) -> Result<LoadedKeys> {
    match KeyFormat::detect(bytes) {
        KeyFormat::Bzk => finish_batch(bzk::read_bytes(bytes.to_vec(), name)?, kind, name),
        KeyFormat::GaenZip => {
            let export = gaen_export::read_export_zip_bytes(bytes, name, export_kind(kind, name)?)?;
            Ok(from_export(export, KeyFormat::GaenZip))
        }
        KeyFormat::GaenBin => {
            let bin = gaen_export::read_export_bin(bytes, name, export_kind(kind, name)?)?;
            Ok(from_export(bin_export(bin), KeyFormat::GaenBin))
        }
        KeyFormat::BluezonePayload => {
            payload_kind(kind, name)?;
            Ok(from_payload(bluezone_app::read_payload(bytes, name)?))
        }
        KeyFormat::Csv => {
            check_text(bytes, name)?;
            let kind = kind.unwrap_or_else(|| csv_kind(bytes));
            Ok(from_csv(csv::read_keys(bytes, name, kind)?))
        }
    }
}

/// The formats that encounter logs are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncounterFormat {
    /// The encounters CSV (`id,time,rssi`).
    Csv,
    /// The `data_trace.txt` export of the Bluezone app.
    BluezoneTrace,
}

impl EncounterFormat {
    /// The format's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            EncounterFormat::Csv => "csv",
            EncounterFormat::BluezoneTrace => "bluezone-trace",
        }
    }

    /// Recognises an encounter file's format from its first bytes.
    #[must_use]
    pub fn detect(head: &[u8]) -> Self {
        let first_line = head
            .split(|&byte| byte == b'\n')
            .find(|line| !line.trim_ascii().is_empty())
            .unwrap_or_default();
        if first_line.contains(&b'\t') && !first_line.contains(&b',') {
            EncounterFormat::BluezoneTrace
        } else {
            EncounterFormat::Csv
        }
    }
}

impl fmt::Display for EncounterFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An encounter log loaded from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedLog {
    /// The sightings.
    pub log: EncounterLog,
    /// The file's format.
    pub format: EncounterFormat,
}

/// Loads an encounter log of IDs of `id_len` bytes from a file of any
/// supported format.
///
/// # Errors
/// [`Error::Parse`] naming the file and where it is wrong;
/// also when a Bluezone trace (12-byte IDs) is loaded for another ID
/// length.
pub fn load_encounters(path: &Path, id_len: usize) -> Result<LoadedLog> {
    let name = path.display().to_string();
    let head = read_head(path, &name)?;
    match EncounterFormat::detect(&head) {
        EncounterFormat::BluezoneTrace => {
            trace_id_len(id_len, &name)?;
            Ok(LoadedLog {
                log: bluezone_app::read_trace_file(path)?.log,
                format: EncounterFormat::BluezoneTrace,
            })
        }
        EncounterFormat::Csv => Ok(LoadedLog {
            log: csv::read_encounters_file(path, id_len)?,
            format: EncounterFormat::Csv,
        }),
    }
}

/// Loads an encounter log from bytes in memory; `name` names them in
/// errors. As [`load_encounters`] otherwise.
///
/// # Errors
/// As [`load_encounters`].
pub fn load_encounters_bytes(bytes: &[u8], name: &str, id_len: usize) -> Result<LoadedLog> {
    match EncounterFormat::detect(bytes) {
        EncounterFormat::BluezoneTrace => {
            trace_id_len(id_len, name)?;
            Ok(LoadedLog {
                log: bluezone_app::read_trace(bytes, name)?.log,
                format: EncounterFormat::BluezoneTrace,
            })
        }
        EncounterFormat::Csv => Ok(LoadedLog {
            log: csv::read_encounters(bytes, name, id_len)?,
            format: EncounterFormat::Csv,
        }),
    }
}

/// The first bytes of a file, enough to recognise its format.
fn read_head(path: &Path, name: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|err| io_error(name, "open", &err))?;
    let mut head = Vec::with_capacity(256);
    file.take(256)
        .read_to_end(&mut head)
        .map_err(|err| io_error(name, "read", &err))?;
    Ok(head)
}

fn io_error(name: &str, verb: &str, err: &std::io::Error) -> Error {
    Error::Parse {
        file: name.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("cannot {verb} the file: {err}"),
    }
}

fn mismatch(name: &str, message: &str) -> Error {
    Error::SchemeMismatch(format!("{name}: {message}"))
}

/// The scheme of an export's 16-byte keys.
fn export_kind(kind: Option<SchemeKind>, name: &str) -> Result<SchemeKind> {
    match kind {
        None | Some(SchemeKind::Gaen) => Ok(SchemeKind::Gaen),
        Some(SchemeKind::B3) => Ok(SchemeKind::B3),
        Some(SchemeKind::Bluezone) => Err(mismatch(
            name,
            "an Exposure Notification export holds 16-byte keys, not bluezone keys",
        )),
    }
}

fn payload_kind(kind: Option<SchemeKind>, name: &str) -> Result<()> {
    match kind {
        None | Some(SchemeKind::Bluezone) => Ok(()),
        Some(other) => Err(mismatch(
            name,
            &format!("a Bluezone payload holds bluezone keys, not {other} keys"),
        )),
    }
}

fn trace_id_len(id_len: usize, name: &str) -> Result<()> {
    if id_len == bluezone_app_id_len() {
        Ok(())
    } else {
        Err(Error::Parse {
            file: name.to_owned(),
            position: Position::Whole,
            column: None,
            message: format!(
                "a Bluezone trace holds the bluezone scheme's {}-byte IDs, not {id_len}-byte IDs",
                bluezone_app_id_len()
            ),
        })
    }
}

/// The ID length of the Bluezone app's traces.
const fn bluezone_app_id_len() -> usize {
    SchemeKind::Bluezone.id_len()
}

/// Refuses a file that is not text where a CSV is the last guess: a NUL or
/// bytes that are not UTF-8 in its first bytes.
fn check_text(bytes: &[u8], name: &str) -> Result<()> {
    let head = &bytes[..bytes.len().min(256)];
    let text = match std::str::from_utf8(head) {
        // A multi-byte character cut at the end of the head is fine.
        Err(err) if err.error_len().is_none() => &head[..err.valid_up_to()],
        Err(_) => b"\0".as_slice(),
        Ok(_) => head,
    };
    if text.contains(&0) {
        return Err(Error::Parse {
            file: name.to_owned(),
            position: Position::Whole,
            column: None,
            message: "not a key file of a known format (an Exposure Notification export, a native batch, a Bluezone payload or a keys CSV)".to_owned(),
        });
    }
    Ok(())
}

/// The scheme of a CSV without one given: by the first key's length.
fn csv_kind(bytes: &[u8]) -> SchemeKind {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let (Some(header), Some(row)) = (lines.next(), lines.next()) else {
        return SchemeKind::Gaen;
    };
    let column = header
        .split(',')
        .position(|name| name.trim().trim_start_matches('\u{feff}') == "key");
    let key = column.and_then(|column| row.split(',').nth(column));
    if key.is_some_and(|key| key.trim().len() == 2 * SchemeKind::Bluezone.key_len()) {
        SchemeKind::Bluezone
    } else {
        SchemeKind::Gaen
    }
}

fn finish_batch(batch: bzk::Batch, kind: Option<SchemeKind>, name: &str) -> Result<LoadedKeys> {
    if let Some(kind) = kind
        && kind != batch.keys.kind()
    {
        return Err(mismatch(
            name,
            &format!(
                "the batch holds {} keys, not {kind} keys",
                batch.keys.kind()
            ),
        ));
    }
    Ok(LoadedKeys {
        keys: batch.keys,
        format: KeyFormat::Bzk,
        per_day: Some(batch.per_day),
        export: None,
    })
}

fn bin_export(bin: gaen_export::ExportBin) -> gaen_export::Export {
    gaen_export::Export {
        bin,
        signatures: Vec::new(),
    }
}

fn from_export(export: gaen_export::Export, format: KeyFormat) -> LoadedKeys {
    LoadedKeys {
        keys: export.bin.keys.clone(),
        format,
        per_day: None,
        export: Some(export),
    }
}

fn from_payload(payload: bluezone_app::Payload) -> LoadedKeys {
    LoadedKeys {
        keys: payload.keys,
        format: KeyFormat::BluezonePayload,
        per_day: Some(payload.per_day),
        export: None,
    }
}

fn from_csv(keys: PublishedKeys) -> LoadedKeys {
    LoadedKeys {
        keys,
        format: KeyFormat::Csv,
        per_day: None,
        export: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path)
    }

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(KeyFormat::detect(b"PK\x03\x04rest"), KeyFormat::GaenZip);
        assert_eq!(
            KeyFormat::detect(b"EK Export v1    \x0a"),
            KeyFormat::GaenBin
        );
        assert_eq!(KeyFormat::detect(b"BLUEZKEY\x01\x00"), KeyFormat::Bzk);
        assert_eq!(
            KeyFormat::detect(b"  \n{\"data\":[]}"),
            KeyFormat::BluezonePayload
        );
        assert_eq!(
            KeyFormat::detect(b"\xef\xbb\xbf{"),
            KeyFormat::BluezonePayload
        );
        assert_eq!(
            KeyFormat::detect(b"key,rolling_start,rolling_period\n"),
            KeyFormat::Csv
        );
        assert_eq!(KeyFormat::detect(b""), KeyFormat::Csv);
        assert_eq!(
            EncounterFormat::detect(b"id,time,rssi\n"),
            EncounterFormat::Csv
        );
        assert_eq!(
            EncounterFormat::detect(b"\n00\t11\t-60\t1585785600\n"),
            EncounterFormat::BluezoneTrace
        );
    }

    #[test]
    fn every_key_format_loads_from_files_and_bytes() {
        for (path, format, count) in [
            (
                "gaen/testExport-2-records-1-of-1.zip",
                KeyFormat::GaenZip,
                2,
            ),
            ("gaen/internals-export.bin", KeyFormat::GaenBin, 200),
            ("bluezone/f0_payload.json", KeyFormat::BluezonePayload, 2),
        ] {
            let loaded = load_keys(&fixture(path), None).unwrap();
            assert_eq!(
                (loaded.format, loaded.keys.len()),
                (format, count),
                "{path}"
            );
            let bytes = std::fs::read(fixture(path)).unwrap();
            assert_eq!(
                load_keys_bytes(&bytes, path, None).unwrap(),
                loaded,
                "{path}"
            );
        }
        let zip = load_keys(&fixture("gaen/testExport-2-records-1-of-1.zip"), None).unwrap();
        assert_eq!(zip.export.unwrap().signatures.len(), 1);
    }

    #[test]
    fn csv_keys_take_their_scheme_from_the_key_length() {
        let gaen = format!(
            "key,rolling_start,rolling_period\n{},1,144\n",
            "ab".repeat(16)
        );
        assert_eq!(
            load_keys_bytes(gaen.as_bytes(), "k.csv", None)
                .unwrap()
                .keys
                .kind(),
            SchemeKind::Gaen
        );
        let bz = format!(
            "key,rolling_start,rolling_period\n{},1,144\n",
            "ab".repeat(32)
        );
        assert_eq!(
            load_keys_bytes(bz.as_bytes(), "k.csv", None)
                .unwrap()
                .keys
                .kind(),
            SchemeKind::Bluezone
        );
        let b3 = load_keys_bytes(gaen.as_bytes(), "k.csv", Some(SchemeKind::B3)).unwrap();
        assert_eq!(b3.keys.kind(), SchemeKind::B3);
    }

    #[test]
    fn a_scheme_that_does_not_fit_the_file_is_refused() {
        let zip = fixture("gaen/testExport-2-records-1-of-1.zip");
        assert_eq!(
            load_keys(&zip, Some(SchemeKind::Bluezone))
                .unwrap_err()
                .to_string(),
            format!(
                "scheme mismatch: {}: an Exposure Notification export holds 16-byte keys, not bluezone keys",
                zip.display()
            )
        );
        let payload = fixture("bluezone/f0_payload.json");
        assert!(load_keys(&payload, Some(SchemeKind::Gaen)).is_err());
        let mut bzk = Vec::new();
        bzk::write(&PublishedKeys::new(SchemeKind::B3), 144, &mut bzk, "b.bzk").unwrap();
        assert_eq!(
            load_keys_bytes(&bzk, "b.bzk", Some(SchemeKind::Gaen))
                .unwrap_err()
                .to_string(),
            "scheme mismatch: b.bzk: the batch holds b3 keys, not gaen keys"
        );
        assert!(load_keys(Path::new("/nonexistent/keys.csv"), None).is_err());
    }

    proptest::proptest! {
        /// Any bytes, with any of the formats' first bytes in front, load or
        /// fail with an error; what loads has valid windows.
        #[test]
        fn arbitrary_bytes_never_panic(
            prefix in proptest::sample::select(vec![
                &b""[..], b"PK\x03\x04", b"EK Export v1    ", b"BLUEZKEY", b"{\"data\":[", b"key,rolling_start,rolling_period\n",
                b"id,time,rssi\n", b"00\t11\t-60\t",
            ]),
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            let bytes = [prefix, &body[..]].concat();
            for kind in [None, Some(SchemeKind::Gaen), Some(SchemeKind::Bluezone), Some(SchemeKind::B3)] {
                if let Ok(loaded) = load_keys_bytes(&bytes, "fuzz", kind) {
                    for key in loaded.keys.iter() {
                        proptest::prop_assert!(key.window.rolling_period() >= 1);
                    }
                }
            }
            for id_len in [12, 16] {
                let _ = load_encounters_bytes(&bytes, "fuzz", id_len);
            }
        }
    }

    #[test]
    fn encounters_load_from_both_formats() {
        let trace = load_encounters(&fixture("bluezone/data_trace.txt"), 12).unwrap();
        assert_eq!(trace.format, EncounterFormat::BluezoneTrace);
        assert!(!trace.log.is_empty());
        assert!(
            load_encounters(&fixture("bluezone/data_trace.txt"), 16)
                .unwrap_err()
                .to_string()
                .ends_with("data_trace.txt: a Bluezone trace holds the bluezone scheme's 12-byte IDs, not 16-byte IDs")
        );
        let csv = format!("id,time,rssi\n{},100,-60\n", "00".repeat(16));
        let loaded = load_encounters_bytes(csv.as_bytes(), "e.csv", 16).unwrap();
        assert_eq!((loaded.format, loaded.log.len()), (EncounterFormat::Csv, 1));
    }
}
