//! `gaen`: the Google/Apple Exposure Notification cryptography, v1.2.
//!
//! - Temporary exposure key (TEK): 16 random bytes, valid for a window of
//!   10-minute intervals (usually 144, one UTC day).
//! - Rolling proximity identifier key: `RPIK = HKDF-SHA256(TEK, salt = none,
//!   info = "EN-RPIK", 16 bytes)`.
//! - Rolling proximity identifier of interval `i`: `RPI = AES-128(RPIK,
//!   "EN-RPI" ‖ 0x000000000000 ‖ LE32(i))`.
//! - Associated encrypted metadata: `AEMK = HKDF-SHA256(TEK, none,
//!   "EN-AEMK", 16)` and `AEM = AES-128-CTR(AEMK, IV = RPI, metadata)`.
//!
//! The RPIs of a key do not depend on its rolling start: any interval number
//! can be derived.

use std::sync::LazyLock;

use aes::Aes128;
use aes::cipher::array::Array;
use aes::cipher::{BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher};
use hkdf::HkdfExtract;
use sha2::Sha256;

use super::{IdScheme, SchemeKind, check_range, check_sparse};
use crate::Result;
use crate::time::{INTERVAL_SECONDS, INTERVALS_PER_DAY};

/// Length of a temporary exposure key, in bytes.
pub const KEY_LEN: usize = 16;
/// Length of a rolling proximity identifier, in bytes.
pub const ID_LEN: usize = 16;
/// Length of the associated metadata, in bytes.
pub const METADATA_LEN: usize = 4;

/// HKDF info of the rolling proximity identifier key.
const RPIK_INFO: &[u8] = b"EN-RPIK";
/// HKDF info of the associated encrypted metadata key.
const AEMK_INFO: &[u8] = b"EN-AEMK";
/// The first six bytes of every RPI's padded data.
const RPI_PREFIX: &[u8; 6] = b"EN-RPI";

/// HKDF-Extract with the empty salt, keyed once: every key then costs only
/// the hashing of its own bytes.
static EXTRACT: LazyLock<HkdfExtract<Sha256>> = LazyLock::new(|| HkdfExtract::new(None));

/// The Google/Apple Exposure Notification scheme.
///
/// ```
/// use bluezone::{Gaen, IdScheme};
///
/// let tek: [u8; 16] = bluezone::hex::decode_array("75c734c6dd1a782de7a965da5eb93125")?;
/// let rpi = Gaen.derive_one(&tek, 2_642_976, 2_642_976)?;
/// assert_eq!(bluezone::hex::encode(&rpi), "8be6cd371c5c891604bfbe49df845096");
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gaen;

impl Gaen {
    /// The rolling proximity identifier key of a TEK.
    #[must_use]
    pub fn rpik(tek: &[u8; KEY_LEN]) -> [u8; 16] {
        hkdf16(tek, RPIK_INFO)
    }

    /// The associated encrypted metadata key of a TEK.
    #[must_use]
    pub fn aemk(tek: &[u8; KEY_LEN]) -> [u8; 16] {
        hkdf16(tek, AEMK_INFO)
    }

    /// Encrypts the 4 bytes of Bluetooth metadata broadcast with `rpi`.
    #[must_use]
    pub fn encrypt_metadata(
        tek: &[u8; KEY_LEN],
        rpi: &[u8; ID_LEN],
        metadata: [u8; METADATA_LEN],
    ) -> [u8; METADATA_LEN] {
        let mut out = metadata;
        let aemk = Self::aemk(tek);
        ctr::Ctr128BE::<Aes128>::new(&Array::from(aemk), &Array::from(*rpi))
            .apply_keystream(&mut out);
        out
    }

    /// Decrypts associated encrypted metadata seen with `rpi`, once the TEK
    /// that produced it is known. (CTR mode: the same operation as
    /// [`Gaen::encrypt_metadata`].)
    #[must_use]
    pub fn decrypt_metadata(
        tek: &[u8; KEY_LEN],
        rpi: &[u8; ID_LEN],
        encrypted: [u8; METADATA_LEN],
    ) -> [u8; METADATA_LEN] {
        Self::encrypt_metadata(tek, rpi, encrypted)
    }
}

impl IdScheme for Gaen {
    type Key = [u8; KEY_LEN];
    type Id = [u8; ID_LEN];

    fn kind(&self) -> SchemeKind {
        SchemeKind::Gaen
    }

    fn interval_seconds(&self) -> u32 {
        INTERVAL_SECONDS
    }

    fn intervals_per_day(&self) -> u32 {
        INTERVALS_PER_DAY
    }

    fn derive_range(
        &self,
        key: &Self::Key,
        _rolling_start: u32,
        first: u32,
        out: &mut [Self::Id],
    ) -> Result<()> {
        check_range(first, out.len())?;
        for (offset, block) in out.iter_mut().enumerate() {
            *block = padded_data(first.wrapping_add(offset as u32));
        }
        encrypt_in_place(key, out);
        Ok(())
    }

    fn derive_sparse(
        &self,
        key: &Self::Key,
        _rolling_start: u32,
        intervals: &[u32],
        out: &mut [Self::Id],
    ) -> Result<()> {
        check_sparse(intervals, out)?;
        for (block, &interval) in out.iter_mut().zip(intervals) {
            *block = padded_data(interval);
        }
        encrypt_in_place(key, out);
        Ok(())
    }

    fn for_each_range(
        &self,
        key: &Self::Key,
        _rolling_start: u32,
        first: u32,
        count: usize,
        mut visit: impl FnMut(u32, &[Self::Id]),
    ) -> Result<()> {
        check_range(first, count)?;
        if count == 0 {
            return Ok(());
        }
        let cipher = Aes128::new(&Array::from(Gaen::rpik(key)));
        let mut blocks = [[0u8; 16]; FOR_EACH_CHUNK];
        let mut done = 0;
        while done < count {
            let n = (count - done).min(FOR_EACH_CHUNK);
            let chunk_first = first + done as u32;
            for (offset, block) in blocks[..n].iter_mut().enumerate() {
                *block = padded_data(chunk_first + offset as u32);
            }
            cipher.encrypt_blocks(Array::cast_slice_from_core_mut(&mut blocks[..n]));
            visit(chunk_first, &blocks[..n]);
            done += n;
        }
        Ok(())
    }

    fn for_each_sparse(
        &self,
        key: &Self::Key,
        _rolling_start: u32,
        intervals: &[u32],
        mut visit: impl FnMut(usize, &Self::Id),
    ) -> Result<()> {
        if intervals.is_empty() {
            return Ok(());
        }
        let cipher = Aes128::new(&Array::from(Gaen::rpik(key)));
        let mut blocks = [[0u8; 16]; FOR_EACH_CHUNK];
        for (chunk_index, chunk) in intervals.chunks(FOR_EACH_CHUNK).enumerate() {
            let blocks = &mut blocks[..chunk.len()];
            for (block, &interval) in blocks.iter_mut().zip(chunk) {
                *block = padded_data(interval);
            }
            cipher.encrypt_blocks(Array::cast_slice_from_core_mut(blocks));
            for (offset, rpi) in blocks.iter().enumerate() {
                visit(chunk_index * FOR_EACH_CHUNK + offset, rpi);
            }
        }
        Ok(())
    }
}

/// RPIs encrypted per call of the cipher in [`Gaen::for_each_sparse`]: a
/// day's worth, on the stack.
const FOR_EACH_CHUNK: usize = 144;

/// `"EN-RPI" ‖ 0^6 ‖ LE32(interval)`, built as one 16-byte word: the cipher
/// then loads whole blocks that were stored whole, which keeps the CPU's
/// store forwarding fast.
fn padded_data(interval: u32) -> [u8; 16] {
    const PREFIX: u128 = {
        let mut bytes = [0u8; 16];
        let mut i = 0;
        while i < RPI_PREFIX.len() {
            bytes[i] = RPI_PREFIX[i];
            i += 1;
        }
        u128::from_le_bytes(bytes)
    };
    (PREFIX | (u128::from(interval) << 96)).to_le_bytes()
}

/// Encrypts padded data blocks into RPIs with the TEK's RPIK, all blocks in
/// one call so that the cipher runs them in parallel.
fn encrypt_in_place(tek: &[u8; KEY_LEN], blocks: &mut [[u8; 16]]) {
    let cipher = Aes128::new(&Array::from(Gaen::rpik(tek)));
    cipher.encrypt_blocks(Array::cast_slice_from_core_mut(blocks));
}

/// HKDF-SHA256 of a TEK with the empty salt, 16 bytes of output.
fn hkdf16(tek: &[u8; KEY_LEN], info: &[u8]) -> [u8; 16] {
    let mut extract = EXTRACT.clone();
    extract.input_ikm(tek);
    let (_, hkdf) = extract.finalize();
    let mut okm = [0u8; 16];
    // 16 bytes is far below HKDF-SHA256's limit of 255 * 32.
    hkdf.expand(info, &mut okm)
        .expect("16 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// The version and transmit power broadcast with each RPI, before
/// encryption.
///
/// Byte 0 holds the major version in bits 7–6 and the minor version in bits
/// 5–4; byte 1 the transmit power in dBm, signed; bytes 2–3 are reserved.
///
/// ```
/// use bluezone::BleMetadata;
///
/// let metadata = BleMetadata::from_bytes([0x40, 0x08, 0x00, 0x00]);
/// assert_eq!((metadata.version_major, metadata.version_minor, metadata.tx_power), (1, 0, 8));
/// assert_eq!(metadata.to_bytes(), [0x40, 0x08, 0x00, 0x00]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BleMetadata {
    /// Major protocol version, 0 to 3 (1 for v1.x).
    pub version_major: u8,
    /// Minor protocol version, 0 to 3.
    pub version_minor: u8,
    /// Transmit power, in dBm.
    pub tx_power: i8,
}

impl BleMetadata {
    /// Metadata of protocol version 1.0 with the given transmit power.
    #[must_use]
    pub const fn new(tx_power: i8) -> Self {
        Self {
            version_major: 1,
            version_minor: 0,
            tx_power,
        }
    }

    /// Reads the 4 bytes of metadata; reserved bits are ignored.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; METADATA_LEN]) -> Self {
        Self {
            version_major: bytes[0] >> 6,
            version_minor: (bytes[0] >> 4) & 0b11,
            tx_power: bytes[1].cast_signed(),
        }
    }

    /// Writes the 4 bytes of metadata; version numbers keep their low two
    /// bits.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; METADATA_LEN] {
        [
            ((self.version_major & 0b11) << 6) | ((self.version_minor & 0b11) << 4),
            self.tx_power.cast_unsigned(),
            0,
            0,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn padded_data_layout() {
        let block = padded_data(0x0403_0201);
        assert_eq!(&block[..6], b"EN-RPI");
        assert_eq!(&block[6..12], &[0; 6]);
        assert_eq!(&block[12..], &[1, 2, 3, 4]);
    }

    #[test]
    fn the_last_interval_is_derivable() {
        let mut out = [[0u8; 16]; 1];
        assert!(Gaen.derive_range(&[1; 16], 0, u32::MAX, &mut out).is_ok());
        let mut two = [[0u8; 16]; 2];
        assert!(Gaen.derive_range(&[1; 16], 0, u32::MAX, &mut two).is_err());
    }

    proptest! {
        #[test]
        fn metadata_round_trips(tek in any::<[u8; 16]>(), rpi in any::<[u8; 16]>(), metadata in any::<[u8; 4]>()) {
            let encrypted = Gaen::encrypt_metadata(&tek, &rpi, metadata);
            prop_assert_eq!(Gaen::decrypt_metadata(&tek, &rpi, encrypted), metadata);
        }

        #[test]
        fn ble_metadata_round_trips(major in 0u8..4, minor in 0u8..4, tx_power in any::<i8>()) {
            let metadata = BleMetadata { version_major: major, version_minor: minor, tx_power };
            prop_assert_eq!(BleMetadata::from_bytes(metadata.to_bytes()), metadata);
        }
    }
}
