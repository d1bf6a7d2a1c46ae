//! Tests of the export format: the real sample files, every kind of
//! malformed input, signatures, writing, and properties.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use prost::Message;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::proto::TemporaryExposureKey;
use super::{ExportBin, HEADER, MAX_ROLLING_PERIOD, read_export_bin, read_export_zip_bytes};
use crate::{Result, SchemeKind};

mod fixtures;
mod malformed;
mod properties;
mod round_trip;
mod signatures;

/// The signed sample export.
const SIGNED: &str = "testExport-2-records-1-of-1.zip";
/// The 200-key bare sample.
const INTERNALS: &str = "internals-export.bin";
/// The 110-key bare sample.
const INTERNALS_APP: &str = "internals-app-export.bin";

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gaen")
        .join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

/// The entries of a zip, in order.
fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// The entry `name` of a zip.
fn entry(zip: &[u8], name: &str) -> Vec<u8> {
    unzip(zip)
        .into_iter()
        .find(|(entry, _)| entry == name)
        .unwrap()
        .1
}

/// A deflated zip of `entries`.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// `export.bin` of the signed sample.
fn signed_bin() -> Vec<u8> {
    entry(&fixture(SIGNED), "export.bin")
}

/// `export.sig` of the signed sample.
fn signed_sig() -> Vec<u8> {
    entry(&fixture(SIGNED), "export.sig")
}

/// Reads `bytes` as a bare `export.bin` of gaen keys.
fn read_bin(bytes: &[u8]) -> Result<ExportBin> {
    read_export_bin(bytes, "export.bin", SchemeKind::Gaen)
}

/// The error text of reading `bytes` as a bare `export.bin`.
fn bin_error(bytes: &[u8]) -> String {
    read_bin(bytes).unwrap_err().to_string()
}

/// The error text of reading `bytes` as an export zip.
fn zip_error(bytes: &[u8]) -> String {
    read_export_zip_bytes(bytes, "keys.zip", SchemeKind::Gaen)
        .unwrap_err()
        .to_string()
}

/// The header followed by `fields`.
fn bin_of(fields: &[u8]) -> Vec<u8> {
    let mut bin = HEADER.to_vec();
    bin.extend_from_slice(fields);
    bin
}

/// The bytes of field `keys` (7) holding `key`.
fn key_field(key: &TemporaryExposureKey) -> Vec<u8> {
    let mut field = Vec::new();
    prost::encoding::message::encode(7, key, &mut field);
    field
}

/// A valid key message.
fn key_message(
    key_data: &[u8],
    rolling_start: i32,
    rolling_period: Option<i32>,
) -> TemporaryExposureKey {
    TemporaryExposureKey {
        key_data: Some(key_data.to_vec()),
        rolling_start_interval_number: Some(rolling_start),
        rolling_period,
        ..TemporaryExposureKey::default()
    }
}

/// Every key that a read gives must have a window that the format allows.
fn assert_valid(bin: &ExportBin) {
    for keys in [&bin.keys, &bin.revised_keys] {
        for key in keys.iter() {
            assert_eq!(key.key.len(), 16);
            let (start, period) = (key.window.rolling_start(), key.window.rolling_period());
            assert!(i32::try_from(start).is_ok(), "rolling start {start}");
            assert!(
                (1..=MAX_ROLLING_PERIOD).contains(&period),
                "period {period}"
            );
            assert!(key.window.end() <= 1 << 32);
        }
    }
}

/// A reader that hands out its bytes `step` at a time.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = self.step.min(buf.len()).min(self.bytes.len());
        buf[..count].copy_from_slice(&self.bytes[..count]);
        self.bytes = &self.bytes[count..];
        Ok(count)
    }
}

/// Encodes a message, for building inputs.
fn encoded(message: &impl Message) -> Vec<u8> {
    message.encode_to_vec()
}
