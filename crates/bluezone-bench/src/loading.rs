//! How fast published keys load from files: the native batch file, the
//! signed Exposure Notification export (read and verified), and the keys
//! CSV.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bluezone::formats::gaen_export::{self, ExportOptions};
use bluezone::formats::{bzk, csv};
use bluezone::{Error, Position, PublishedKeys, Result};

use crate::report::{format_bytes, format_duration};

/// The test signing key of the library's fixtures (not a secret).
const TEST_PRIVATE_KEY: &str =
    include_str!("../../bluezone/tests/fixtures/gaen/test-private-pkcs8.pem");
/// Its public key.
const TEST_PUBLIC_KEY: &str = include_str!("../../bluezone/tests/fixtures/gaen/test-public.pem");

/// One row of the loading table.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadMeasurement {
    /// What was loaded.
    pub format: &'static str,
    /// Keys in the file.
    pub keys: usize,
    /// The file's size.
    pub bytes: u64,
    /// Median time to load (and, where the format has one, check) it.
    pub load: Duration,
    /// Whether the loaded keys equal the ones written.
    pub correct: bool,
}

/// A temporary folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        let path = std::env::temp_dir().join(format!("bluezone-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|err| io_error(&path, &err))?;
        Ok(Self(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::Parse {
        file: path.display().to_string(),
        position: Position::Whole,
        column: None,
        message: err.to_string(),
    }
}

/// Writes `keys` in each format to a temporary folder, then loads each
/// `runs` times.
///
/// # Errors
/// When a file cannot be written or read back.
pub fn measure_loading(
    keys: &PublishedKeys,
    per_day: u32,
    runs: usize,
) -> Result<Vec<LoadMeasurement>> {
    let scratch = Scratch::new()?;
    let mut rows = Vec::new();

    let path = scratch.0.join("keys.bzk");
    let file = std::fs::File::create(&path).map_err(|err| io_error(&path, &err))?;
    bzk::write(
        keys,
        per_day,
        std::io::BufWriter::new(file),
        &path.display().to_string(),
    )?;
    rows.push(time_load(
        "native batch (.bzk, mapped)",
        &path,
        keys,
        runs,
        |path| Ok(bzk::read_file(path)?.keys),
    )?);

    if keys.kind().key_len() == 16 {
        let path = scratch.0.join("export.zip");
        let file = std::fs::File::create(&path).map_err(|err| io_error(&path, &err))?;
        gaen_export::write_export_zip(
            keys,
            &ExportOptions::default(),
            1,
            1,
            TEST_PRIVATE_KEY,
            std::io::BufWriter::new(file),
        )?;
        rows.push(time_load(
            "signed export zip (read + verify)",
            &path,
            keys,
            runs,
            |path| {
                let export = gaen_export::read_export_zip_file(path, keys.kind())?;
                if !export.verify(TEST_PUBLIC_KEY)?.is_valid() {
                    return Err(Error::SchemeMismatch(
                        "the signature does not verify".to_owned(),
                    ));
                }
                Ok(export.bin.keys)
            },
        )?);
    }

    let path = scratch.0.join("keys.csv");
    let file = std::fs::File::create(&path).map_err(|err| io_error(&path, &err))?;
    csv::write_keys(keys, std::io::BufWriter::new(file)).map_err(|err| io_error(&path, &err))?;
    rows.push(time_load("keys CSV", &path, keys, runs, |path| {
        csv::read_keys_file(path, keys.kind())
    })?);
    Ok(rows)
}

fn time_load(
    format: &'static str,
    path: &Path,
    expected: &PublishedKeys,
    runs: usize,
    load: impl Fn(&Path) -> Result<PublishedKeys>,
) -> Result<LoadMeasurement> {
    let bytes = std::fs::metadata(path)
        .map_err(|err| io_error(path, &err))?
        .len();
    let mut times = Vec::with_capacity(runs);
    let mut correct = true;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let keys = load(path)?;
        times.push(started.elapsed());
        correct &= &keys == expected;
    }
    times.sort_unstable();
    Ok(LoadMeasurement {
        format,
        keys: expected.len(),
        bytes,
        load: times[times.len() / 2],
        correct,
    })
}

/// Formats the loading measurements as a plain-text table.
#[must_use]
pub fn table(rows: &[LoadMeasurement]) -> String {
    let mut out = String::from(
        "| format | keys | file size | load | keys equal |\n| :-- | --: | --: | --: | :-- |\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row.format,
            row.keys,
            format_bytes(usize::try_from(row.bytes).unwrap_or(usize::MAX)),
            format_duration(row.load),
            if row.correct { "yes" } else { "NO" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluezone::SchemeKind;

    #[test]
    fn loading_round_trips() {
        let mut keys = PublishedKeys::new(SchemeKind::B3);
        for i in 0..100u32 {
            keys.push(&[i as u8; 16], 2_900_000 + i, 144).unwrap();
        }
        let rows = measure_loading(&keys, 144, 1).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|row| row.correct && row.keys == 100));
        assert!(table(&rows).contains("| native batch (.bzk, mapped) | 100 |"));
    }
}
