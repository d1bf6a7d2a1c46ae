//! The matcher on the benchmark scenarios S1 ("national day") and S2 ("heavy
//! log"), for `gaen` and `b3`, against the derive-everything floor, and the
//! index build of each scenario's log.
//!
//! Release builds (`cargo bench`) run the full scenarios: a million keys.
//! Debug builds (`cargo test --benches`, which runs each benchmark once) run
//! them scaled down to 2,000 keys and 2% of the log, so that the check takes
//! seconds. Before timing, each scenario's matches are checked against the
//! encounters planted in it.

use std::hint::black_box;

use bluezone::time::DEFAULT_TOLERANCE_SECONDS;
use bluezone::{B3, Gaen, LocalIndex, MatchOptions, Scheme};
use bluezone_bench::baseline::derive_everything;
use bluezone_bench::scenario::{S1, S2, Scenario, Spec};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Keys of the scenarios in debug builds.
const DEBUG_KEYS: usize = 2_000;
/// The scale of the scenarios' logs in debug builds.
const DEBUG_LOG_SCALE: f64 = 0.02;

/// `spec` at full size in release builds, scaled down in debug builds.
fn sized(spec: Spec) -> Spec {
    if cfg!(debug_assertions) {
        spec.scaled(DEBUG_KEYS, DEBUG_LOG_SCALE)
    } else {
        spec
    }
}

/// Benchmarks one scenario, in one group: for each scheme, the index build,
/// the matcher and the floor.
fn bench_scenario(c: &mut Criterion, spec: Spec) {
    let spec = sized(spec);
    let mut group = c.benchmark_group(format!("matcher/{}", spec.name));
    group.sample_size(10);
    for scheme in [Scheme::Gaen(Gaen), Scheme::B3(B3)] {
        let name = scheme.kind().name();
        let scenario = Scenario::generate(spec, scheme).expect("the scenario generates");
        let index = LocalIndex::build(&scenario.log, scheme, DEFAULT_TOLERANCE_SECONDS)
            .expect("the index builds");
        let options = MatchOptions::default();

        // The matches are exactly the planted encounters.
        let found: Vec<(u32, u32, u32)> = index
            .match_keys(&scenario.keys, &options)
            .expect("the keys match")
            .iter()
            .map(|m| (m.key_index, m.interval, m.encounter_index))
            .collect();
        assert_eq!(
            found,
            scenario.expected(),
            "{} {name}: the matches are not the planted encounters",
            spec.name
        );

        group.throughput(Throughput::Elements(spec.sightings as u64));
        group.bench_function(BenchmarkId::new(name, "index"), |b| {
            b.iter(|| {
                LocalIndex::build(black_box(&scenario.log), scheme, DEFAULT_TOLERANCE_SECONDS)
                    .expect("the index builds")
            });
        });

        group.throughput(Throughput::Elements(spec.keys as u64));
        group.bench_function(BenchmarkId::new(name, "matcher"), |b| {
            b.iter(|| {
                index
                    .match_keys(black_box(&scenario.keys), &options)
                    .expect("the keys match")
            });
        });
        group.bench_function(BenchmarkId::new(name, "floor"), |b| {
            b.iter(|| {
                derive_everything(scheme, black_box(&scenario.keys)).expect("the keys derive")
            });
        });
    }
    group.finish();
}

/// The benchmarks of both scenarios.
fn matcher(c: &mut Criterion) {
    bench_scenario(c, S1);
    bench_scenario(c, S2);
}

criterion_group!(benches, matcher);
criterion_main!(benches);
