//! Reference implementations: each scheme written as plainly as its
//! definition in `docs/PROTOCOL.md`, one ID at a time, with no caching, no
//! seeking and no batching. Slow on purpose.

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use sha2::{Digest, Sha256};

/// The `gaen` RPIK of a TEK: HKDF-SHA256 with no salt and info "EN-RPIK".
#[must_use]
pub fn gaen_rpik(tek: &[u8; 16]) -> [u8; 16] {
    hkdf16(tek, b"EN-RPIK")
}

/// The `gaen` AEMK of a TEK: HKDF-SHA256 with no salt and info "EN-AEMK".
#[must_use]
pub fn gaen_aemk(tek: &[u8; 16]) -> [u8; 16] {
    hkdf16(tek, b"EN-AEMK")
}

fn hkdf16(ikm: &[u8], info: &[u8]) -> [u8; 16] {
    let mut okm = [0u8; 16];
    hkdf::Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut okm)
        .expect("16 bytes is a valid HKDF length");
    okm
}

/// The `gaen` RPI of a TEK at an interval.
#[must_use]
pub fn gaen_rpi(tek: &[u8; 16], interval: u32) -> [u8; 16] {
    let mut block = [0u8; 16];
    block[..6].copy_from_slice(b"EN-RPI");
    block[12..].copy_from_slice(&interval.to_le_bytes());
    aes_encrypt(&gaen_rpik(tek), block)
}

/// The `gaen` associated encrypted metadata: AES-128-CTR with the RPI as
/// the initial counter block, written out as one counter-block encryption.
#[must_use]
pub fn gaen_aem(tek: &[u8; 16], rpi: &[u8; 16], metadata: [u8; 4]) -> [u8; 4] {
    let keystream = aes_encrypt(&gaen_aemk(tek), *rpi);
    [0, 1, 2, 3].map(|i| metadata[i] ^ keystream[i])
}

fn aes_encrypt(key: &[u8; 16], block: [u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(&(*key).into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// The `bluezone` daily key `days` days after `key`.
#[must_use]
pub fn bluezone_day_key(key: &[u8; 32], days: u32) -> [u8; 32] {
    let mut day_key = *key;
    for _ in 0..days {
        day_key = sha256(&day_key);
    }
    day_key
}

/// The `bluezone` subkey number `slot` of a day.
#[must_use]
pub fn bluezone_subkey(day_key: &[u8; 32], slot: u32) -> [u8; 32] {
    let mut input = day_key.to_vec();
    input.extend_from_slice(b"bluzonesubkey");
    let mut subkey = sha256(&input);
    for _ in 0..slot {
        subkey = sha256(&subkey);
    }
    subkey
}

/// The `bluezone` ID of `interval` for a key whose day begins at slot
/// `rolling_start`, with `per_day` slots a day.
///
/// # Panics
/// When `interval` is before `rolling_start`.
#[must_use]
pub fn bluezone_id(key: &[u8; 32], per_day: u32, rolling_start: u32, interval: u32) -> [u8; 12] {
    let offset = interval - rolling_start;
    let subkey = bluezone_subkey(&bluezone_day_key(key, offset / per_day), offset % per_day);
    let offsets = [0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 28, 30];
    offsets.map(|i| subkey[i])
}

/// The `b3` ID of `interval` for a key with rolling start `rolling_start`:
/// the whole BLAKE3 output up to that piece, then the piece.
///
/// # Panics
/// When `interval` is before `rolling_start`.
#[must_use]
pub fn b3_id(key: &[u8; 16], rolling_start: u32, interval: u32) -> [u8; 16] {
    let piece = (interval - rolling_start) as usize;
    let mut material = key.to_vec();
    material.extend_from_slice(&rolling_start.to_le_bytes());
    let mut output = vec![0u8; (piece + 1) * 16];
    blake3::Hasher::new_derive_key("bluezone 2026-11-22 ephemeral id v1")
        .update(&material)
        .finalize_xof()
        .fill(&mut output);
    output[piece * 16..].try_into().expect("16 bytes")
}

/// A scheme, for the reference matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefScheme {
    /// `gaen`.
    Gaen,
    /// `b3`.
    B3,
    /// `bluezone` with its slots per day.
    Bluezone(u32),
}

impl RefScheme {
    /// The interval length, in seconds.
    #[must_use]
    pub fn interval_seconds(self) -> i64 {
        match self {
            RefScheme::Gaen | RefScheme::B3 => 600,
            RefScheme::Bluezone(per_day) => 86_400 / i64::from(per_day),
        }
    }

    /// The ID of `interval` for `key` with rolling start `rolling_start`.
    ///
    /// # Panics
    /// When the key length is not the scheme's.
    #[must_use]
    pub fn id(self, key: &[u8], rolling_start: u32, interval: u32) -> Vec<u8> {
        match self {
            RefScheme::Gaen => gaen_rpi(key.try_into().expect("16-byte key"), interval).to_vec(),
            RefScheme::B3 => b3_id(
                key.try_into().expect("16-byte key"),
                rolling_start,
                interval,
            )
            .to_vec(),
            RefScheme::Bluezone(per_day) => bluezone_id(
                key.try_into().expect("32-byte key"),
                per_day,
                rolling_start,
                interval,
            )
            .to_vec(),
        }
    }
}

/// A published key, for the reference matcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefKey {
    /// Key bytes.
    pub key: Vec<u8>,
    /// Rolling start.
    pub rolling_start: u32,
    /// Rolling period.
    pub rolling_period: u32,
}

/// A sighting, for the reference matcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefSighting {
    /// The ID heard.
    pub id: Vec<u8>,
    /// Unix seconds.
    pub time: i64,
}

/// The matching rule, applied by brute force: every key, every interval of
/// its window, every sighting. Returns `(key_index, interval,
/// encounter_index)` sorted by key, sighting, interval.
#[must_use]
pub fn brute_force_match(
    scheme: RefScheme,
    keys: &[RefKey],
    log: &[RefSighting],
    tolerance: i64,
) -> Vec<(u32, u32, u32)> {
    let length = scheme.interval_seconds();
    let mut found = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        let end = u64::from(key.rolling_start) + u64::from(key.rolling_period);
        for interval in u64::from(key.rolling_start)..end {
            let interval = interval as u32;
            let id = scheme.id(&key.key, key.rolling_start, interval);
            for (row, sighting) in log.iter().enumerate() {
                let i = i64::from(interval);
                if sighting.id == id
                    && i * length - tolerance <= sighting.time
                    && sighting.time < (i + 1) * length + tolerance
                {
                    found.push((k as u32, interval, row as u32));
                }
            }
        }
    }
    found.sort_unstable_by_key(|&(key, interval, row)| (key, row, interval));
    found
}
