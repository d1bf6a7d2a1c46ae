//! `b3`: this project's scheme on BLAKE3, the fastest of the three.
//!
//! Daily keys are 16 independent random bytes. The IDs of a key whose rolling
//! start is `s` are the BLAKE3 extendable output, in derive-key mode with the
//! context string [`CONTEXT`], of the 20 bytes `key ‖ LE32(s)`, cut into
//! consecutive 16-byte pieces: piece `i` is the ID of interval `s + i`.
//!
//! Publishing one day's key reveals nothing of the others, unlike the
//! [`Bluezone`](crate::Bluezone) chain. Binding the rolling start into the
//! input means that a key replayed on another day yields other IDs.
//!
//! Each 64-byte block of output holds four IDs and costs one compression;
//! sparse derivation seeks in the output, so it computes only the blocks
//! that hold the intervals asked for, and runs of consecutive intervals are
//! filled together, which lets BLAKE3 compute their blocks in parallel.

use std::sync::LazyLock;

use blake3::hazmat::{ContextKey, HasherExt, hash_derive_key_context};

use super::{IdScheme, SchemeKind, check_range, check_sparse, offset_from_start};
use crate::Result;
use crate::time::{INTERVAL_SECONDS, INTERVALS_PER_DAY};

/// Length of a daily key, in bytes.
pub const KEY_LEN: usize = 16;
/// Length of an ID, in bytes.
pub const ID_LEN: usize = 16;
/// The BLAKE3 derive-key context string: hardcoded, unique to this
/// application, dated and versioned.
pub const CONTEXT: &str = "bluezone 2026-11-22 ephemeral id v1";

/// The context string hashed once, so that a key costs no extra compression.
static CONTEXT_KEY: LazyLock<ContextKey> = LazyLock::new(|| hash_derive_key_context(CONTEXT));

/// This project's BLAKE3 scheme.
///
/// ```
/// use bluezone::{B3, IdScheme};
///
/// let key = [7u8; 16];
/// let id = B3.derive_one(&key, 100, 102)?;
///
/// // The same bytes as the plain BLAKE3 output, at offset 2 * 16.
/// let mut input = key.to_vec();
/// input.extend_from_slice(&100u32.to_le_bytes());
/// let mut output = [0u8; 48];
/// blake3::Hasher::new_derive_key(bluezone::scheme::b3::CONTEXT)
///     .update(&input)
///     .finalize_xof()
///     .fill(&mut output);
/// assert_eq!(id[..], output[32..]);
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct B3;

/// The output reader of a key's IDs.
fn output(key: &[u8; KEY_LEN], rolling_start: u32) -> blake3::OutputReader {
    let mut hasher = blake3::Hasher::new_from_context_key(&CONTEXT_KEY);
    hasher.update(key);
    hasher.update(&rolling_start.to_le_bytes());
    hasher.finalize_xof()
}

impl IdScheme for B3 {
    type Key = [u8; KEY_LEN];
    type Id = [u8; ID_LEN];

    fn kind(&self) -> SchemeKind {
        SchemeKind::B3
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
        rolling_start: u32,
        first: u32,
        out: &mut [Self::Id],
    ) -> Result<()> {
        check_range(first, out.len())?;
        let offset = offset_from_start(first, rolling_start)?;
        let mut reader = output(key, rolling_start);
        reader.set_position(u64::from(offset) * ID_LEN as u64);
        reader.fill(out.as_flattened_mut());
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
        if let Some(&interval) = intervals.iter().find(|&&i| i < rolling_start) {
            offset_from_start(interval, rolling_start)?;
        }
        let mut reader = output(key, rolling_start);
        let mut done = 0;
        while done < intervals.len() {
            // The run of consecutive intervals that starts here.
            let first = intervals[done];
            let run = 1 + intervals[done + 1..]
                .iter()
                .zip(1u64..)
                .take_while(|&(&interval, step)| u64::from(interval) == u64::from(first) + step)
                .count();
            let offset = u64::from(first - rolling_start);
            reader.set_position(offset * ID_LEN as u64);
            reader.fill(out[done..done + run].as_flattened_mut());
            done += run;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn before_the_start_is_an_error() {
        let mut out = [[0u8; 16]; 2];
        let expected = Err(Error::BeforeRollingStart {
            interval: 9,
            rolling_start: 10,
        });
        assert_eq!(B3.derive_range(&[0; 16], 10, 9, &mut out), expected);
        assert_eq!(B3.derive_sparse(&[0; 16], 10, &[12, 9], &mut out), expected);
    }

    #[test]
    fn the_rolling_start_changes_every_id() {
        let a = B3.derive_one(&[1; 16], 100, 100).unwrap();
        let b = B3.derive_one(&[1; 16], 101, 101).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn the_last_interval_is_derivable() {
        let mut out = [[0u8; 16]; 2];
        B3.derive_sparse(&[3; 16], 0, &[u32::MAX, 0], &mut out)
            .unwrap();
        assert_eq!(out[0], B3.derive_one(&[3; 16], 0, u32::MAX).unwrap());
    }
}
