//! `bluezone bench`: the benchmark scenarios, measured and tabulated.

use std::io::Write;

use bluezone::{B3, Bluezone, Gaen, Scheme, SchemeKind};
use bluezone_bench::loading;
use bluezone_bench::report::{self, Options};
use bluezone_bench::scenario::{S1, S2, Scenario, Spec};

use crate::args;
use crate::failure::Failure;

/// Arguments of `bluezone bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// Scenarios to run: S1 (a million keys, a typical log), S2 (the same
    /// keys, a heavy log), or all.
    #[arg(long, default_value = "all", value_parser = ["S1", "S2", "all"])]
    scenario: String,
    /// Schemes to run (repeat or comma-separate) [default: gaen, b3, bluezone].
    #[arg(long, value_parser = args::scheme_kind, value_delimiter = ',')]
    scheme: Vec<SchemeKind>,
    /// Published keys per scenario [default: 1000000].
    #[arg(long, value_name = "N", value_parser = args::count)]
    keys: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", value_parser = args::threads)]
    threads: Option<usize>,
    /// Tolerance in seconds.
    #[arg(long, value_name = "SECS", default_value_t = bluezone::time::DEFAULT_TOLERANCE_SECONDS, value_parser = args::tolerance)]
    tolerance: u32,
    /// Timed runs of the matcher and the floor; the median is reported.
    #[arg(long, value_name = "R", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: u32,
    /// Keys that the naive matcher runs on (its time is scaled to all keys).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    naive_sample: usize,
    /// Skip the table of loading times of the key file formats.
    #[arg(long)]
    no_loading: bool,
}

/// Runs `bluezone bench`.
pub(crate) fn run(
    args: &BenchArgs,
    heap: &dyn report::HeapProbe,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let specs: Vec<Spec> = match args.scenario.as_str() {
        "S1" => vec![S1],
        "S2" => vec![S2],
        _ => vec![S1, S2],
    };
    let kinds = if args.scheme.is_empty() {
        vec![SchemeKind::Gaen, SchemeKind::B3, SchemeKind::Bluezone]
    } else {
        args.scheme.clone()
    };
    let options = Options {
        threads: args.threads,
        tolerance: args.tolerance,
        runs: args.runs as usize,
        naive_sample: args.naive_sample.max(1),
    };
    let threads = args.threads.unwrap_or_else(args::default_threads);
    writeln!(
        out,
        "bluezone bench: {threads} threads, tolerance {} s, median of {} runs; naive time scaled from {} keys",
        args.tolerance, args.runs, args.naive_sample
    )?;
    out.flush()?;
    let mut rows = Vec::new();
    for spec in specs {
        let spec = match args.keys {
            Some(keys) => spec.scaled(keys as usize, 1.0),
            None => spec,
        };
        for &kind in &kinds {
            let scheme = match kind {
                SchemeKind::Gaen => Scheme::Gaen(Gaen),
                SchemeKind::B3 => Scheme::B3(B3),
                SchemeKind::Bluezone => Scheme::Bluezone(Bluezone::default()),
            };
            let scenario = Scenario::generate(spec, scheme)?;
            let measurement = report::measure(&scenario, &options, heap)?;
            rows.push(measurement);
            // Print the table so far, so that a long run shows progress.
            writeln!(out, "\n{}", report::table(&rows))?;
            out.flush()?;
        }
    }
    if !args.no_loading {
        // Loading published keys from files: the first scenario's keys.
        let spec = match args.keys {
            Some(keys) => S1.scaled(keys as usize, 1.0),
            None => S1,
        };
        let scenario = Scenario::generate(spec, Scheme::Gaen(Gaen))?;
        let loading = loading::measure_loading(&scenario.keys, 144, options.runs)?;
        writeln!(
            out,
            "\nloading {} published keys:\n\n{}",
            scenario.keys.len(),
            loading::table(&loading)
        )?;
        if loading.iter().any(|row| !row.correct) {
            return Err(Failure::Failed(
                "a file format did not load back the keys written".to_owned(),
            ));
        }
    }
    if rows.iter().any(|row| !row.correct) {
        return Err(Failure::Failed(
            "a matcher did not find exactly the planted encounters".to_owned(),
        ));
    }
    Ok(())
}
