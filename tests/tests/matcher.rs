//! The matcher's semantics, checked against the brute-force reference
//! matcher on random keys and logs with planted sightings, including the
//! exact edges of the tolerance window.

use bluezone::{B3, Bluezone, EncounterLog, Gaen, LocalIndex, MatchOptions, PublishedKeys, Scheme};
use bluezone_tests::reference::{RefKey, RefScheme, RefSighting, brute_force_match};
use proptest::prelude::*;

const CASES: u32 = if cfg!(debug_assertions) { 24 } else { 256 };

/// Where a planted sighting sits relative to its interval `[iL, (i+1)L)`.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// Inside the interval.
    Inside(i64),
    /// At `iL − tol`: the first second that matches.
    FirstSecond,
    /// At `(i+1)L + tol − 1`: the last second that matches.
    LastSecond,
    /// At `iL − tol − 1`: one second too early.
    TooEarly,
    /// At `(i+1)L + tol`: one second too late.
    TooLate,
}

impl Place {
    fn time(self, interval: u32, length: i64, tolerance: i64) -> i64 {
        let start = i64::from(interval) * length;
        match self {
            Place::Inside(offset) => start + offset.rem_euclid(length),
            Place::FirstSecond => start - tolerance,
            Place::LastSecond => start + length + tolerance - 1,
            Place::TooEarly => start - tolerance - 1,
            Place::TooLate => start + length + tolerance,
        }
    }

    fn matches(self) -> bool {
        matches!(
            self,
            Place::Inside(_) | Place::FirstSecond | Place::LastSecond
        )
    }
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        any::<i64>().prop_map(Place::Inside),
        Just(Place::FirstSecond),
        Just(Place::LastSecond),
        Just(Place::TooEarly),
        Just(Place::TooLate),
    ]
}

/// A sighting planted from key `key`: the ID of `offset` intervals after
/// the key's start (past the period when `offset ≥ period`).
#[derive(Clone, Debug)]
struct Plant {
    key: usize,
    offset: u32,
    place: Place,
}

#[derive(Clone, Debug)]
struct Case {
    scheme: RefScheme,
    tolerance: i64,
    keys: Vec<RefKey>,
    plants: Vec<Plant>,
    noise: Vec<(Vec<u8>, i64)>,
    /// Shuffle of the log rows.
    order: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    let scheme = prop_oneof![
        Just(RefScheme::Gaen),
        Just(RefScheme::B3),
        Just(RefScheme::Bluezone(144)),
        Just(RefScheme::Bluezone(96)),
    ];
    let tolerance = prop_oneof![Just(0i64), Just(7_200), 0i64..4_000];
    (scheme, tolerance).prop_flat_map(|(scheme, tolerance)| {
        let key_len = if matches!(scheme, RefScheme::Bluezone(_)) {
            32
        } else {
            16
        };
        let base = 2_900_000u32;
        let keys = prop::collection::vec(
            (
                prop::collection::vec(any::<u8>(), key_len),
                0u32..400,
                1u32..200,
            ),
            1..8,
        )
        .prop_map(move |keys| {
            keys.into_iter()
                .map(|(key, start, period)| RefKey {
                    key,
                    rolling_start: base + start,
                    rolling_period: period,
                })
                .collect::<Vec<_>>()
        });
        let plants =
            prop::collection::vec((any::<prop::sample::Index>(), 0u32..220, place()), 0..16);
        let noise = prop::collection::vec(
            (
                prop::collection::vec(any::<u8>(), if key_len == 32 { 12 } else { 16 }),
                0i64..600 * 700,
            ),
            0..20,
        );
        (keys, plants, noise).prop_flat_map(move |(keys, plants, noise)| {
            let plants: Vec<Plant> = plants
                .into_iter()
                .map(|(index, offset, place)| Plant {
                    key: index.index(keys.len()),
                    offset,
                    place,
                })
                .collect();
            let rows = plants.len() + noise.len();
            let noise: Vec<(Vec<u8>, i64)> = noise
                .into_iter()
                .map(|(id, t)| (id, i64::from(base) * 600 + t))
                .collect();
            let keys = keys.clone();
            Just((0..rows).collect::<Vec<usize>>())
                .prop_shuffle()
                .prop_map(move |order| Case {
                    scheme,
                    tolerance,
                    keys: keys.clone(),
                    plants: plants.clone(),
                    noise: noise.clone(),
                    order,
                })
        })
    })
}

impl Case {
    fn scheme(&self) -> Scheme {
        match self.scheme {
            RefScheme::Gaen => Scheme::Gaen(Gaen),
            RefScheme::B3 => Scheme::B3(B3),
            RefScheme::Bluezone(per_day) => Scheme::Bluezone(Bluezone::new(per_day).unwrap()),
        }
    }

    /// The log rows, before shuffling: planted first, then noise; each
    /// planted row remembers its plant.
    fn log(&self) -> Vec<(RefSighting, Option<usize>)> {
        let length = self.scheme.interval_seconds();
        let mut rows: Vec<(RefSighting, Option<usize>)> = self
            .plants
            .iter()
            .enumerate()
            .map(|(p, plant)| {
                let key = &self.keys[plant.key];
                let interval = key.rolling_start + plant.offset;
                let sighting = RefSighting {
                    id: self.scheme.id(&key.key, key.rolling_start, interval),
                    time: plant.place.time(interval, length, self.tolerance),
                };
                (sighting, Some(p))
            })
            .collect();
        rows.extend(self.noise.iter().map(|(id, time)| {
            (
                RefSighting {
                    id: id.clone(),
                    time: *time,
                },
                None,
            )
        }));
        self.order.iter().map(|&i| rows[i].clone()).collect()
    }

    fn published(&self) -> PublishedKeys {
        let mut keys = PublishedKeys::new(self.scheme().kind());
        for key in &self.keys {
            keys.push(&key.key, key.rolling_start, key.rolling_period)
                .unwrap();
        }
        keys
    }

    fn encounter_log(&self, rows: &[(RefSighting, Option<usize>)]) -> EncounterLog {
        let ids: Vec<u8> = rows.iter().flat_map(|(s, _)| s.id.clone()).collect();
        let times: Vec<i64> = rows.iter().map(|(s, _)| s.time).collect();
        let rssi = vec![-60i8; rows.len()];
        EncounterLog::from_columns(self.scheme().id_len(), &ids, &times, &rssi).unwrap()
    }

    fn run(&self, threads: Option<usize>) -> Vec<(u32, u32, u32)> {
        let rows = self.log();
        let index = LocalIndex::build(
            &self.encounter_log(&rows),
            self.scheme(),
            u32::try_from(self.tolerance).unwrap(),
        )
        .unwrap();
        let options = MatchOptions {
            threads,
            progress: None,
        };
        index
            .match_keys(&self.published(), &options)
            .unwrap()
            .iter()
            .map(|m| (m.key_index, m.interval, m.encounter_index))
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The fast matcher equals the brute-force reference, whatever the
    /// number of threads.
    #[test]
    fn the_matcher_equals_the_brute_force_reference(case in case()) {
        let rows = case.log();
        let log: Vec<RefSighting> = rows.iter().map(|(s, _)| s.clone()).collect();
        let expected = brute_force_match(case.scheme, &case.keys, &log, case.tolerance);
        prop_assert_eq!(&case.run(Some(1)), &expected);
        prop_assert_eq!(&case.run(Some(3)), &expected);
        prop_assert_eq!(&case.run(None), &expected);
    }

    /// Every planted sighting inside its key's period and inside the
    /// tolerance window (edges included) is found; one second past either
    /// edge, or past the key's period, it is not.
    #[test]
    fn planted_sightings_are_found_exactly_when_they_should_be(case in case()) {
        let rows = case.log();
        let found = case.run(None);
        for (row, (_, plant)) in rows.iter().enumerate() {
            let Some(p) = plant else { continue };
            let plant = &case.plants[*p];
            let key = &case.keys[plant.key];
            let interval = key.rolling_start + plant.offset;
            let in_period = plant.offset < key.rolling_period;
            let hit = found.contains(&(plant.key as u32, interval, row as u32));
            prop_assert_eq!(hit, in_period && plant.place.matches(),
                "plant {:?} of key {:?} at row {}", plant, key, row);
        }
    }
}

#[test]
fn a_key_listed_twice_matches_twice() {
    let key = [3u8; 16];
    let start = 2_900_000;
    let scheme = Scheme::B3(B3);
    let id = bluezone::IdScheme::derive_one(&B3, &key, start, start + 7).unwrap();
    let log = EncounterLog::from_columns(16, &id, &[i64::from(start + 7) * 600], &[-50]).unwrap();
    let mut keys = PublishedKeys::new(scheme.kind());
    keys.push(&key, start, 144).unwrap();
    keys.push(&[4u8; 16], start, 144).unwrap();
    keys.push(&key, start, 144).unwrap();
    let index = LocalIndex::build(&log, scheme, 7_200).unwrap();
    let found: Vec<_> = index
        .match_keys(&keys, &MatchOptions::default())
        .unwrap()
        .iter()
        .map(|m| (m.key_index, m.interval, m.encounter_index))
        .collect();
    assert_eq!(found, vec![(0, start + 7, 0), (2, start + 7, 0)]);
}

#[test]
fn keys_of_another_scheme_are_refused() {
    let log = EncounterLog::new(16).unwrap();
    let index = LocalIndex::build(&log, Scheme::B3(B3), 0).unwrap();
    let keys = PublishedKeys::new(bluezone::SchemeKind::Gaen);
    let err = index
        .match_keys(&keys, &MatchOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "scheme mismatch: the keys are gaen keys and the index is for b3"
    );
}

/// One key seen in every interval of its day (and one past it): every
/// sighting in the window matches, whatever the scheme and ID length.
#[test]
fn a_key_seen_all_day_matches_every_interval() {
    for (scheme, reference) in [
        (Scheme::Gaen(Gaen), RefScheme::Gaen),
        (Scheme::B3(B3), RefScheme::B3),
        (
            Scheme::Bluezone(Bluezone::new(144).unwrap()),
            RefScheme::Bluezone(144),
        ),
        (
            Scheme::Bluezone(Bluezone::new(96).unwrap()),
            RefScheme::Bluezone(96),
        ),
    ] {
        let key: Vec<u8> = (0..scheme.key_len() as u8).collect();
        let per_day = scheme.intervals_per_day();
        let start = 2_900_000 - 2_900_000 % per_day;
        let length = i64::from(scheme.interval_seconds());
        let mut ids = Vec::new();
        let mut times = Vec::new();
        for interval in start..=start + per_day {
            ids.extend(reference.id(&key, start, interval));
            times.push(i64::from(interval) * length + 1);
        }
        let log =
            EncounterLog::from_columns(scheme.id_len(), &ids, &times, &vec![-70; times.len()])
                .unwrap();
        let mut keys = PublishedKeys::new(scheme.kind());
        keys.push(&key, start, per_day).unwrap();
        let index = LocalIndex::build(&log, scheme, 0).unwrap();
        let found = index.match_keys(&keys, &MatchOptions::default()).unwrap();
        let expected: Vec<(u32, u32, u32)> = (0..per_day).map(|i| (0, start + i, i)).collect();
        let found: Vec<_> = found
            .iter()
            .map(|m| (m.key_index, m.interval, m.encounter_index))
            .collect();
        assert_eq!(found, expected, "{scheme}");
    }
}
