//! Reproducible workloads: published keys, a phone's log, and planted
//! encounters whose matches are known in advance.

use bluezone::time::SECONDS_PER_DAY;
use bluezone::{ByteArray, EncounterLog, IdScheme, PublishedKeys, Result, Scheme, SchemeVisitor};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};

/// 2026-11-22 00:00:00 UTC: the "now" of the scenarios, fixed so that runs
/// compare.
pub const NOW: i64 = 1_795_305_600;

/// The size of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// A short name for tables.
    pub name: &'static str,
    /// Published keys, one day each, starting at UTC midnight, spread over
    /// the `days` days before [`NOW`].
    pub keys: usize,
    /// Distinct IDs in the phone's log, planted ones included.
    pub distinct_ids: usize,
    /// Sightings in the log, planted ones included.
    pub sightings: usize,
    /// Days of keys and of log.
    pub days: u32,
    /// First and last hour (UTC) of the day's sightings.
    pub hours: (u32, u32),
    /// True encounters planted: a published key's ID seen in the log.
    pub planted: usize,
    /// Seed of the random generator.
    pub seed: u64,
}

/// S1 "national day": a million keys against a typical log.
pub const S1: Spec = Spec {
    name: "S1",
    keys: 1_000_000,
    distinct_ids: 5_000,
    sightings: 20_000,
    days: 14,
    hours: (7, 21),
    planted: 25,
    seed: 1,
};

/// S2 "heavy log": the same keys against a log twenty times larger.
pub const S2: Spec = Spec {
    name: "S2",
    keys: 1_000_000,
    distinct_ids: 100_000,
    sightings: 400_000,
    days: 14,
    hours: (7, 21),
    planted: 25,
    seed: 2,
};

impl Spec {
    /// The same workload with `keys` keys and the log scaled by `log_scale`
    /// (for quick runs and debug builds).
    #[must_use]
    pub fn scaled(self, keys: usize, log_scale: f64) -> Self {
        let scale = |n: usize| ((n as f64 * log_scale).round() as usize).max(self.planted);
        Self {
            keys: keys.max(self.planted),
            distinct_ids: scale(self.distinct_ids),
            sightings: scale(self.sightings).max(scale(self.distinct_ids)),
            ..self
        }
    }
}

/// A planted encounter: the key, the interval of its ID, and the log rows
/// where that ID was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    /// The key's index among the published keys.
    pub key_index: u32,
    /// The interval of the planted ID.
    pub interval: u32,
    /// The sightings of it, by log row.
    pub rows: Vec<u32>,
}

/// A generated workload.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// What was generated.
    pub spec: Spec,
    /// The scheme of the keys and IDs.
    pub scheme: Scheme,
    /// The published keys.
    pub keys: PublishedKeys,
    /// The phone's log, in time order.
    pub log: EncounterLog,
    /// The planted encounters, by key index.
    pub planted: Vec<Planted>,
}

impl Scenario {
    /// Generates `spec` for `scheme`, deterministically from its seed.
    ///
    /// # Errors
    /// Only on an internal inconsistency (a derivation that fails).
    pub fn generate(spec: Spec, scheme: Scheme) -> Result<Self> {
        scheme.visit(Generate { spec, scheme })
    }

    /// The matches that a correct matcher reports: every sighting of every
    /// planted encounter, as `(key_index, interval, encounter_index)`,
    /// sorted.
    #[must_use]
    pub fn expected(&self) -> Vec<(u32, u32, u32)> {
        let mut expected: Vec<_> = self
            .planted
            .iter()
            .flat_map(|p| {
                p.rows
                    .iter()
                    .map(move |&row| (p.key_index, p.interval, row))
            })
            .collect();
        expected.sort_unstable_by_key(|&(key, interval, row)| (key, row, interval));
        expected
    }
}

struct Generate {
    spec: Spec,
    scheme: Scheme,
}

impl SchemeVisitor for Generate {
    type Output = Result<Scenario>;

    fn visit<S: IdScheme>(self, scheme: S) -> Result<Scenario> {
        let spec = self.spec;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(spec.seed);
        let length = i64::from(scheme.interval_seconds());
        let per_day = scheme.intervals_per_day();
        let day_start = |day: u32| NOW - i64::from(day) * i64::from(SECONDS_PER_DAY);
        let first_interval = |day: u32| (day_start(day) / length) as u32;

        // Keys: random bytes, each valid for one of the days before now.
        let mut keys = PublishedKeys::with_capacity(scheme.kind(), spec.keys);
        let mut key = S::Key::default();
        for _ in 0..spec.keys {
            rng.fill_bytes(key.as_mut());
            let day = rng.random_range(1..=spec.days);
            keys.push(key.as_ref(), first_interval(day), per_day)?;
        }

        // Sightings: (time, id, planted index) before sorting by time.
        let (open, close) = (
            i64::from(spec.hours.0) * 3_600,
            i64::from(spec.hours.1) * 3_600,
        );
        let per_id = (spec.sightings / spec.distinct_ids).max(1);
        let mut rows: Vec<(i64, S::Id, Option<usize>)> = Vec::with_capacity(spec.sightings);
        let random_ids = spec.distinct_ids - spec.planted;
        for n in 0..random_ids {
            let mut id = S::Id::default();
            rng.fill_bytes(id.as_mut());
            // The remainder of sightings goes to the first IDs.
            let count =
                per_id + usize::from(n < spec.sightings.saturating_sub(per_id * spec.distinct_ids));
            let day = rng.random_range(1..=spec.days);
            let span = i64::try_from(count).unwrap_or(0) * 60;
            let base = day_start(day) + rng.random_range(open..close - span);
            for s in 0..count {
                rows.push((base + 60 * s as i64, id, None));
            }
        }

        // Planted encounters: distinct keys, an interval of the day's
        // opening hours, the ID seen `per_id` times within the interval.
        let mut planted_keys: Vec<u32> = Vec::with_capacity(spec.planted);
        while planted_keys.len() < spec.planted {
            let k = rng.random_range(0..spec.keys as u32);
            if !planted_keys.contains(&k) {
                planted_keys.push(k);
            }
        }
        let mut planted = Vec::with_capacity(spec.planted);
        for (p, &k) in planted_keys.iter().enumerate() {
            let published = keys.get(k as usize).expect("planted key exists");
            let start = published.window.rolling_start();
            let open_interval = (open / length) as u32;
            let close_interval = (close / length) as u32;
            let interval = start + rng.random_range(open_interval..close_interval);
            let mut key = S::Key::default();
            key.as_mut().copy_from_slice(published.key);
            let id = scheme.derive_one(&key, start, interval)?;
            let base = i64::from(interval) * length;
            let step = length / (per_id as i64 + 1);
            for s in 0..per_id {
                rows.push((base + step * (s as i64 + 1), id, Some(p)));
            }
            planted.push(Planted {
                key_index: k,
                interval,
                rows: Vec::new(),
            });
        }

        // The log in time order; planted rows learn their row numbers.
        rows.sort_by_key(|&(time, _, _)| time);
        let mut ids = Vec::with_capacity(rows.len() * S::Id::LEN);
        let mut times = Vec::with_capacity(rows.len());
        let mut rssi = Vec::with_capacity(rows.len());
        for (row, (time, id, plant)) in rows.iter().enumerate() {
            ids.extend_from_slice(id.as_ref());
            times.push(*time);
            rssi.push(-(rng.random_range(40..100) as i8));
            if let Some(p) = plant {
                planted[*p].rows.push(row as u32);
            }
        }
        let log = EncounterLog::from_columns(S::Id::LEN, &ids, &times, &rssi)?;
        planted.sort_by_key(|p| p.key_index);
        Ok(Scenario {
            spec,
            scheme: self.scheme,
            keys,
            log,
            planted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bluezone::{B3, Bluezone};

    #[test]
    fn a_small_scenario_has_its_shape() {
        let spec = S1.scaled(2_000, 0.05);
        let scenario = Scenario::generate(spec, Scheme::B3(B3)).unwrap();
        assert_eq!(scenario.keys.len(), 2_000);
        assert_eq!(scenario.log.len(), spec.sightings);
        assert_eq!(scenario.planted.len(), 25);
        assert!(scenario.log.times().windows(2).all(|w| w[0] <= w[1]));
        let open = NOW - 14 * 86_400;
        assert!(scenario.log.times().iter().all(|&t| t >= open && t < NOW));
        for t in scenario.log.times() {
            let hour = t.rem_euclid(86_400) / 3_600;
            assert!((7..21).contains(&hour), "{t}");
        }
        assert_eq!(scenario.expected().len(), 25 * 4);
    }

    #[test]
    fn generation_is_deterministic() {
        let spec = S2.scaled(500, 0.001);
        let scheme = Scheme::Bluezone(Bluezone::default());
        let a = Scenario::generate(spec, scheme).unwrap();
        let b = Scenario::generate(spec, scheme).unwrap();
        assert_eq!(a.keys, b.keys);
        assert_eq!(a.log, b.log);
        assert_eq!(a.planted, b.planted);
    }
}
