//! The key export format of Google/Apple Exposure Notification: the zip
//! files that key servers publish and phones download.
//!
//! An export is a zip archive of two entries:
//!
//! | entry | content |
//! |---|---|
//! | `export.bin` | the 16-byte header `EK Export v1` padded with spaces ([`HEADER`]), then a protobuf [`TemporaryExposureKeyExport`](proto::TemporaryExposureKeyExport): the time window, region and batch of the file, its [`SignatureInfo`](proto::SignatureInfo)s, and the keys |
//! | `export.sig` | a protobuf [`TekSignatureList`](proto::TekSignatureList): ECDSA P-256 / SHA-256 signatures (ASN.1 DER) over the whole of `export.bin` |
//!
//! The schema is `proto/export.proto` of this crate, after
//! google/exposure-notifications-server's `internal/pb/export/export.proto`;
//! [`proto`] holds its generated Rust types.
//!
//! **Reading** ([`read_export_zip`], [`read_export_bin`]) streams
//! `export.bin`: the reader walks the protobuf fields of the export itself,
//! puts each key straight into a [`PublishedKeys`] and hashes every byte
//! with SHA-256 as it goes, so a file of millions of keys is never held in
//! memory, only its keys. A key is valid when its `key_data` is 16 bytes,
//! its rolling start is given and not negative, and its rolling period
//! (144 when absent) is 1 to 144; the report type, days since the onset of
//! symptoms and transmission risk level become its
//! [`KeyMetadata`](crate::KeyMetadata). A zip
//! is read with limits against zip bombs ([`MAX_EXPORT_BIN_BYTES`],
//! [`MAX_EXPORT_SIG_BYTES`], [`MAX_ZIP_ENTRIES`]), counted on the bytes that
//! actually come out of the decompressor. Every malformed input is an
//! [`Error::Parse`] that names the file, the byte
//! offset and the field:
//!
//! ```text
//! keys.zip/export.bin: byte 57: column keys.rolling_period: expected a number of intervals from 1 to 144, found 0
//! ```
//!
//! **Verifying** ([`Export::verify`]) checks the signatures of `export.sig`
//! against the digest of `export.bin` with a P-256 public key in PEM.
//!
//! **Writing** ([`write_exports`], [`write_export_zip`]) splits keys into
//! signed files of at most [`ExportOptions::max_keys_per_file`] keys, as a
//! key server publishes them; the output is the same for the same input.
//!
//! ```
//! use bluezone::SchemeKind;
//! use bluezone::formats::gaen_export::{read_export_zip_bytes, SignatureStatus};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gaen");
//! let zip = std::fs::read(format!("{dir}/testExport-2-records-1-of-1.zip")).unwrap();
//! let export = read_export_zip_bytes(&zip, "testExport.zip", SchemeKind::Gaen)?;
//! assert_eq!(export.bin.region.as_deref(), Some("US"));
//! assert_eq!(export.bin.keys.len(), 2);
//! let key = export.bin.keys.get(1).unwrap();
//! assert_eq!(bluezone::hex::encode(key.key), "2b63053ac483238de176169e861f3dcd");
//! assert_eq!((key.window.rolling_start(), key.window.rolling_period()), (2_649_866, 114));
//!
//! let public_key = std::fs::read_to_string(format!("{dir}/public.pem")).unwrap();
//! assert_eq!(export.verify(&public_key)?, SignatureStatus::Valid { index: 0 });
//! # Ok::<(), bluezone::Error>(())
//! ```

use std::num::NonZeroUsize;

use crate::{Error, PublishedKeys, Result, SchemeKind};

mod archive;
pub mod proto;
mod read;
mod signature;
mod source;
mod write;

#[cfg(test)]
mod tests;

pub use archive::{read_export_zip, read_export_zip_bytes, read_export_zip_file};
pub use read::{read_export_bin, read_export_bin_file};
pub use signature::SignatureStatus;
pub use write::{write_export_bin, write_export_zip, write_exports};

/// The 16 bytes that begin every `export.bin`: `EK Export v1` padded with
/// spaces.
pub const HEADER: &[u8; 16] = b"EK Export v1    ";

/// The name of the entry of an export zip that holds the keys.
pub const EXPORT_BIN: &str = "export.bin";

/// The name of the entry of an export zip that holds the signatures.
pub const EXPORT_SIG: &str = "export.sig";

/// The ASN.1 object identifier of ECDSA with SHA-256, the signature
/// algorithm of the exports that this module writes.
pub const SIGNATURE_ALGORITHM: &str = "1.2.840.10045.4.3.2";

/// The largest `export.bin` read from a zip, in bytes once decompressed:
/// 512 MiB, about 18 million keys.
pub const MAX_EXPORT_BIN_BYTES: u64 = 512 << 20;

/// The largest `export.sig` read from a zip, in bytes once decompressed:
/// 1 MiB.
pub const MAX_EXPORT_SIG_BYTES: u64 = 1 << 20;

/// The most entries that an export zip may hold.
pub const MAX_ZIP_ENTRIES: usize = 16;

/// The largest message inside `export.bin` that the reader holds whole (a
/// key, a signature info, the region), in bytes; real ones are a few dozen.
pub const MAX_FIELD_BYTES: u64 = 64 << 10;

/// The rolling period of a key that does not give one: one day.
pub const DEFAULT_ROLLING_PERIOD: u32 = 144;

/// The longest rolling period that a key may have: one day.
pub const MAX_ROLLING_PERIOD: u32 = 144;

/// The contents of an `export.bin`, as [`read_export_bin`] reads it.
///
/// The optional header fields are `None` when the file does not give them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportBin {
    /// The published keys, in the order of the file.
    pub keys: PublishedKeys,
    /// Keys published earlier whose metadata the server revised, in the
    /// order of the file.
    pub revised_keys: PublishedKeys,
    /// The start of the file's time window, in seconds since the Unix epoch.
    pub start_timestamp: Option<u64>,
    /// The end of the file's time window, in seconds since the Unix epoch.
    pub end_timestamp: Option<u64>,
    /// The region that the keys come from.
    pub region: Option<String>,
    /// The 1-based number of the file in its batch.
    pub batch_num: Option<i32>,
    /// The number of files in the batch.
    pub batch_size: Option<i32>,
    /// The keys that sign the file.
    pub signature_infos: Vec<proto::SignatureInfo>,
    /// The SHA-256 digest of the whole file, header included: what
    /// `export.sig` signs.
    pub sha256: [u8; 32],
    /// The length of the file in bytes.
    pub len: u64,
}

/// An export zip, as [`read_export_zip`] reads it: `export.bin` and the
/// signatures of `export.sig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The contents of `export.bin`.
    pub bin: ExportBin,
    /// The signatures of `export.sig`, in its order.
    pub signatures: Vec<proto::TekSignature>,
}

/// How [`write_exports`] and [`write_export_zip`] write exports.
///
/// ```
/// use bluezone::formats::gaen_export::ExportOptions;
///
/// let options = ExportOptions {
///     region: "VN".to_owned(),
///     verification_key_id: "452".to_owned(),
///     ..ExportOptions::default()
/// };
/// assert_eq!(options.max_keys_per_file.get(), 750_000);
/// assert_eq!(options.verification_key_version, "v1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// The region of the keys, such as a country code; not written when
    /// empty.
    pub region: String,
    /// The start of the files' time window, in seconds since the Unix
    /// epoch; `None` takes the start of the earliest key window.
    pub start_timestamp: Option<u64>,
    /// The end of the files' time window, in seconds since the Unix epoch;
    /// `None` takes the end of the latest key window.
    pub end_timestamp: Option<u64>,
    /// The most keys in one file (750,000 by default, as Google's key
    /// server). The format's own "batch size" is the number of files of a
    /// batch, which [`write_exports`] computes from this.
    pub max_keys_per_file: NonZeroUsize,
    /// The identifier of the verification key that apps know the server
    /// by; not written when empty.
    pub verification_key_id: String,
    /// The version of the verification key, for key rotation; not written
    /// when empty.
    pub verification_key_version: String,
}

/// The number of keys per file of Google's key server.
const DEFAULT_MAX_KEYS_PER_FILE: NonZeroUsize = NonZeroUsize::new(750_000).unwrap();

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            region: String::new(),
            start_timestamp: None,
            end_timestamp: None,
            max_keys_per_file: DEFAULT_MAX_KEYS_PER_FILE,
            verification_key_id: String::new(),
            verification_key_version: "v1".to_owned(),
        }
    }
}

/// Checks that `kind` is a scheme of the format's 16-byte keys.
fn check_kind(kind: SchemeKind) -> Result<()> {
    match kind {
        SchemeKind::Gaen | SchemeKind::B3 => Ok(()),
        SchemeKind::Bluezone => Err(Error::SchemeMismatch(format!(
            "the export format holds the 16-byte keys of the gaen or b3 scheme, not {} keys",
            kind.name()
        ))),
    }
}
