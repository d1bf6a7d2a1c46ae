//! `bluezone`: the rolling IDs that Vietnam's Bluezone app shipped in 2020
//! (its "v2" IDs), so that its real data can be matched.
//!
//! - A daily key `D` is 32 bytes; the next day's key is `SHA-256(D)`.
//! - A day has `per_day` slots of `86400 / per_day` seconds (144 slots of 10
//!   minutes by default; the app also used 96 slots of 15 minutes).
//! - The first subkey of a day is `SHA-256(D ‖ "bluzonesubkey")` (sic: that
//!   spelling); each next subkey is the SHA-256 of the previous one.
//! - The 12-byte ID of a slot is its subkey's bytes at offsets 0, 4, 8, 12,
//!   16, 18, 20, 22, 24, 26, 28, 30.
//!
//! A key is tied to the slot where its day begins, its rolling start `N`:
//! slot `N + j` belongs to day `j / per_day` of the chain and is the subkey
//! number `j % per_day` of that day. Deriving past the end of a day continues
//! into the next day with the next daily key.
//!
//! **Known weakness.** The chain runs forward: anyone who holds one
//! published daily key computes every later day's key, and so every ID that
//! the phone broadcast on later days, including the days after the user was
//! diagnosed and the days that they chose not to publish. Subkeys chain in
//! the same way within a day. The [`B3`](crate::B3) scheme fixes this with
//! independent daily keys.

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{IdScheme, SchemeKind, check_range, check_sparse, offset_from_start};
use crate::time::SECONDS_PER_DAY;
use crate::{Error, Result};

/// Length of a daily key, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an ID, in bytes.
pub const ID_LEN: usize = 12;
/// The default number of slots per day.
pub const DEFAULT_PER_DAY: u32 = 144;
/// The longest chain of daily keys that a derivation walks, in days (about
/// ten years); it bounds the work that one request can cause.
pub const MAX_CHAIN_DAYS: u64 = 3_653;

/// Appended to the daily key to make the day's first subkey.
const SUBKEY_SUFFIX: &[u8] = b"bluzonesubkey";
/// IDs handed over per call of the visitor in `for_each_range`.
const CHUNK: usize = 64;
/// The subkey bytes that form an ID.
const ID_OFFSETS: [usize; ID_LEN] = [0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 28, 30];

/// The Bluezone app's rolling-ID scheme, with its number of slots per day.
///
/// ```
/// use bluezone::{Bluezone, IdScheme};
///
/// let scheme = Bluezone::new(144)?;
/// let key = [0u8; 32];
/// let mut day = [[0u8; 12]; 144];
/// scheme.derive_range(&key, 1_000, 1_000, &mut day)?;
///
/// // Slot 1_144 starts the next day, with the next daily key.
/// let next_key = Bluezone::next_day_key(&key);
/// assert_eq!(scheme.derive_one(&key, 1_000, 1_144)?, scheme.derive_one(&next_key, 1_144, 1_144)?);
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bluezone {
    per_day: u32,
}

impl Default for Bluezone {
    fn default() -> Self {
        Self {
            per_day: DEFAULT_PER_DAY,
        }
    }
}

impl Bluezone {
    /// The scheme with `per_day` slots per day.
    ///
    /// # Errors
    /// [`Error::InvalidPerDay`] unless `per_day` divides 86400.
    pub const fn new(per_day: u32) -> Result<Self> {
        if per_day == 0 || !SECONDS_PER_DAY.is_multiple_of(per_day) {
            return Err(Error::InvalidPerDay { per_day });
        }
        Ok(Self { per_day })
    }

    /// The number of slots per day.
    #[must_use]
    pub const fn per_day(&self) -> u32 {
        self.per_day
    }

    /// The daily key of the day after `key`'s: `SHA-256(key)`.
    #[must_use]
    pub fn next_day_key(key: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
        Sha256::digest(key).into()
    }

    /// The first subkey of a day: `SHA-256(key ‖ "bluzonesubkey")`.
    fn first_subkey(day_key: &[u8; KEY_LEN]) -> [u8; 32] {
        Sha256::new()
            .chain_update(day_key)
            .chain_update(SUBKEY_SUFFIX)
            .finalize()
            .into()
    }

    /// Where an interval falls in a key's chain: (day, slot of the day).
    fn position(self, rolling_start: u32, interval: u32) -> Result<(u64, u32)> {
        let offset = offset_from_start(interval, rolling_start)?;
        let day = u64::from(offset / self.per_day);
        if day > MAX_CHAIN_DAYS {
            return Err(Error::ChainTooLong {
                interval,
                days: day,
                max: MAX_CHAIN_DAYS,
            });
        }
        Ok((day, offset % self.per_day))
    }
}

impl IdScheme for Bluezone {
    type Key = [u8; KEY_LEN];
    type Id = [u8; ID_LEN];

    fn kind(&self) -> SchemeKind {
        SchemeKind::Bluezone
    }

    fn interval_seconds(&self) -> u32 {
        SECONDS_PER_DAY / self.per_day
    }

    fn intervals_per_day(&self) -> u32 {
        self.per_day
    }

    fn derive_range(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        first: u32,
        out: &mut [Self::Id],
    ) -> Result<()> {
        check_range(first, out.len())?;
        if let Some(last_offset) = out.len().checked_sub(1) {
            // Check the far end first, so that an error leaves no work done.
            self.position(rolling_start, first + last_offset as u32)?;
        }
        let mut chain = Chain::new(key);
        for (offset, id) in out.iter_mut().enumerate() {
            let (day, slot) = self.position(rolling_start, first + offset as u32)?;
            *id = chain.id_at(day, slot);
        }
        Ok(())
    }

    fn derive_sparse(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        intervals: &[u32],
        out: &mut [Self::Id],
    ) -> Result<()> {
        check_sparse(intervals, out)?;
        self.for_each_sparse(key, rolling_start, intervals, |j, id| out[j] = *id)
    }

    fn for_each_range(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        first: u32,
        count: usize,
        mut visit: impl FnMut(u32, &[Self::Id]),
    ) -> Result<()> {
        check_range(first, count)?;
        if count == 0 {
            return Ok(());
        }
        self.position(rolling_start, first)?;
        self.position(rolling_start, first + (count - 1) as u32)?;
        let mut chain = Chain::new(key);
        let mut ids = [[0u8; ID_LEN]; CHUNK];
        let mut done = 0;
        while done < count {
            let n = (count - done).min(CHUNK);
            let chunk_first = first + done as u32;
            for (offset, id) in ids[..n].iter_mut().enumerate() {
                let (day, slot) = self.position(rolling_start, chunk_first + offset as u32)?;
                *id = chain.id_at(day, slot);
            }
            visit(chunk_first, &ids[..n]);
            done += n;
        }
        Ok(())
    }

    fn for_each_sparse(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        intervals: &[u32],
        mut visit: impl FnMut(usize, &Self::Id),
    ) -> Result<()> {
        for &interval in intervals {
            self.position(rolling_start, interval)?;
        }
        let mut chain = Chain::new(key);
        for (j, &interval) in intervals.iter().enumerate() {
            let (day, slot) = self.position(rolling_start, interval)?;
            visit(j, &chain.id_at(day, slot));
        }
        Ok(())
    }
}

/// A cursor on a key's chain of daily keys and subkeys. Moving forward
/// costs one hash per step; moving back restarts from the key.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Chain {
    key: [u8; KEY_LEN],
    day: u64,
    day_key: [u8; KEY_LEN],
    slot: u32,
    subkey: [u8; 32],
}

impl Chain {
    fn new(key: &[u8; KEY_LEN]) -> Self {
        Self {
            key: *key,
            day: 0,
            day_key: *key,
            slot: 0,
            subkey: Bluezone::first_subkey(key),
        }
    }

    /// The ID of `slot` on `day` of the chain.
    fn id_at(&mut self, day: u64, slot: u32) -> [u8; ID_LEN] {
        if day < self.day {
            *self = Self::new(&self.key);
        }
        if day > self.day {
            while self.day < day {
                self.day_key = Bluezone::next_day_key(&self.day_key);
                self.day += 1;
            }
            self.slot = 0;
            self.subkey = Bluezone::first_subkey(&self.day_key);
        } else if slot < self.slot {
            self.slot = 0;
            self.subkey = Bluezone::first_subkey(&self.day_key);
        }
        while self.slot < slot {
            self.subkey = Sha256::digest(self.subkey).into();
            self.slot += 1;
        }
        ID_OFFSETS.map(|offset| self.subkey[offset])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_day_must_divide_a_day() {
        assert!(Bluezone::new(144).is_ok());
        assert!(Bluezone::new(96).is_ok());
        assert!(Bluezone::new(86_400).is_ok());
        assert_eq!(Bluezone::new(0), Err(Error::InvalidPerDay { per_day: 0 }));
        assert_eq!(Bluezone::new(7), Err(Error::InvalidPerDay { per_day: 7 }));
        assert_eq!(Bluezone::new(96).unwrap().interval_seconds(), 900);
    }

    #[test]
    fn before_the_start_is_an_error() {
        let mut out = [[0u8; 12]; 1];
        assert_eq!(
            Bluezone::default().derive_range(&[0; 32], 10, 9, &mut out),
            Err(Error::BeforeRollingStart {
                interval: 9,
                rolling_start: 10
            })
        );
    }

    #[test]
    fn the_chain_has_a_limit() {
        let scheme = Bluezone::new(1).unwrap();
        assert!(scheme.derive_one(&[0; 32], 0, 3_653).is_ok());
        assert_eq!(
            scheme.derive_one(&[0; 32], 0, 3_654),
            Err(Error::ChainTooLong {
                interval: 3_654,
                days: 3_654,
                max: MAX_CHAIN_DAYS
            })
        );
    }

    #[test]
    fn the_cursor_moves_back() {
        let scheme = Bluezone::default();
        let key = [9u8; 32];
        let forward: Vec<_> = (0..300)
            .map(|i| scheme.derive_one(&key, 0, i).unwrap())
            .collect();
        let order = [299, 0, 150, 143, 144, 5, 298];
        let mut out = [[0u8; 12]; 7];
        scheme.derive_sparse(&key, 0, &order, &mut out).unwrap();
        for (id, interval) in out.iter().zip(order) {
            assert_eq!(id, &forward[interval as usize]);
        }
    }
}
