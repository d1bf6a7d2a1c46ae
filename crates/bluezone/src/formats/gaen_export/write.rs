//! Writing signed export zips, as a key server publishes them.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;
use prost::Message;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::proto::{
    SignatureInfo, TekSignature, TekSignatureList, TemporaryExposureKey, TemporaryExposureKeyExport,
};
use super::signature::{sign, signing_key};
use super::{
    EXPORT_BIN, EXPORT_SIG, ExportOptions, HEADER, MAX_ROLLING_PERIOD, SIGNATURE_ALGORITHM,
    check_kind,
};
use crate::time::INTERVAL_SECONDS;
use crate::{Error, Position, PublishedKey, PublishedKeys, ReportType, Result};

/// Writes `keys` as signed export zips in the directory `out_dir`, at most
/// [`ExportOptions::max_keys_per_file`] keys to a file, in their order,
/// and returns the paths of the files: `export-1-of-N.zip` to
/// `export-N-of-N.zip`, N being the batch size (one file when there are no
/// keys). Every file has the same time window, the options' or, when they
/// give none, from the start of the earliest key window to the end of the
/// latest; its `export.sig` is signed with `signing_key_pem`, a P-256
/// private key in PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or SEC1
/// (`-----BEGIN EC PRIVATE KEY-----`).
///
/// The files are the same bytes for the same input: the zip entries carry a
/// fixed time (1980-01-01 00:00) and the signatures are deterministic
/// (RFC 6979).
///
/// # Errors
/// [`Error::SchemeMismatch`] for keys that are not 16 bytes;
/// [`Error::InvalidKey`] for a key that the format cannot hold (a rolling
/// start past 2147483647 or a period of more than 144); [`Error::Parse`]
/// for a signing key that is not a P-256 private key in PEM, or a file that
/// cannot be created or written.
pub fn write_exports(
    keys: &PublishedKeys,
    options: &ExportOptions,
    signing_key_pem: &str,
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    check_keys(keys)?;
    let signing_key = signing_key(signing_key_pem)?;
    let per_file = options.max_keys_per_file.get();
    let files = keys.len().div_ceil(per_file).max(1);
    let batch_size = i32::try_from(files).map_err(|_| Error::Parse {
        file: out_dir.display().to_string(),
        position: Position::Whole,
        column: None,
        message: format!(
            "{files} files is more than the {} that batch numbers count",
            i32::MAX
        ),
    })?;
    let window = time_window(keys, options);
    let mut paths = Vec::with_capacity(files);
    for (index, batch_num) in (1..=batch_size).enumerate() {
        let path = out_dir.join(format!("export-{batch_num}-of-{batch_size}.zip"));
        let label = path.display().to_string();
        let out = File::create(&path).map_err(|err| write_error(&label, "cannot create", &err))?;
        let range = index * per_file..((index + 1) * per_file).min(keys.len());
        let batch = Batch {
            num: batch_num,
            size: batch_size,
        };
        write_zip(
            keys,
            range,
            &header(options, window, batch),
            &signing_key,
            BufWriter::new(out),
            &label,
        )?
        .into_inner()
        .map_err(|err| write_error(&label, "cannot write", err.error()))?;
        paths.push(path);
    }
    Ok(paths)
}

/// Writes all of `keys` as one signed export zip to `writer`, as file
/// `batch_num` of a batch of `batch_size` files, and returns the writer.
/// The time window is the options', or the keys' when they give none, and
/// the signing key and the output are as for [`write_exports`];
/// [`ExportOptions::max_keys_per_file`] does not apply.
///
/// ```
/// use std::io::Cursor;
///
/// use bluezone::{PublishedKeys, SchemeKind};
/// use bluezone::formats::gaen_export::{
///     read_export_zip_bytes, write_export_zip, ExportOptions, SignatureStatus,
/// };
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gaen");
/// let private_key = std::fs::read_to_string(format!("{dir}/test-private-pkcs8.pem")).unwrap();
/// let public_key = std::fs::read_to_string(format!("{dir}/test-public.pem")).unwrap();
///
/// let mut keys = PublishedKeys::new(SchemeKind::Gaen);
/// keys.push(&[7; 16], 2_642_976, 144)?;
/// let options = ExportOptions { region: "VN".to_owned(), ..ExportOptions::default() };
/// let zip = write_export_zip(&keys, &options, 1, 1, &private_key, Cursor::new(Vec::new()))?;
///
/// let export = read_export_zip_bytes(zip.get_ref(), "export.zip", SchemeKind::Gaen)?;
/// assert_eq!(export.bin.keys, keys);
/// assert_eq!(export.bin.start_timestamp, Some(2_642_976 * 600));
/// assert!(export.verify(&public_key)?.is_valid());
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// As [`write_exports`]; a failure to write is reported as
/// [`Error::Parse`] of "the export zip (batch N of M)".
pub fn write_export_zip<W: Write + Seek>(
    keys: &PublishedKeys,
    options: &ExportOptions,
    batch_num: i32,
    batch_size: i32,
    signing_key_pem: &str,
    writer: W,
) -> Result<W> {
    check_keys(keys)?;
    let signing_key = signing_key(signing_key_pem)?;
    let batch = Batch {
        num: batch_num,
        size: batch_size,
    };
    let header = header(options, time_window(keys, options), batch);
    let label = format!("the export zip (batch {batch_num} of {batch_size})");
    write_zip(keys, 0..keys.len(), &header, &signing_key, writer, &label)
}

/// A file's place in its batch.
#[derive(Clone, Copy)]
struct Batch {
    num: i32,
    size: i32,
}

/// Checks that the format can hold every key.
fn check_keys(keys: &PublishedKeys) -> Result<()> {
    check_kind(keys.kind())?;
    for (index, key) in keys.iter().enumerate() {
        let (start, period) = (key.window.rolling_start(), key.window.rolling_period());
        let reason = if i32::try_from(start).is_err() {
            format!(
                "the rolling start {start} is past {}, the last that the export format holds",
                i32::MAX
            )
        } else if period > MAX_ROLLING_PERIOD {
            format!(
                "the rolling period {period} is more than the {MAX_ROLLING_PERIOD} that the export format holds"
            )
        } else {
            continue;
        };
        return Err(Error::InvalidKey { index, reason });
    }
    Ok(())
}

/// The options' time window, or the keys' where the options give none.
fn time_window(keys: &PublishedKeys, options: &ExportOptions) -> (u64, u64) {
    let seconds = u64::from(INTERVAL_SECONDS);
    let start = options.start_timestamp.unwrap_or_else(|| {
        keys.iter()
            .map(|key| u64::from(key.window.rolling_start()))
            .min()
            .unwrap_or(0)
            * seconds
    });
    let end = options
        .end_timestamp
        .unwrap_or_else(|| keys.iter().map(|key| key.window.end()).max().unwrap_or(0) * seconds);
    (start, end)
}

/// The signing key's description.
fn signature_info(options: &ExportOptions) -> SignatureInfo {
    SignatureInfo {
        verification_key_version: non_empty(&options.verification_key_version),
        verification_key_id: non_empty(&options.verification_key_id),
        signature_algorithm: Some(SIGNATURE_ALGORITHM.to_owned()),
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// The fields of `export.bin` before its keys.
fn header(options: &ExportOptions, window: (u64, u64), batch: Batch) -> TemporaryExposureKeyExport {
    TemporaryExposureKeyExport {
        start_timestamp: Some(window.0),
        end_timestamp: Some(window.1),
        region: non_empty(&options.region),
        batch_num: Some(batch.num),
        batch_size: Some(batch.size),
        signature_infos: vec![signature_info(options)],
        keys: Vec::new(),
        revised_keys: Vec::new(),
    }
}

/// The message of a key that [`check_keys`] accepted.
#[allow(deprecated)] // transmission_risk_level: deprecated by the format, still published
fn key_message(key: &PublishedKey<'_>) -> TemporaryExposureKey {
    let metadata = key.metadata;
    TemporaryExposureKey {
        key_data: Some(key.key.to_vec()),
        transmission_risk_level: metadata.transmission_risk.map(i32::from),
        rolling_start_interval_number: Some(key.window.rolling_start().cast_signed()),
        rolling_period: Some(key.window.rolling_period().cast_signed()),
        report_type: (metadata.report_type != ReportType::Unknown)
            .then(|| i32::from(metadata.report_type.code())),
        days_since_onset_of_symptoms: metadata.days_since_onset,
    }
}

/// The field number of `keys` in `TemporaryExposureKeyExport`.
const KEYS_FIELD: u32 = 7;

/// Bytes of `export.bin` gathered before each write to the zip.
const CHUNK_BYTES: usize = 64 << 10;

/// Writes one zip: `export.bin` with the header fields and the keys of
/// `range`, then `export.sig`.
fn write_zip<W: Write + Seek>(
    keys: &PublishedKeys,
    range: Range<usize>,
    header: &TemporaryExposureKeyExport,
    signing_key: &SigningKey,
    writer: W,
    label: &str,
) -> Result<W> {
    let failed = |err: &dyn std::fmt::Display| write_error(label, "cannot write", err);
    let entry = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(writer);
    zip.start_file(EXPORT_BIN, entry)
        .map_err(|err| failed(&err))?;
    let digest = write_bin(keys, range, header, &mut zip, label)?;
    let signature = sign(signing_key, &digest)?;
    let signatures = TekSignatureList {
        signatures: vec![TekSignature {
            signature_info: header.signature_infos.first().cloned(),
            batch_num: header.batch_num,
            batch_size: header.batch_size,
            signature: Some(signature),
        }],
    };
    zip.start_file(EXPORT_SIG, entry)
        .map_err(|err| failed(&err))?;
    zip.write_all(&signatures.encode_to_vec())
        .map_err(|err| failed(&err))?;
    zip.finish().map_err(|err| failed(&err))
}

/// Writes `export.bin`, the header fields and the keys of `range`, and
/// returns its SHA-256 digest.
fn write_bin(
    keys: &PublishedKeys,
    range: Range<usize>,
    header: &TemporaryExposureKeyExport,
    mut out: impl Write,
    label: &str,
) -> Result<[u8; 32]> {
    let failed = |err: &dyn std::fmt::Display| write_error(label, "cannot write", err);
    let mut hasher = Sha256::new();
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 256);
    chunk.extend_from_slice(HEADER);
    chunk.extend_from_slice(&header.encode_to_vec());
    for index in range {
        if let Some(key) = keys.get(index) {
            prost::encoding::message::encode(KEYS_FIELD, &key_message(&key), &mut chunk);
        }
        if chunk.len() >= CHUNK_BYTES {
            hasher.update(&chunk);
            out.write_all(&chunk).map_err(|err| failed(&err))?;
            chunk.clear();
        }
    }
    hasher.update(&chunk);
    out.write_all(&chunk).map_err(|err| failed(&err))?;
    out.flush().map_err(|err| failed(&err))?;
    Ok(hasher.finalize().into())
}

/// Writes a bare, unsigned `export.bin` of all the keys (batch 1 of 1): the
/// form in which the reference matchers' test data travels, and a format
/// every Exposure Notification tool reads. Sign it with
/// [`write_export_zip`] or [`write_exports`] to publish it.
///
/// ```
/// use bluezone::{PublishedKeys, SchemeKind};
/// use bluezone::formats::gaen_export::{read_export_bin, write_export_bin, ExportOptions};
///
/// let mut keys = PublishedKeys::new(SchemeKind::Gaen);
/// keys.push(&[7u8; 16], 2_650_000, 144)?;
/// let mut bin = Vec::new();
/// write_export_bin(&keys, &ExportOptions::default(), &mut bin)?;
/// assert_eq!(read_export_bin(&bin[..], "export.bin", SchemeKind::Gaen)?.keys, keys);
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// As [`write_exports`].
pub fn write_export_bin(
    keys: &PublishedKeys,
    options: &ExportOptions,
    writer: impl Write,
) -> Result<[u8; 32]> {
    check_keys(keys)?;
    let batch = Batch { num: 1, size: 1 };
    let header = header(options, time_window(keys, options), batch);
    write_bin(keys, 0..keys.len(), &header, writer, "export.bin")
}

fn write_error(label: &str, what: &str, err: &dyn std::fmt::Display) -> Error {
    Error::Parse {
        file: label.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("{what}: {err}"),
    }
}
