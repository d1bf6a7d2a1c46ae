//! `bluezone match`: published keys against an encounter log, as CSV.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use bluezone::formats::load::{load_encounters, load_keys};
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
    /// Published keys: keys CSV (`key,rolling_start,rolling_period`), an
    /// Exposure Notification export (zip or export.bin), a native batch
    /// (.bzk) or a Bluezone F0 payload (JSON); the format is read from the
    /// file's content.
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
    /// The encounter log: encounters CSV (`id,time,rssi`) or a Bluezone
    /// `data_trace.txt`.
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
    let loaded = load_keys(&args.keys, Some(args.scheme))?;
    // A file that says its slots per day (a Bluezone payload, a native
    // batch) sets them, unless --per-day says otherwise.
    let per_day = match (args.per_day, loaded.per_day) {
        (Some(given), Some(file)) if args.scheme == SchemeKind::Bluezone && given != file => {
            return Err(Failure::option(
                "--per-day",
                format!(
                    "{given} slots per day, but {} has keys of {file}",
                    args.keys.display()
                ),
            ));
        }
        (Some(given), _) => Some(given),
        (None, file) if args.scheme == SchemeKind::Bluezone => file,
        (None, _) => None,
    };
    let scheme = args::scheme(args.scheme, per_day)?;
    let keys = loaded.keys;
    let log = load_encounters(&args.encounters, scheme.id_len())?.log;
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
