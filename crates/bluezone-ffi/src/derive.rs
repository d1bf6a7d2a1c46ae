//! Daily keys, ephemeral IDs and GAEN metadata.

use bluezone::scheme::gaen;
use bluezone::{Gaen, SchemeKind, SecretKey};
use zeroize::Zeroizing;

use crate::args::{OutBuffer, byte_len, input};
use crate::error::{Failure, bz_result};
use crate::panic::fallible;
use crate::scheme::{kind_of, scheme_of};

/// The length of GAEN's associated metadata, in bytes.
pub const BZ_GAEN_METADATA_LEN: usize = 4;

/// Generates a daily key of `scheme` from the operating system's
/// cryptographically secure random number generator and writes it to the
/// first `bz_scheme_key_len(scheme)` bytes of `out_key`. The library keeps
/// no copy: its own is wiped from memory before the call returns.
///
/// Errors: `BZ_RESULT_BAD_SCHEME`; `BZ_RESULT_NULL_POINTER` or
/// `BZ_RESULT_BAD_LENGTH` for `out_key`; `BZ_RESULT_BUFFER_TOO_SMALL` when
/// `out_key_len` is less than the key length; `BZ_RESULT_RANDOM`.
///
/// # Safety
/// `out_key` is NULL or valid for writing `out_key_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_generate_key(
    scheme: u32,
    out_key: *mut u8,
    out_key_len: usize,
) -> bz_result {
    fallible("bz_generate_key", || {
        let kind = kind_of(scheme)?;
        let out = OutBuffer::new(out_key, out_key_len, "out_key")?;
        out.require(kind.key_len(), "out_key")?;
        match kind {
            SchemeKind::Gaen | SchemeKind::B3 => {
                let key = SecretKey::<16>::generate()?;
                // SAFETY: the caller gives `out_key` valid; the key is ours.
                unsafe { out.write(key.as_bytes()) };
            }
            SchemeKind::Bluezone => {
                let key = SecretKey::<32>::generate()?;
                // SAFETY: as above.
                unsafe { out.write(key.as_bytes()) };
            }
        }
        Ok(())
    })
}

/// Derives the IDs of `count` consecutive intervals, `first`, `first + 1`,
/// …, of the daily key `key` whose window starts at interval
/// `rolling_start`, and writes them back to back to the first
/// `count * bz_scheme_id_len(scheme)` bytes of `out_ids`.
///
/// `per_day` is the number of slots per day of the `bluezone` scheme (0 for
/// the default, 144); the other schemes take 0 (or 144). `gaen` IDs do not
/// depend on `rolling_start`; `b3` and `bluezone` define no ID before it. A
/// `count` of 0 writes nothing and succeeds.
///
/// Errors: `BZ_RESULT_BAD_SCHEME`, `BZ_RESULT_BAD_PER_DAY`;
/// `BZ_RESULT_NULL_POINTER` or `BZ_RESULT_BAD_LENGTH` for a buffer
/// (`count * id_len` overflowing or over `BZ_MAX_BUFFER_LEN`);
/// `BZ_RESULT_BUFFER_TOO_SMALL`; `BZ_RESULT_KEY_LENGTH` when `key_len` is
/// not the scheme's; `BZ_RESULT_INTERVAL_RANGE` for intervals before the
/// rolling start or past the largest interval number.
///
/// # Safety
/// `key` is NULL or valid for reading `key_len` bytes; `out_ids` is NULL or
/// valid for writing `out_ids_len` bytes, and does not overlap `key`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bz_derive_range(
    scheme: u32,
    per_day: u32,
    key: *const u8,
    key_len: usize,
    rolling_start: u32,
    first: u32,
    count: usize,
    out_ids: *mut u8,
    out_ids_len: usize,
) -> bz_result {
    fallible("bz_derive_range", || {
        let scheme = scheme_of(scheme, per_day)?;
        // SAFETY: the caller gives `key` valid for `key_len` bytes.
        let key = unsafe { input(key, key_len, "key") }?;
        let needed = byte_len(count, scheme.id_len(), "count")?;
        let out = OutBuffer::new(out_ids, out_ids_len, "out_ids")?;
        out.require(needed, "out_ids")?;
        if key.len() != scheme.key_len() {
            return Err(bluezone::Error::KeyLength {
                scheme: scheme.kind().name(),
                expected: scheme.key_len(),
                found: key.len(),
            }
            .into());
        }
        // Derived into memory of our own, so that the caller's buffer is
        // written only on success.
        let mut ids = vec![0u8; needed];
        scheme.derive_range_bytes(key, rolling_start, first, &mut ids)?;
        // SAFETY: the caller gives `out_ids` valid; `ids` is ours.
        unsafe { out.write(&ids) };
        Ok(())
    })
}

/// A metadata operation of [`Gaen`]: encryption or decryption.
type MetadataOp = fn(
    &[u8; gaen::KEY_LEN],
    &[u8; gaen::ID_LEN],
    [u8; BZ_GAEN_METADATA_LEN],
) -> [u8; BZ_GAEN_METADATA_LEN];

/// Checks and copies the arguments of the metadata functions, applies `op`
/// and writes its 4 bytes to `out`.
///
/// # Safety
/// As [`bz_gaen_encrypt_metadata`].
#[allow(clippy::too_many_arguments)]
unsafe fn apply_metadata_op(
    tek: *const u8,
    tek_len: usize,
    rpi: *const u8,
    rpi_len: usize,
    metadata: *const u8,
    metadata_len: usize,
    out: *mut u8,
    out_len: usize,
    op: MetadataOp,
) -> Result<(), Failure> {
    // SAFETY: the caller gives each buffer valid for its length; they are
    // copied at once, so `out` may overlap them.
    let (tek, rpi, metadata) = unsafe {
        (
            input(tek, tek_len, "tek")?,
            input(rpi, rpi_len, "rpi")?,
            input(metadata, metadata_len, "metadata")?,
        )
    };
    let tek = Zeroizing::new(<[u8; gaen::KEY_LEN]>::try_from(tek).map_err(|_| {
        Failure::from(bluezone::Error::KeyLength {
            scheme: SchemeKind::Gaen.name(),
            expected: gaen::KEY_LEN,
            found: tek_len,
        })
    })?);
    let rpi = <[u8; gaen::ID_LEN]>::try_from(rpi).map_err(|_| {
        Failure::from(bluezone::Error::IdLength {
            expected: gaen::ID_LEN,
            found: rpi_len,
        })
    })?;
    let metadata = <[u8; BZ_GAEN_METADATA_LEN]>::try_from(metadata).map_err(|_| {
        Failure::new(
            bz_result::BadLength,
            format!("metadata is {BZ_GAEN_METADATA_LEN} bytes, found {metadata_len}"),
        )
    })?;
    let out = OutBuffer::new(out, out_len, "out")?;
    out.require(BZ_GAEN_METADATA_LEN, "out")?;
    let result = op(&tek, &rpi, metadata);
    // SAFETY: the caller gives `out` valid; `result` is ours.
    unsafe { out.write(&result) };
    Ok(())
}

/// Encrypts the 4 bytes of Bluetooth metadata broadcast with the rolling
/// proximity identifier `rpi` (16 bytes) of the temporary exposure key `tek`
/// (16 bytes), as GAEN's associated encrypted metadata: AES-128-CTR with the
/// key `HKDF(tek, "EN-AEMK")` and the RPI as IV. Writes 4 bytes to `out`,
/// which may be the same buffer as `metadata`.
///
/// Metadata byte 0 holds the major version in bits 7–6 and the minor version
/// in bits 5–4; byte 1 the transmit power in dBm (signed); bytes 2–3 are
/// reserved (zero).
///
/// Errors: `BZ_RESULT_NULL_POINTER` or `BZ_RESULT_BAD_LENGTH` for a buffer;
/// `BZ_RESULT_KEY_LENGTH` (`tek_len` not 16), `BZ_RESULT_ID_LENGTH`
/// (`rpi_len` not 16), `BZ_RESULT_BAD_LENGTH` (`metadata_len` not 4),
/// `BZ_RESULT_BUFFER_TOO_SMALL` (`out_len` less than 4).
///
/// # Safety
/// Each pointer is NULL or valid for its length (`out` for writing).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn bz_gaen_encrypt_metadata(
    tek: *const u8,
    tek_len: usize,
    rpi: *const u8,
    rpi_len: usize,
    metadata: *const u8,
    metadata_len: usize,
    out: *mut u8,
    out_len: usize,
) -> bz_result {
    fallible("bz_gaen_encrypt_metadata", || {
        // SAFETY: as this function's contract.
        unsafe {
            apply_metadata_op(
                tek,
                tek_len,
                rpi,
                rpi_len,
                metadata,
                metadata_len,
                out,
                out_len,
                Gaen::encrypt_metadata,
            )
        }
    })
}

/// Decrypts associated encrypted metadata (4 bytes) seen with the rolling
/// proximity identifier `rpi`, once the temporary exposure key `tek` that
/// produced it is known, and writes the 4 bytes of metadata to `out` (which
/// may be the same buffer as `encrypted`). CTR mode: the same operation as
/// `bz_gaen_encrypt_metadata`, with the same errors.
///
/// # Safety
/// Each pointer is NULL or valid for its length (`out` for writing).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn bz_gaen_decrypt_metadata(
    tek: *const u8,
    tek_len: usize,
    rpi: *const u8,
    rpi_len: usize,
    encrypted: *const u8,
    encrypted_len: usize,
    out: *mut u8,
    out_len: usize,
) -> bz_result {
    fallible("bz_gaen_decrypt_metadata", || {
        // SAFETY: as this function's contract.
        unsafe {
            apply_metadata_op(
                tek,
                tek_len,
                rpi,
                rpi_len,
                encrypted,
                encrypted_len,
                out,
                out_len,
                Gaen::decrypt_metadata,
            )
        }
    })
}
