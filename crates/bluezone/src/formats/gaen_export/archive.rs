//! Reading export zips: `export.bin` through the streaming reader, and
//! `export.sig`, within limits that hold against zip bombs.

use std::fmt;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::path::Path;

use prost::Message;
use zip::ZipArchive;
use zip::read::ZipFile;
use zip::result::ZipError;

use super::proto::TekSignatureList;
use super::read::{Parser, open, read_error, whole};
use super::{
    EXPORT_BIN, EXPORT_SIG, Export, MAX_EXPORT_BIN_BYTES, MAX_EXPORT_SIG_BYTES, MAX_ZIP_ENTRIES,
    check_kind,
};
use crate::{Position, Result, SchemeKind};

/// Reads an export zip: `export.bin`, streaming as [`read_export_bin`](super::read_export_bin)
/// does, and the signatures of `export.sig`. `file` names the zip in
/// errors, and `file/export.bin` or `file/export.sig` an entry.
///
/// The zip may hold other entries, up to [`MAX_ZIP_ENTRIES`] in all. What
/// comes out of the decompressor is counted, whatever sizes the zip
/// declares: at most [`MAX_EXPORT_BIN_BYTES`] of `export.bin` and
/// [`MAX_EXPORT_SIG_BYTES`] of `export.sig`. The signatures are read, not
/// verified: see [`Export::verify`].
///
/// # Errors
/// [`Error::SchemeMismatch`](crate::Error::SchemeMismatch) for a `kind` whose keys are not 16 bytes;
/// otherwise [`Error::Parse`](crate::Error::Parse): input that is not a zip, too many entries, a
/// missing entry, an entry that cannot be decompressed or is too large, a
/// signature list that does not decode, or any error of
/// [`read_export_bin`](super::read_export_bin).
pub fn read_export_zip(reader: impl Read + Seek, file: &str, kind: SchemeKind) -> Result<Export> {
    read_zip(reader, file, kind, &LIMITS)
}

/// Reads an export zip from bytes in memory, as [`read_export_zip`] does.
///
/// # Errors
/// As [`read_export_zip`].
pub fn read_export_zip_bytes(bytes: &[u8], file: &str, kind: SchemeKind) -> Result<Export> {
    read_export_zip(Cursor::new(bytes), file, kind)
}

/// Opens the zip at `path` and reads it as [`read_export_zip`] does; errors
/// name the file by its path.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) when the file cannot be opened (with the operating
/// system's reason), or as [`read_export_zip`].
pub fn read_export_zip_file(path: &Path, kind: SchemeKind) -> Result<Export> {
    let file = path.display().to_string();
    read_export_zip(BufReader::new(open(path, &file)?), &file, kind)
}

/// The limits of a zip read: the public constants, lowered by the tests.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// The most bytes of `export.bin`.
    pub(super) bin: u64,
    /// The most bytes of `export.sig`.
    pub(super) sig: u64,
    /// The most entries.
    pub(super) entries: usize,
}

const LIMITS: Limits = Limits {
    bin: MAX_EXPORT_BIN_BYTES,
    sig: MAX_EXPORT_SIG_BYTES,
    entries: MAX_ZIP_ENTRIES,
};

/// [`read_export_zip`] with the given limits.
pub(super) fn read_zip<R: Read + Seek>(
    reader: R,
    file: &str,
    kind: SchemeKind,
    limits: &Limits,
) -> Result<Export> {
    check_kind(kind)?;
    let mut archive = ZipArchive::new(reader).map_err(|err| {
        whole(
            file,
            match err {
                ZipError::Io(err) => format!("cannot read the file: {err}"),
                err => format!("not a valid zip file: {err}"),
            },
        )
    })?;
    if archive.len() > limits.entries {
        return Err(whole(
            file,
            format!(
                "the zip holds {} entries, more than the {} allowed",
                archive.len(),
                limits.entries
            ),
        ));
    }
    let bin_file = format!("{file}/{EXPORT_BIN}");
    let bin = {
        let entry = entry(&mut archive, file, EXPORT_BIN)?;
        Parser::new(Capped::new(entry, limits.bin, EXPORT_BIN), &bin_file).read(kind)?
    };
    let sig_file = format!("{file}/{EXPORT_SIG}");
    let mut sig = Vec::new();
    Capped::new(
        entry(&mut archive, file, EXPORT_SIG)?,
        limits.sig,
        EXPORT_SIG,
    )
    .read_to_end(&mut sig)
    .map_err(|err| read_error(&sig_file, Position::Whole, &err))?;
    let signatures = TekSignatureList::decode(&sig[..])
        .map_err(|err| whole(&sig_file, err.to_string()))?
        .signatures;
    Ok(Export { bin, signatures })
}

/// Opens the entry `name` of the zip `file`.
fn entry<'a, R: Read + Seek>(
    archive: &'a mut ZipArchive<R>,
    file: &str,
    name: &str,
) -> Result<ZipFile<'a, R>> {
    let index = archive
        .index_for_name(name)
        .ok_or_else(|| whole(file, format!("the zip has no {name} entry")))?;
    archive
        .by_index(index)
        .map_err(|err| whole(file, format!("cannot open {name} in the zip: {err}")))
}

/// A zip entry that decompressed to more than its limit.
#[derive(Debug)]
pub(super) struct TooLarge {
    name: &'static str,
    limit: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "decompresses to more than {} bytes, the most allowed for {}",
            self.limit, self.name
        )
    }
}

impl std::error::Error for TooLarge {}

/// A reader that fails with [`TooLarge`] past `limit` bytes, whatever the
/// input declares.
struct Capped<R> {
    inner: io::Take<R>,
    name: &'static str,
    limit: u64,
}

impl<R: Read> Capped<R> {
    fn new(inner: R, limit: u64, name: &'static str) -> Self {
        Self {
            inner: inner.take(limit.saturating_add(1)),
            name,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        if self.inner.limit() == 0 && count > 0 {
            return Err(io::Error::other(TooLarge {
                name: self.name,
                limit: self.limit,
            }));
        }
        Ok(count)
    }
}
