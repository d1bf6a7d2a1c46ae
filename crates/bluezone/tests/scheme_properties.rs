//! Properties that every ID scheme must have, checked on random keys.

use bluezone::{B3, Bluezone, ByteArray, Gaen, IdScheme};
use proptest::prelude::*;
use proptest::sample::subsequence;

/// Cases per property: fewer in debug builds, where hashing is slower.
const CASES: u32 = if cfg!(debug_assertions) { 64 } else { 512 };

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(CASES)
}

fn key<S: IdScheme>(bytes: &[u8]) -> S::Key {
    let mut key = S::Key::default();
    key.as_mut().copy_from_slice(&bytes[..S::Key::LEN]);
    key
}

fn day<S: IdScheme>(scheme: S, key: &S::Key, rolling_start: u32) -> Vec<S::Id> {
    let mut ids = vec![S::Id::default(); scheme.intervals_per_day() as usize];
    scheme
        .derive_range(key, rolling_start, rolling_start, &mut ids)
        .unwrap();
    ids
}

/// Range and sparse derivations agree, for any subset in any order.
fn range_and_sparse_agree<S: IdScheme>(
    scheme: S,
    key_bytes: &[u8],
    rolling_start: u32,
    picks: &[usize],
    reverse: bool,
) -> Result<(), TestCaseError> {
    let key = key::<S>(key_bytes);
    let ids = day(scheme, &key, rolling_start);
    let mut offsets = picks.to_vec();
    if reverse {
        offsets.reverse();
    }
    let intervals: Vec<u32> = offsets.iter().map(|&o| rolling_start + o as u32).collect();
    let mut sparse = vec![S::Id::default(); intervals.len()];
    scheme.derive_sparse(&key, rolling_start, &intervals, &mut sparse)?;
    for (id, offset) in sparse.iter().zip(&offsets) {
        prop_assert_eq!(id, &ids[*offset]);
    }
    // And a range that starts inside the day agrees with the day.
    if let Some(&first) = picks.first() {
        let mut tail = vec![S::Id::default(); ids.len() - first];
        scheme.derive_range(&key, rolling_start, rolling_start + first as u32, &mut tail)?;
        prop_assert_eq!(&tail[..], &ids[first..]);
    }
    Ok(())
}

fn day_ids_are_distinct<S: IdScheme>(
    scheme: S,
    key_bytes: &[u8],
    rolling_start: u32,
) -> Result<(), TestCaseError> {
    let mut ids = day(scheme, &key::<S>(key_bytes), rolling_start);
    let len = ids.len();
    ids.sort_unstable();
    ids.dedup();
    prop_assert_eq!(ids.len(), len);
    Ok(())
}

fn derivation_is_deterministic<S: IdScheme>(
    scheme: S,
    key_bytes: &[u8],
    rolling_start: u32,
) -> Result<(), TestCaseError> {
    let key = key::<S>(key_bytes);
    prop_assert_eq!(
        day(scheme, &key, rolling_start),
        day(scheme, &key, rolling_start)
    );
    let mut other = key;
    other.as_mut()[0] ^= 1;
    prop_assert_ne!(
        day(scheme, &key, rolling_start),
        day(scheme, &other, rolling_start)
    );
    Ok(())
}

fn per_day() -> impl Strategy<Value = u32> {
    prop_oneof![Just(144u32), Just(96), Just(24), Just(1), Just(288)]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gaen_range_and_sparse_agree(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 144,
                                   picks in subsequence((0..144).collect::<Vec<usize>>(), 0..40), reverse in any::<bool>()) {
        range_and_sparse_agree(Gaen, &key, start, &picks, reverse)?;
    }

    #[test]
    fn b3_range_and_sparse_agree(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 144,
                                 picks in subsequence((0..144).collect::<Vec<usize>>(), 0..40), reverse in any::<bool>()) {
        range_and_sparse_agree(B3, &key, start, &picks, reverse)?;
    }

    #[test]
    fn bluezone_range_and_sparse_agree(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 144, per_day in per_day(),
                                       picks in subsequence((0..144).collect::<Vec<usize>>(), 0..40), reverse in any::<bool>()) {
        let scheme = Bluezone::new(per_day).unwrap();
        let picks: Vec<usize> = picks.into_iter().filter(|&p| p < per_day as usize).collect();
        range_and_sparse_agree(scheme, &key, start, &picks, reverse)?;
    }

    #[test]
    fn day_ids_are_distinct_in_every_scheme(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 288, per_day in per_day()) {
        day_ids_are_distinct(Gaen, &key, start)?;
        day_ids_are_distinct(B3, &key, start)?;
        day_ids_are_distinct(Bluezone::new(per_day).unwrap(), &key, start)?;
    }

    #[test]
    fn derivation_is_deterministic_in_every_scheme(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 288, per_day in per_day()) {
        derivation_is_deterministic(Gaen, &key, start)?;
        derivation_is_deterministic(B3, &key, start)?;
        derivation_is_deterministic(Bluezone::new(per_day).unwrap(), &key, start)?;
    }

    /// Deriving several days at once from the first day's key equals
    /// deriving each day from its own key, chained with `SHA-256`.
    #[test]
    fn bluezone_chaining_agrees_with_day_by_day(key in any::<[u8; 32]>(), start in 0u32..1 << 31, per_day in per_day(), days in 1usize..4, skip in 0u32..200) {
        let scheme = Bluezone::new(per_day).unwrap();
        let span = per_day as usize * days;
        let mut chained = vec![[0u8; 12]; span];
        scheme.derive_range(&key, start, start, &mut chained)?;
        let mut day_key = key;
        for d in 0..days {
            let day_start = start + (d * per_day as usize) as u32;
            prop_assert_eq!(&day(scheme, &day_key, day_start)[..], &chained[d * per_day as usize..(d + 1) * per_day as usize]);
            day_key = Bluezone::next_day_key(&day_key);
        }
        // A range that starts mid-chain agrees too.
        let skip = (skip as usize).min(span - 1);
        let mut tail = vec![[0u8; 12]; span - skip];
        scheme.derive_range(&key, start, start + skip as u32, &mut tail)?;
        prop_assert_eq!(&tail[..], &chained[skip..]);
    }

    /// A b3 key's IDs continue past its day without repeating it, and the
    /// rolling start is part of every ID.
    #[test]
    fn b3_binds_the_rolling_start(key in any::<[u8; 16]>(), start in 1u32..u32::MAX - 288) {
        let today = day(B3, &key, start);
        let shifted = day(B3, &key, start - 1);
        prop_assert!(today.iter().all(|id| !shifted.contains(id)));
    }
}
