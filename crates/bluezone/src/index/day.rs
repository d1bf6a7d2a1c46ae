//! One day of the index: the filter and the exact table of the sightings
//! that can match during that day.

use crate::ByteArray;
use crate::matcher::Match;

use super::filter::{self, bit_pair, filter_hash};

/// Filter bits per ID, when the filter stays within [`CACHE_FILTER_BITS`]:
/// with two bits per ID, about one false positive in 1,000.
const FILTER_BITS_PER_ID: usize = 64;
/// The largest filter that keeps [`FILTER_BITS_PER_ID`]: 32 KiB, the
/// first-level data cache, where it stays while the matcher works through
/// one day's keys.
const CACHE_FILTER_BITS: usize = 1 << 18;
/// Filter bits per ID, at least, however large the day: about 1.4% false
/// positives.
const MIN_FILTER_BITS_PER_ID: usize = 16;
/// The largest filter, in bits (1 MiB).
const MAX_FILTER_BITS: usize = 1 << 23;

/// The sightings that can match during one day.
#[derive(Clone, Debug)]
pub(crate) struct DayTable {
    /// The day's number: its first interval divided by the day length.
    pub(super) day: u32,
    /// `32 − log2(filter words)`: a hash's top bits choose its word.
    shift: u32,
    /// The filter's bits.
    words: Vec<u32>,
    /// The distinct IDs seen, sorted, back to back.
    ids: Vec<u8>,
    /// For each distinct ID, the first of its sightings in `times` and
    /// `rows`; one more entry closes the last.
    sightings: Vec<u32>,
    /// The sightings' times, by ID then time.
    times: Vec<i64>,
    /// The sightings' rows in the log.
    rows: Vec<u32>,
    /// For each value of the top bits of an ID's first eight bytes, the
    /// first distinct ID at or past it; one more entry closes the last
    /// bucket.
    directory: Vec<u32>,
    /// `64 − log2(directory buckets)`.
    directory_shift: u32,
}

/// The directory hash of an ID: its first eight bytes, big-endian, so that
/// the directory follows the IDs' sorted order.
#[inline]
fn directory_hash(id: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&id[..8]);
    u64::from_be_bytes(head)
}

impl DayTable {
    /// The table of `day` from its sightings, given as `(id, time, row)`
    /// sorted by ID, then time, then row.
    pub(super) fn build<'a>(
        day: u32,
        id_len: usize,
        entries: impl ExactSizeIterator<Item = (&'a [u8], i64, u32)>,
    ) -> Self {
        let mut ids = Vec::new();
        let mut sightings = Vec::new();
        let mut times = Vec::with_capacity(entries.len());
        let mut rows = Vec::with_capacity(entries.len());
        for (id, time, row) in entries {
            if ids.len() < id_len || &ids[ids.len() - id_len..] != id {
                ids.extend_from_slice(id);
                sightings.push(rows.len() as u32);
            }
            times.push(time);
            rows.push(row);
        }
        sightings.push(rows.len() as u32);
        let distinct = sightings.len() - 1;

        let bits = (distinct * FILTER_BITS_PER_ID)
            .next_power_of_two()
            .clamp(128, CACHE_FILTER_BITS)
            .max((distinct * MIN_FILTER_BITS_PER_ID).next_power_of_two())
            .min(MAX_FILTER_BITS);
        let mut words = vec![0u32; bits / 32];
        // The top bits of a hash choose its word.
        let shift = 32 - words.len().trailing_zeros();
        for id in ids.chunks_exact(id_len) {
            let hash = filter_hash(id);
            let last = words.len() - 1;
            words[(hash >> shift) as usize & last] |= bit_pair(hash);
        }

        let directory_bits = (usize::BITS - distinct.max(1).leading_zeros()).clamp(1, 24);
        let directory_shift = 64 - directory_bits;
        let mut directory = Vec::with_capacity((1 << directory_bits) + 1);
        let mut next = 0;
        for bucket in 0..=(1u64 << directory_bits) {
            while next < distinct
                && directory_hash(&ids[next * id_len..]) >> directory_shift < bucket
            {
                next += 1;
            }
            directory.push(next as u32);
        }
        Self {
            day,
            shift,
            words,
            ids,
            sightings,
            times,
            rows,
            directory,
            directory_shift,
        }
    }

    /// Tests up to 64 IDs against the filter: bit `j` of the result is set
    /// when `ids[j]` may have been seen.
    #[inline]
    pub(super) fn test_many<Id: ByteArray>(&self, ids: &[Id], simd: bool) -> u64 {
        filter::test_many(&self.words, self.shift, ids, simd)
    }

    /// Appends a match for each sighting of `id` at a time in
    /// `earliest..latest`.
    pub(super) fn find<Id: ByteArray>(
        &self,
        key_index: u32,
        interval: u32,
        id: &Id,
        (earliest, latest): (i64, i64),
        out: &mut Vec<Match>,
    ) {
        let bucket = (directory_hash(id.as_ref()) >> self.directory_shift) as usize;
        let (Some(&begin), Some(&end)) =
            (self.directory.get(bucket), self.directory.get(bucket + 1))
        else {
            return;
        };
        let Some(ids) = Id::cast_slice(&self.ids) else {
            return;
        };
        for at in begin as usize..end as usize {
            if ids.get(at) == Some(id) {
                let first = self.sightings[at] as usize;
                let last = self.sightings[at + 1] as usize;
                for (&time, &row) in self.times[first..last].iter().zip(&self.rows[first..last]) {
                    if earliest <= time && time < latest {
                        out.push(Match {
                            key_index,
                            interval,
                            encounter_index: row,
                        });
                    }
                }
            }
        }
    }

    /// The number of sightings in the table.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Bytes of memory that the table holds.
    pub(super) fn heap_size(&self) -> usize {
        4 * self.words.capacity()
            + self.ids.capacity()
            + 8 * self.times.capacity()
            + 4 * (self.sightings.capacity() + self.rows.capacity() + self.directory.capacity())
    }
}
