//! The fast paths agree with the plain reference implementations on random
//! keys, windows and intervals.

use bluezone::{B3, Bluezone, Gaen, IdScheme};
use bluezone_tests::reference;
use proptest::prelude::*;
use proptest::sample::subsequence;

const CASES: u32 = if cfg!(debug_assertions) { 48 } else { 512 };

fn offsets() -> impl Strategy<Value = Vec<u32>> {
    subsequence((0u32..300).collect::<Vec<_>>(), 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn gaen_matches_the_reference(tek in any::<[u8; 16]>(), start in any::<u32>(), offsets in offsets()) {
        let intervals: Vec<u32> = offsets.iter().map(|o| start.saturating_add(*o)).collect();
        let mut fast = vec![[0u8; 16]; intervals.len()];
        Gaen.derive_sparse(&tek, start, &intervals, &mut fast)?;
        for (id, &interval) in fast.iter().zip(&intervals) {
            prop_assert_eq!(*id, reference::gaen_rpi(&tek, interval));
        }
    }

    #[test]
    fn b3_matches_the_reference(key in any::<[u8; 16]>(), start in 0u32..u32::MAX - 300, offsets in offsets()) {
        let intervals: Vec<u32> = offsets.iter().map(|o| start + o).collect();
        let mut fast = vec![[0u8; 16]; intervals.len()];
        B3.derive_sparse(&key, start, &intervals, &mut fast)?;
        for (id, &interval) in fast.iter().zip(&intervals) {
            prop_assert_eq!(*id, reference::b3_id(&key, start, interval));
        }
    }

    #[test]
    fn bluezone_matches_the_reference(key in any::<[u8; 32]>(), start in 0u32..u32::MAX - 300,
                                      per_day in prop_oneof![Just(144u32), Just(96), Just(48)], offsets in offsets()) {
        let scheme = Bluezone::new(per_day).unwrap();
        let intervals: Vec<u32> = offsets.iter().map(|o| start + o).collect();
        let mut fast = vec![[0u8; 12]; intervals.len()];
        scheme.derive_sparse(&key, start, &intervals, &mut fast)?;
        for (id, &interval) in fast.iter().zip(&intervals) {
            prop_assert_eq!(*id, reference::bluezone_id(&key, per_day, start, interval));
        }
    }
}
