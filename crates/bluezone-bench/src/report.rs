//! Runs a scenario with one scheme and measures the matcher against its
//! baselines, all in one process so that the ratios share the machine's
//! conditions.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bluezone::{LocalIndex, MatchOptions, Result};

use crate::baseline::{derive_everything, naive_match, with_threads};
use crate::scenario::Scenario;

/// How to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Tolerance of the index, in seconds.
    pub tolerance: u32,
    /// Timed runs of the matcher and of the floor, alternated; the median
    /// is reported.
    pub runs: usize,
    /// Keys that the naive matcher runs on; its time is scaled to all keys.
    pub naive_sample: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threads: None,
            tolerance: bluezone::time::DEFAULT_TOLERANCE_SECONDS,
            runs: 5,
            naive_sample: 20_000,
        }
    }
}

/// Reads the process's heap use, for the peak-memory column.
pub trait HeapProbe {
    /// Starts a new peak from the current use.
    fn reset_peak(&self);
    /// The peak since the last reset, in bytes, when known.
    fn peak(&self) -> Option<usize>;
}

/// No heap measurement.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProbe;

impl HeapProbe for NoProbe {
    fn reset_peak(&self) {}

    fn peak(&self) -> Option<usize> {
        None
    }
}

/// One row of the benchmark table.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The scenario's name.
    pub scenario: &'static str,
    /// The scheme's name.
    pub scheme: String,
    /// Published keys.
    pub keys: usize,
    /// Sightings in the log.
    pub sightings: usize,
    /// Time to build the index.
    pub index_build: Duration,
    /// Memory held by the index.
    pub index_bytes: usize,
    /// Median time of the matcher.
    pub matcher: Duration,
    /// Median time of the derive-everything floor.
    pub floor: Duration,
    /// Time of the naive matcher, scaled from its sample to all keys.
    pub naive: Duration,
    /// Keys the naive matcher ran on.
    pub naive_sample: usize,
    /// Peak heap use while indexing and matching, with keys and log loaded.
    pub peak_bytes: Option<usize>,
    /// Matches found.
    pub found: usize,
    /// Matches planted.
    pub expected: usize,
    /// Whether the matches are exactly the planted ones, and the naive
    /// matcher agrees on its sample.
    pub correct: bool,
}

impl Measurement {
    /// Matcher time over floor time.
    #[must_use]
    pub fn matcher_over_floor(&self) -> f64 {
        self.matcher.as_secs_f64() / self.floor.as_secs_f64()
    }

    /// Naive time over matcher time.
    #[must_use]
    pub fn naive_over_matcher(&self) -> f64 {
        self.naive.as_secs_f64() / self.matcher.as_secs_f64()
    }
}

/// Measures `scenario`.
///
/// # Panics
/// Never: at least one timed run happens.
///
/// # Errors
/// When the index cannot be built or a key cannot be derived.
pub fn measure(
    scenario: &Scenario,
    options: &Options,
    heap: &dyn HeapProbe,
) -> Result<Measurement> {
    heap.reset_peak();
    let started = Instant::now();
    let index = LocalIndex::build(&scenario.log, scenario.scheme, options.tolerance)?;
    let index_build = started.elapsed();
    let match_options = MatchOptions {
        threads: options.threads,
        progress: None,
    };

    let mut matcher_times = Vec::with_capacity(options.runs);
    let mut floor_times = Vec::with_capacity(options.runs);
    let mut matches = None;
    for _ in 0..options.runs.max(1) {
        let started = Instant::now();
        with_threads(options.threads, || {
            derive_everything(scenario.scheme, &scenario.keys)
        })??;
        floor_times.push(started.elapsed());
        let started = Instant::now();
        let found = index.match_keys(&scenario.keys, &match_options)?;
        matcher_times.push(started.elapsed());
        matches = Some(found);
    }
    let matches = matches.expect("at least one run");
    let peak_bytes = heap.peak();

    let sample = options.naive_sample.min(scenario.keys.len());
    let started = Instant::now();
    let naive = with_threads(options.threads, || {
        naive_match(
            scenario.scheme,
            &scenario.keys,
            &scenario.log,
            options.tolerance,
            sample,
        )
    })??;
    let naive_time = started
        .elapsed()
        .mul_f64(scenario.keys.len() as f64 / sample.max(1) as f64);

    let found: Vec<(u32, u32, u32)> = matches
        .iter()
        .map(|m| (m.key_index, m.interval, m.encounter_index))
        .collect();
    let expected = scenario.expected();
    let in_sample: Vec<_> = found
        .iter()
        .copied()
        .filter(|&(key, _, _)| (key as usize) < sample)
        .collect();
    Ok(Measurement {
        scenario: scenario.spec.name,
        scheme: scenario.scheme.to_string(),
        keys: scenario.keys.len(),
        sightings: scenario.log.len(),
        index_build,
        index_bytes: index.heap_size(),
        matcher: median(&mut matcher_times),
        floor: median(&mut floor_times),
        naive: naive_time,
        naive_sample: sample,
        peak_bytes,
        found: found.len(),
        expected: expected.len(),
        correct: found == expected && naive == in_sample,
    })
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// Formats measurements as a plain-text table.
#[must_use]
pub fn table(rows: &[Measurement]) -> String {
    let mut out = String::new();
    let header = [
        "scenario",
        "scheme",
        "keys",
        "sightings",
        "index build",
        "index mem",
        "matcher",
        "floor",
        "matcher/floor",
        "naive (est.)",
        "naive/matcher",
        "peak heap",
        "found/planted",
    ];
    let cells: Vec<[String; 13]> = rows
        .iter()
        .map(|m| {
            [
                m.scenario.to_owned(),
                m.scheme.clone(),
                m.keys.to_string(),
                m.sightings.to_string(),
                format_duration(m.index_build),
                format_bytes(m.index_bytes),
                format_duration(m.matcher),
                format_duration(m.floor),
                format!("{:.2}", m.matcher_over_floor()),
                format_duration(m.naive),
                format!("{:.0}", m.naive_over_matcher()),
                m.peak_bytes.map_or_else(|| "-".to_owned(), format_bytes),
                format!(
                    "{}/{} {}",
                    m.found,
                    m.expected,
                    if m.correct { "ok" } else { "WRONG" }
                ),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            cells
                .iter()
                .map(|row| row[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut String, row: &[&str]| {
        let text: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, width))| {
                if c < 2 {
                    format!("{cell:<width$}")
                } else {
                    format!("{cell:>width$}")
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", text.join(" | "));
    };
    line(&mut out, &header);
    let rule: String = widths
        .iter()
        .enumerate()
        .map(|(c, width)| {
            let dashes = "-".repeat(width - 1);
            if c < 2 {
                format!(" :{dashes} |")
            } else {
                format!(" {dashes}: |")
            }
        })
        .collect();
    let _ = writeln!(out, "|{rule}");
    for row in &cells {
        line(
            &mut out,
            &row.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    out
}

/// A duration with three significant figures and a unit.
#[must_use]
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{:.0} µs", seconds * 1e6)
    }
}

/// A byte count in B, KiB or MiB.
#[must_use]
pub fn format_bytes(bytes: usize) -> String {
    let bytes = bytes as f64;
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{S1, Scenario};
    use bluezone::{B3, Bluezone, Gaen, Scheme};

    #[test]
    fn a_small_run_finds_exactly_the_planted_encounters() {
        for scheme in [
            Scheme::B3(B3),
            Scheme::Gaen(Gaen),
            Scheme::Bluezone(Bluezone::default()),
        ] {
            let scenario = Scenario::generate(S1.scaled(3_000, 0.05), scheme).unwrap();
            // The naive bluezone matcher walks a hash chain per ID: sample less.
            let sample = if matches!(scheme, Scheme::Bluezone(_)) {
                300
            } else {
                3_000
            };
            let options = Options {
                runs: 1,
                naive_sample: sample,
                ..Options::default()
            };
            let m = measure(&scenario, &options, &NoProbe).unwrap();
            assert!(m.correct, "{m:?}");
            assert_eq!(m.found, 100);
            let table = table(&[m]);
            assert!(table.contains("| S1 "));
            assert!(table.contains("100/100 ok"));
        }
    }

    #[test]
    fn units_read_well() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.50 s");
        assert_eq!(format_duration(Duration::from_micros(2500)), "2.5 ms");
        assert_eq!(format_duration(Duration::from_nanos(2500)), "2 µs");
        assert_eq!(format_bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(format_bytes(100), "100 B");
    }
}
