//! Shared inputs of the criterion benchmarks in this folder: run them with
//! `cargo bench -p bluezone-benches`.

/// `n` distinct keys of `N` bytes, deterministic so that runs compare.
#[must_use]
pub fn keys<const N: usize>(n: usize) -> Vec<[u8; N]> {
    (0..n)
        .map(|k| {
            std::array::from_fn(|i| {
                (k.wrapping_mul(2_654_435_761) >> (8 * (i % 4))) as u8 ^ i as u8
            })
        })
        .collect()
}

/// The rolling start used throughout: 2020-04-02 00:00 UTC.
pub const ROLLING_START: u32 = 2_642_976;

/// The intervals of a day that a typical log covers: 05:00 to 23:00 UTC,
/// the sightings between 07:00 and 21:00 widened by two hours each side.
#[must_use]
pub fn daytime_intervals() -> Vec<u32> {
    (ROLLING_START + 30..ROLLING_START + 138).collect()
}
