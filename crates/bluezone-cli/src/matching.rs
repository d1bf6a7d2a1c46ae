//! `bluezone match`: published keys against an encounter log, as CSV.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use bluezone::formats::csv;
use bluezone::{LocalIndex, MatchOptions, MatchProgress, SchemeKind};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args;
use crate::failure::Failure;

/// Arguments of `bluezone match`.
#[derive(clap::Args, Debug)]
pub(crate) struct MatchArgs {
    /// The ID scheme: gaen, bluezone or b3.
    #[arg(long, value_parser = args::scheme_kind)]
    scheme: SchemeKind,
    /// Slots per day of the bluezone scheme [default: 144].
    #[arg(long, value_name = "P", value_parser = args::per_day, allow_hyphen_values = true)]
    per_day: Option<u32>,
    /// Published keys: CSV with the header `key,rolling_start,rolling_period`.
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
    /// The encounter log: CSV with the header `id,time,rssi`.
    #[arg(long, value_name = "FILE")]
    encounters: PathBuf,
    /// Clock tolerance in seconds, each side of an interval.
    #[arg(long, value_name = "SECS", default_value_t = bluezone::time::DEFAULT_TOLERANCE_SECONDS, value_parser = args::tolerance, allow_hyphen_values = true)]
    tolerance: u32,
    /// Worker threads [default: one per core]; the output does not depend on it.
    #[arg(long, value_name = "N", value_parser = args::threads, allow_hyphen_values = true)]
    threads: Option<usize>,
}

/// Runs `bluezone match`.
pub(crate) fn run(args: &MatchArgs, out: &mut impl Write) -> Result<(), Failure> {
    let scheme = args::scheme(args.scheme, args.per_day)?;
    let keys = csv::read_keys_file(&args.keys, scheme.kind())?;
    let log = csv::read_encounters_file(&args.encounters, scheme.id_len())?;
    let index = LocalIndex::build(&log, scheme, args.tolerance)?;

    // A progress bar on a terminal, for runs over many keys.
    let bar = if std::io::stderr().is_terminal() && keys.len() >= 100_000 {
        ProgressBar::new(keys.len() as u64).with_style(
            ProgressStyle::with_template("matching {pos}/{len} keys {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::hidden()
    };
    let progress = |p: MatchProgress| bar.set_position(p.keys_done);
    let options = MatchOptions {
        threads: args.threads,
        progress: Some(&progress),
    };
    let matches = index.match_keys(&keys, &options)?;
    bar.finish_and_clear();

    writeln!(out, "key_index,interval,encounter_index")?;
    for m in &matches {
        writeln!(out, "{},{},{}", m.key_index, m.interval, m.encounter_index)?;
    }
    Ok(())
}
