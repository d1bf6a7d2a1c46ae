//! `bluezone demo`: the main job, end to end. A phone's side of exposure
//! notification: a fresh daily key and the IDs it broadcasts today; then a
//! national day of published keys (the `S1` scenario of `bluezone bench`)
//! matched against a phone's fortnight of sightings, and the exposures found,
//! by day, checked against the encounters that the scenario planted.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use bluezone::time::{SECONDS_PER_DAY, now_unix_seconds, slot_number};
use bluezone::{LocalIndex, MatchOptions, Matches, SchemeKind};
use bluezone_bench::report::format_duration;
use bluezone_bench::scenario::{NOW, S1, Scenario};

use crate::failure::Failure;
use crate::utc::rfc3339;
use crate::{args, derive, keygen};

/// Arguments of `bluezone demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// The ID scheme: gaen, bluezone or b3.
    #[arg(long, value_parser = args::scheme_kind, default_value = "b3")]
    scheme: SchemeKind,
    /// Slots per day of the bluezone scheme [default: 144].
    #[arg(long, value_name = "P", value_parser = args::per_day)]
    per_day: Option<u32>,
    /// Published keys of the national day that the phone matches.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, value_parser = args::count)]
    keys: u64,
    /// Worker threads of the matcher [default: one per core].
    #[arg(long, value_name = "N", value_parser = args::threads)]
    threads: Option<usize>,
}

/// Runs `bluezone demo`.
pub(crate) fn run(args: &DemoArgs, out: &mut impl Write) -> Result<(), Failure> {
    let scheme = args::scheme(args.scheme, args.per_day)?;
    broadcast_today(scheme, args.scheme, out)?;
    let keys = usize::try_from(args.keys)
        .map_err(|_| Failure::option("--keys", "too many keys for this machine"))?;
    match_national_day(scheme, keys, args.threads, out)
}

/// Part 1: a fresh daily key and the IDs it broadcasts today, one
/// `N<TAB>ID_HEX` line each (as `bluezone derive` prints them).
fn broadcast_today(
    scheme: bluezone::Scheme,
    kind: SchemeKind,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let key = keygen::generate(kind)?;
    let midnight = now_unix_seconds() / i64::from(SECONDS_PER_DAY) * i64::from(SECONDS_PER_DAY);
    let start = slot_number(midnight, scheme.interval_seconds())?;
    writeln!(
        out,
        "# scheme {scheme}: a fresh daily key and its {} IDs for the day from {}",
        scheme.intervals_per_day(),
        rfc3339(midnight.unsigned_abs())
    )?;
    writeln!(out, "# key {}", hex::encode(&*key))?;
    writeln!(out, "# interval\tid")?;
    derive::write_ids(
        scheme,
        &key,
        start,
        start,
        u64::from(scheme.intervals_per_day()),
        out,
    )
}

/// Part 2: a national day of published keys matched against a phone's log;
/// the exposures by day, as `#` lines. Fails unless exactly the planted
/// encounters are found.
fn match_national_day(
    scheme: bluezone::Scheme,
    keys: usize,
    threads: Option<usize>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let spec = S1.scaled(keys, 1.0);
    let generating = Instant::now();
    let scenario = Scenario::generate(spec, scheme)?;
    let generated = generating.elapsed();
    let expected = scenario.expected();
    writeln!(out, "#")?;
    writeln!(
        out,
        "# a national day: {} published {scheme} keys of diagnosed users, one day each over the {} days before {} (generated in {})",
        thousands(scenario.keys.len()),
        spec.days,
        rfc3339(NOW.unsigned_abs()),
        format_duration(generated)
    )?;
    writeln!(
        out,
        "# a phone's log: {} sightings of {} IDs, {:02}:00 to {:02}:00 UTC each day, {} of them in {} real encounters with diagnosed users",
        thousands(scenario.log.len()),
        thousands(spec.distinct_ids),
        spec.hours.0,
        spec.hours.1,
        expected.len(),
        scenario.planted.len()
    )?;
    out.flush()?;

    let indexing = Instant::now();
    let index = LocalIndex::build(
        &scenario.log,
        scheme,
        bluezone::time::DEFAULT_TOLERANCE_SECONDS,
    )?;
    let indexed = indexing.elapsed();
    let matching = Instant::now();
    let matches = index.match_keys(
        &scenario.keys,
        &MatchOptions {
            threads,
            ..MatchOptions::default()
        },
    )?;
    let match_time = matching.elapsed();
    let threads = threads.unwrap_or_else(args::default_threads);
    writeln!(
        out,
        "# the phone's index built in {}; {} keys matched in {} on {threads} thread{}",
        format_duration(indexed),
        thousands(scenario.keys.len()),
        format_duration(match_time),
        if threads == 1 { "" } else { "s" }
    )?;
    write_exposures(&scenario, &matches, out)?;

    let found: Vec<_> = matches
        .iter()
        .map(|m| (m.key_index, m.interval, m.encounter_index))
        .collect();
    if found != expected {
        return Err(Failure::Failed(format!(
            "the matcher found {} matching sightings, not the {} planted",
            found.len(),
            expected.len()
        )));
    }
    writeln!(
        out,
        "# exactly the {} planted encounters ({} sightings) were found, and nothing else",
        scenario.planted.len(),
        found.len()
    )?;
    Ok(())
}

/// The exposures of one UTC day.
#[derive(Default)]
struct Day {
    keys: Vec<u32>,
    sightings: usize,
    first: i64,
    last: i64,
    closest_rssi: i8,
}

/// The table of exposures by day, as `#` lines.
fn write_exposures(
    scenario: &Scenario,
    matches: &Matches,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let times = scenario.log.times();
    let rssi = scenario.log.rssi();
    let day_seconds = i64::from(SECONDS_PER_DAY);
    let mut days: BTreeMap<i64, Day> = BTreeMap::new();
    for m in matches {
        let row = m.encounter_index as usize;
        let (time, rssi) = (times[row], rssi[row]);
        let day = days.entry(time.div_euclid(day_seconds)).or_insert(Day {
            first: time,
            last: time,
            closest_rssi: rssi,
            ..Day::default()
        });
        if !day.keys.contains(&m.key_index) {
            day.keys.push(m.key_index);
        }
        day.sightings += 1;
        day.first = day.first.min(time);
        day.last = day.last.max(time);
        day.closest_rssi = day.closest_rssi.max(rssi);
    }
    writeln!(
        out,
        "# exposures: {} matching sightings of {} diagnosed users' keys",
        matches.len(),
        days.values().map(|day| day.keys.len()).sum::<usize>()
    )?;
    writeln!(
        out,
        "# day         diagnosed  sightings  first  last   closest RSSI"
    )?;
    for (day, exposures) in &days {
        writeln!(
            out,
            "# {}  {:>9}  {:>9}  {}  {}  {:>4} dBm",
            &rfc3339((day * day_seconds).unsigned_abs())[..10],
            exposures.keys.len(),
            exposures.sightings,
            clock(exposures.first),
            clock(exposures.last),
            exposures.closest_rssi
        )?;
    }
    Ok(())
}

/// `HH:MM` (UTC) of a time.
fn clock(unix_seconds: i64) -> String {
    let seconds = unix_seconds.rem_euclid(i64::from(SECONDS_PER_DAY));
    format!("{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

/// `1,000,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn clocks_and_dates_are_utc() {
        assert_eq!(clock(NOW + 7 * 3600 + 5 * 60 + 59), "07:05");
        assert_eq!(clock(NOW - 60), "23:59");
        assert_eq!(rfc3339(NOW.unsigned_abs()), "2026-11-22T00:00:00Z");
    }
}
