//! Derivation throughput of each scheme: a whole day of IDs per key (the
//! "derive everything" work of a naive matcher), and the daytime intervals
//! only (the sparse derivation that an index allows).

use bluezone::{B3, Bluezone, ByteArray, Gaen, IdScheme};
use bluezone_benches::{ROLLING_START, daytime_intervals, keys};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const KEYS: usize = 256;

fn bench_scheme<S: IdScheme>(c: &mut Criterion, scheme: S, keys: &[S::Key]) {
    let name = scheme.kind().name();
    let per_day = scheme.intervals_per_day() as usize;
    let mut group = c.benchmark_group(format!("derive/{name}"));

    let mut out = vec![S::Id::default(); per_day];
    group.throughput(Throughput::Elements((keys.len() * per_day) as u64));
    group.bench_function(BenchmarkId::new("range", per_day), |b| {
        b.iter(|| {
            for key in keys {
                scheme
                    .derive_range(key, ROLLING_START, ROLLING_START, &mut out)
                    .unwrap();
                black_box(S::Id::flatten(&out));
            }
        });
    });

    let sparse = daytime_intervals();
    let mut out = vec![S::Id::default(); sparse.len()];
    group.throughput(Throughput::Elements((keys.len() * sparse.len()) as u64));
    group.bench_function(BenchmarkId::new("sparse", sparse.len()), |b| {
        b.iter(|| {
            for key in keys {
                scheme
                    .derive_sparse(key, ROLLING_START, &sparse, &mut out)
                    .unwrap();
                black_box(S::Id::flatten(&out));
            }
        });
    });
    group.finish();
}

fn derive(c: &mut Criterion) {
    bench_scheme(c, Gaen, &keys::<16>(KEYS));
    bench_scheme(c, B3, &keys::<16>(KEYS));
    bench_scheme(c, Bluezone::default(), &keys::<32>(KEYS / 4));
}

criterion_group!(benches, derive);
criterion_main!(benches);
