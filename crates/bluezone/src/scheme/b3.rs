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
    let mut material = [0u8; KEY_LEN + 4];
    material[..KEY_LEN].copy_from_slice(key);
    material[KEY_LEN..].copy_from_slice(&rolling_start.to_le_bytes());
    blake3::Hasher::new_from_context_key(&CONTEXT_KEY)
        .update(&material)
        .finalize_xof()
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
        let offset = u64::from(offset_from_start(first, rolling_start)?);
        if offset.is_multiple_of(IDS_PER_BLOCK) && (out.len() as u64).is_multiple_of(IDS_PER_BLOCK)
        {
            // Whole blocks: BLAKE3 writes them in place, in SIMD batches.
            let mut reader = output(key, rolling_start);
            reader.set_position(offset * ID_LEN as u64);
            reader.fill(out.as_flattened_mut());
        } else {
            let mut done = 0;
            self.for_each_range(key, rolling_start, first, out.len(), |_, ids| {
                out[done..done + ids.len()].copy_from_slice(ids);
                done += ids.len();
            })?;
        }
        Ok(())
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
        let begin = u64::from(offset_from_start(first, rolling_start)?);
        if count == 0 {
            return Ok(());
        }
        let end = begin + count as u64;
        let wide = wide_xof();
        let mut reader = output(key, rolling_start);
        let mut scratch = [[0u8; ID_LEN]; BATCH_BLOCKS * IDS_PER_BLOCK as usize];
        let mut block = begin / IDS_PER_BLOCK;
        let last_block = (end - 1) / IDS_PER_BLOCK;
        while block <= last_block {
            // Whole blocks from a block boundary, in the cheapest batch that
            // covers what remains (perhaps a few blocks more).
            let blocks = batch_blocks(((last_block - block + 1) as usize).min(BATCH_BLOCKS), wide);
            reader.set_position(block * BLOCK_LEN as u64);
            reader.fill(scratch[..blocks * IDS_PER_BLOCK as usize].as_flattened_mut());
            let batch_first = block * IDS_PER_BLOCK;
            let lo = begin.max(batch_first);
            let hi = end.min(batch_first + blocks as u64 * IDS_PER_BLOCK);
            visit(
                first + (lo - begin) as u32,
                &scratch[(lo - batch_first) as usize..(hi - batch_first) as usize],
            );
            block += blocks as u64;
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

    fn for_each_sparse(
        &self,
        key: &Self::Key,
        rolling_start: u32,
        intervals: &[u32],
        mut visit: impl FnMut(usize, &Self::Id),
    ) -> Result<()> {
        if let Some(&interval) = intervals.iter().min() {
            offset_from_start(interval, rolling_start)?;
        } else {
            return Ok(());
        }
        let wide = wide_xof();
        let block_of = |interval: u32| u64::from(interval - rolling_start) / IDS_PER_BLOCK;
        let mut reader = output(key, rolling_start);
        let mut scratch = [0u8; BATCH_BLOCKS * BLOCK_LEN];
        let mut done = 0;
        while done < intervals.len() {
            // The intervals from here whose blocks ascend within one batch.
            let first = block_of(intervals[done]);
            let mut last = first;
            let mut distinct = 1;
            let mut end = done + 1;
            while let Some(&interval) = intervals.get(end) {
                let block = block_of(interval);
                if block < last || block >= first + BATCH_BLOCKS as u64 {
                    break;
                }
                distinct += usize::from(block != last);
                last = block;
                end += 1;
            }
            let span = (last - first + 1) as usize;
            let batch = batch_blocks(span, wide);
            if batch_cost(batch, wide) <= distinct * batch_cost(1, wide) {
                // One call computes every block of the span (and perhaps a
                // few more, when a larger SIMD batch is cheaper).
                reader.set_position(first * BLOCK_LEN as u64);
                reader.fill(&mut scratch[..batch * BLOCK_LEN]);
                let (ids, _) = scratch.as_chunks::<ID_LEN>();
                for (j, &interval) in intervals.iter().enumerate().take(end).skip(done) {
                    let piece = u64::from(interval - rolling_start) - first * IDS_PER_BLOCK;
                    visit(j, &ids[piece as usize]);
                }
            } else {
                // Sparse blocks: one compression each.
                let mut current = None;
                for (j, &interval) in intervals.iter().enumerate().take(end).skip(done) {
                    let block = block_of(interval);
                    if current != Some(block) {
                        reader.set_position(block * BLOCK_LEN as u64);
                        reader.fill(&mut scratch[..BLOCK_LEN]);
                        current = Some(block);
                    }
                    let (ids, _) = scratch.as_chunks::<ID_LEN>();
                    let piece = u64::from(interval - rolling_start) % IDS_PER_BLOCK;
                    visit(j, &ids[piece as usize]);
                }
            }
            done = end;
        }
        Ok(())
    }
}

/// Bytes in one BLAKE3 output block.
const BLOCK_LEN: usize = 64;
/// IDs in one output block.
const IDS_PER_BLOCK: u64 = (BLOCK_LEN / ID_LEN) as u64;
/// The most output blocks computed in one call: BLAKE3's widest SIMD batch.
const BATCH_BLOCKS: usize = 16;

/// Whether BLAKE3 computes many output blocks at once with wide SIMD
/// (AVX-512), where a batch of 4 or 16 blocks costs little more than one.
/// Elsewhere output blocks cost the same each, computed one by one.
fn wide_xof() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The number of blocks to compute for a span of `span` blocks: with wide
/// SIMD, the batch size that BLAKE3 computes in one pass.
fn batch_blocks(span: usize, wide: bool) -> usize {
    match span {
        _ if !wide => span,
        0 | 1 => 1,
        2..=4 => 4,
        5..=8 => 8,
        _ => BATCH_BLOCKS,
    }
}

/// The relative cost of computing `blocks` output blocks in one call,
/// measured on AVX-512 (one block 66 ns, four 77 ns, eight 158 ns, sixteen
/// 191 ns); without wide SIMD, one unit per block.
fn batch_cost(blocks: usize, wide: bool) -> usize {
    match blocks {
        _ if !wide => blocks * 10,
        1 => 10,
        4 => 12,
        8 => 24,
        _ => 29,
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
