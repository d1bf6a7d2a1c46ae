//! The contract of `bluezone match`: published keys against an encounter
//! log, printed as CSV `key_index,interval,encounter_index` sorted by key
//! then sighting, and one-line errors with a non-zero status.
//!
//! A sighting of ID `X` at time `t` matches key `K` at interval `i` when `i`
//! is in `K`'s window, `ID(K, i) = X` and `i·L − tol ≤ t < (i+1)·L + tol`.
//! Every test writes its input files into a directory of its own under the
//! system's temporary directory, and removes it when it ends.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bluezone::{Scheme, SchemeKind};

/// The header line of the output.
const HEADER: &str = "key_index,interval,encounter_index\n";
/// The header line of a keys file.
const KEYS_HEADER: &str = "key,rolling_start,rolling_period\n";
/// The header line of an encounters file.
const ENCOUNTERS_HEADER: &str = "id,time,rssi\n";
/// 2026-11-22 00:00:00 UTC: the "now" of the tests, a UTC midnight.
const NOW: i64 = 1_795_305_600;
/// The default tolerance of `bluezone match`, in seconds.
const TOLERANCE: i64 = 7_200;

/// A directory of one test's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory for the test `name`.
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("bluezone-match-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// Writes `text` to the file `name` in the directory, and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The text of a path, for the command line.
fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// Runs the `bluezone` binary.
fn bluezone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bluezone"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `bluezone match` with `scheme` (the `--scheme` and `--per-day`
/// arguments), the two files and `extra` arguments, which must succeed
/// quietly; returns its output.
fn matches(scheme: &[&str], keys: &Path, encounters: &Path, extra: &[&str]) -> String {
    let args = [
        &["match"][..],
        scheme,
        &["--keys", text(keys), "--encounters", text(encounters)],
        extra,
    ]
    .concat();
    let out = bluezone(&args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail, and checks that it printed nothing on
/// standard output and exactly the line `bluezone: error: {message}` on
/// standard error, or a line that starts so when `message` ends in `…`.
fn fails(args: &[&str], message: &str) {
    let out = bluezone(args);
    assert!(!out.status.success(), "{args:?} succeeded: {out:?}");
    assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(stderr.ends_with('\n'), "{args:?}: {stderr:?}");
    match message.strip_suffix('…') {
        Some(prefix) => assert!(
            stderr.starts_with(&format!("bluezone: error: {prefix}")),
            "{args:?}: {stderr:?} does not start with {prefix:?}"
        ),
        None => assert_eq!(stderr, format!("bluezone: error: {message}\n"), "{args:?}"),
    }
}

/// The ID of `key` (hex) at `interval`, for the window starting at `start`,
/// derived with the library.
fn id(scheme: Scheme, key: &str, start: u32, interval: u32) -> String {
    let key = bluezone::hex::decode_vec(key).unwrap();
    let mut out = vec![0u8; scheme.id_len()];
    scheme
        .derive_range_bytes(&key, start, interval, &mut out)
        .unwrap();
    bluezone::hex::encode(&out)
}

/// The length of the scheme's intervals, in seconds.
fn length(scheme: Scheme) -> i64 {
    i64::from(scheme.interval_seconds())
}

/// The first interval of the day `days` days before [`NOW`].
fn day_start(scheme: Scheme, days: u32) -> u32 {
    u32::try_from(NOW / length(scheme)).unwrap() - days * scheme.intervals_per_day()
}

/// The time `offset` seconds after the start of `interval`.
fn at(scheme: Scheme, interval: u32, offset: i64) -> i64 {
    i64::from(interval) * length(scheme) + offset
}

/// A small deterministic generator of noise: `xorshift64*`.
struct Noise(u64);

impl Noise {
    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `bytes` random bytes, in hex.
    fn hex(&mut self, bytes: usize) -> String {
        let bytes: Vec<u8> = (0..bytes).map(|_| self.next() as u8).collect();
        bluezone::hex::encode(&bytes)
    }

    /// A sighting line of a random ID of `id_len` bytes at a time in
    /// `first..end`.
    fn sighting(&mut self, id_len: usize, first: i64, end: i64) -> String {
        let span = u64::try_from(end - first).unwrap();
        let time = first + i64::try_from(self.below(span)).unwrap();
        let rssi = -40 - i64::try_from(self.below(60)).unwrap();
        format!("{},{time},{rssi}\n", self.hex(id_len))
    }
}

/// Runs `bluezone match` on the planted case of `scheme` and returns its
/// output.
///
/// Keys: 0 is key A for one day from `D0` (yesterday); 1 is key B, for the
/// same day, never seen; 2 is key C for half a day from `D1` (the day
/// before); 3 is key A again. The log, by row:
///
/// | row | ID | time | matches |
/// |---|---|---|---|
/// | 0, 2, 5, 10, 12, 14 | random | in the two days | no |
/// | 1 | A at `D0 + 20` | 100 s into the interval | yes |
/// | 3 | A at `D0 + 40` | `i·L − tol` | yes |
/// | 4 | A at `D0 + 40` | `i·L − tol − 1` | no |
/// | 6 | A at `D0 + 60` | `(i+1)·L + tol − 1` | yes |
/// | 7 | A at `D0 + 60` | `(i+1)·L + tol` | no |
/// | 8 | C at its window's last interval | 300 s in | yes |
/// | 9 | C at the first interval past its window | 300 s in | no |
/// | 11 | A at `D0 + 20` | 500 s into the interval | yes |
/// | 13 | C at `D1 + 10` | the interval's first second | yes |
fn planted_case(test: &str, scheme: Scheme, scheme_args: &[&str]) -> String {
    let dir = TempDir::new(test);
    let key_len = scheme.key_len();
    let id_len = scheme.id_len();
    let (a, b, c) = (
        "a5".repeat(key_len),
        "b6".repeat(key_len),
        "c7".repeat(key_len),
    );
    let per_day = scheme.intervals_per_day();
    let half = per_day / 2;
    let d0 = day_start(scheme, 1);
    let d1 = day_start(scheme, 2);
    let keys = format!(
        "{KEYS_HEADER}{a},{d0},{per_day}\n{b},{d0},{per_day}\n{c},{d1},{half}\n{a},{d0},{per_day}\n"
    );

    // The library's IDs are the command's.
    let derived = bluezone(
        &[
            &["derive"][..],
            scheme_args,
            &["--key", &a, "--start", &d0.to_string(), "--count", "61"],
        ]
        .concat(),
    );
    assert!(derived.status.success(), "{derived:?}");
    let derived = String::from_utf8(derived.stdout).unwrap();
    let derived: Vec<&str> = derived.lines().collect();
    for offset in [20, 40, 60] {
        let interval = d0 + offset;
        assert_eq!(
            derived[offset as usize],
            format!("{interval}\t{}", id(scheme, &a, d0, interval))
        );
    }

    let (first, end) = (at(scheme, d1, 0), at(scheme, d0 + per_day, 0));
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15 ^ u64::from(per_day));
    let mut log = ENCOUNTERS_HEADER.to_owned();
    let seen = |key: &str, start: u32, interval: u32, time: i64| {
        format!("{},{time},-60\n", id(scheme, key, start, interval))
    };
    let l = length(scheme);
    let rows = [
        noise.sighting(id_len, first, end),
        seen(&a, d0, d0 + 20, at(scheme, d0 + 20, 100)),
        noise.sighting(id_len, first, end),
        seen(&a, d0, d0 + 40, at(scheme, d0 + 40, -TOLERANCE)),
        seen(&a, d0, d0 + 40, at(scheme, d0 + 40, -TOLERANCE - 1)),
        noise.sighting(id_len, first, end),
        seen(&a, d0, d0 + 60, at(scheme, d0 + 60, l + TOLERANCE - 1)),
        seen(&a, d0, d0 + 60, at(scheme, d0 + 60, l + TOLERANCE)),
        seen(&c, d1, d1 + half - 1, at(scheme, d1 + half - 1, 300)),
        seen(&c, d1, d1 + half, at(scheme, d1 + half, 300)),
        noise.sighting(id_len, first, end),
        seen(&a, d0, d0 + 20, at(scheme, d0 + 20, 500)),
        noise.sighting(id_len, first, end),
        seen(&c, d1, d1 + 10, at(scheme, d1 + 10, 0)),
        noise.sighting(id_len, first, end),
    ];
    log.extend(rows);

    let keys = dir.write("keys.csv", &keys);
    let log = dir.write("encounters.csv", &log);
    matches(scheme_args, &keys, &log, &[])
}

#[test]
fn gaen_matches_inside_the_window_and_the_tolerance() {
    let out = planted_case(
        "gaen_planted",
        Scheme::new(SchemeKind::Gaen, None).unwrap(),
        &["--scheme", "gaen"],
    );
    assert_eq!(
        out,
        "key_index,interval,encounter_index\n\
         0,2992052,1\n\
         0,2992072,3\n\
         0,2992092,6\n\
         0,2992052,11\n\
         2,2991959,8\n\
         2,2991898,13\n\
         3,2992052,1\n\
         3,2992072,3\n\
         3,2992092,6\n\
         3,2992052,11\n"
    );
}

#[test]
fn b3_matches_inside_the_window_and_the_tolerance() {
    let out = planted_case(
        "b3_planted",
        Scheme::new(SchemeKind::B3, None).unwrap(),
        &["--scheme", "b3"],
    );
    assert_eq!(
        out,
        "key_index,interval,encounter_index\n\
         0,2992052,1\n\
         0,2992072,3\n\
         0,2992092,6\n\
         0,2992052,11\n\
         2,2991959,8\n\
         2,2991898,13\n\
         3,2992052,1\n\
         3,2992072,3\n\
         3,2992092,6\n\
         3,2992052,11\n"
    );
}

#[test]
fn bluezone_matches_inside_the_window_and_the_tolerance() {
    // 96 slots a day: slots of 900 s, and the tolerance is still in seconds.
    let out = planted_case(
        "bluezone_planted",
        Scheme::new(SchemeKind::Bluezone, Some(96)).unwrap(),
        &["--scheme", "bluezone", "--per-day", "96"],
    );
    assert_eq!(
        out,
        "key_index,interval,encounter_index\n\
         0,1994708,1\n\
         0,1994728,3\n\
         0,1994748,6\n\
         0,1994708,11\n\
         2,1994639,8\n\
         2,1994602,13\n\
         3,1994708,1\n\
         3,1994728,3\n\
         3,1994748,6\n\
         3,1994708,11\n"
    );
}

#[test]
fn the_tolerance_widens_the_interval_each_side() {
    let dir = TempDir::new("tolerance");
    let scheme = Scheme::new(SchemeKind::B3, None).unwrap();
    let key = "0f".repeat(16);
    let start = day_start(scheme, 1);
    let interval = start + 50;
    let id = id(scheme, &key, start, interval);
    let keys = dir.write("keys.csv", &format!("{KEYS_HEADER}{key},{start},144\n"));
    let mut log = ENCOUNTERS_HEADER.to_owned();
    for offset in [
        -TOLERANCE - 1,
        -TOLERANCE,
        -1,
        0,
        599,
        600,
        600 + TOLERANCE - 1,
        600 + TOLERANCE,
    ] {
        writeln!(log, "{id},{},-70", at(scheme, interval, offset)).unwrap();
    }
    let log = dir.write("encounters.csv", &log);
    let scheme_args = ["--scheme", "b3"];
    let run = |extra: &[&str]| matches(&scheme_args, &keys, &log, extra);
    let rows = |rows: &[u32]| {
        let mut text = HEADER.to_owned();
        for row in rows {
            writeln!(text, "0,{interval},{row}").unwrap();
        }
        text
    };

    assert_eq!(run(&["--tolerance", "0"]), rows(&[3, 4]));
    assert_eq!(run(&["--tolerance", "1"]), rows(&[2, 3, 4, 5]));
    assert_eq!(run(&[]), rows(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(run(&["--tolerance", "7200"]), rows(&[1, 2, 3, 4, 5, 6]));
    assert_eq!(
        run(&["--tolerance", "7201"]),
        rows(&[0, 1, 2, 3, 4, 5, 6, 7])
    );
}

#[test]
fn the_output_does_not_depend_on_the_threads() {
    const KEYS: u64 = 3_000;
    const SIGHTINGS: u64 = 2_000;
    const PLANTED: u64 = 30;
    let dir = TempDir::new("threads");
    let scheme = Scheme::new(SchemeKind::Gaen, None).unwrap();
    let mut noise = Noise(0x0123_4567_89ab_cdef);

    // Keys of one day each, over three days; a key listed twice.
    let mut keys: Vec<(String, u32)> = Vec::new();
    let mut keys_text = KEYS_HEADER.to_owned();
    for k in 0..KEYS {
        let (key, start) = if k == 2_500 {
            keys[1_234].clone()
        } else {
            (noise.hex(16), day_start(scheme, 1 + noise.below(3) as u32))
        };
        writeln!(keys_text, "{key},{start},144").unwrap();
        keys.push((key, start));
    }
    let keys_path = dir.write("keys.csv", &keys_text);

    // Noise over the three days, and every 66th row from row 7 a planted ID
    // seen inside its interval.
    let (first, end) = (at(scheme, day_start(scheme, 3), 0), NOW);
    let mut planted = Vec::new();
    let mut sown = 0;
    let mut log = ENCOUNTERS_HEADER.to_owned();
    for row in 0..SIGHTINGS {
        if row % 66 == 7 && sown < PLANTED {
            let p = sown;
            sown += 1;
            let k = (p * 97 + 1_234) % KEYS;
            let (key, start) = &keys[k as usize];
            let interval = start + noise.below(144) as u32;
            let time = at(scheme, interval, i64::try_from(noise.below(600)).unwrap());
            writeln!(log, "{},{time},-55", id(scheme, key, *start, interval)).unwrap();
            planted.push((k, interval, row));
            // Key 2500 is key 1234 again, with the same window.
            if k == 1_234 {
                planted.push((2_500, interval, row));
            }
        } else {
            log.push_str(&noise.sighting(16, first, end));
        }
    }
    assert_eq!((sown, planted.len()), (PLANTED, 31));
    let log_path = dir.write("encounters.csv", &log);

    planted.sort_unstable_by_key(|&(k, _, row)| (k, row));
    let mut expected = HEADER.to_owned();
    for (k, interval, row) in planted {
        writeln!(expected, "{k},{interval},{row}").unwrap();
    }
    let scheme_args = ["--scheme", "gaen"];
    let default = matches(&scheme_args, &keys_path, &log_path, &[]);
    assert_eq!(default, expected);
    for threads in ["1", "2"] {
        assert_eq!(
            matches(&scheme_args, &keys_path, &log_path, &["--threads", threads]),
            default,
            "--threads {threads}"
        );
    }
}

#[test]
fn the_header_is_printed_without_matches() {
    let dir = TempDir::new("no_match");
    let key = "75c734c6dd1a782de7a965da5eb93125";
    let keys = dir.write("keys.csv", &format!("{KEYS_HEADER}{key},2642976,144\n"));
    let no_keys = dir.write("no-keys.csv", KEYS_HEADER);
    let empty_log = dir.write("empty.csv", ENCOUNTERS_HEADER);
    // The key's first ID, seen a day late; and an ID nobody published.
    let log = dir.write(
        "encounters.csv",
        &format!(
            "{ENCOUNTERS_HEADER}8be6cd371c5c891604bfbe49df845096,{},-60\n\
             00112233445566778899aabbccddeeff,1585785600,-60\n",
            1_585_785_600 + 86_400
        ),
    );
    let gaen = ["--scheme", "gaen"];
    assert_eq!(matches(&gaen, &keys, &empty_log, &[]), HEADER);
    assert_eq!(matches(&gaen, &no_keys, &log, &[]), HEADER);
    assert_eq!(matches(&gaen, &no_keys, &empty_log, &[]), HEADER);
    assert_eq!(matches(&gaen, &keys, &log, &[]), HEADER);
    // The same ID on time matches: the first official RPI of the key.
    let on_time = dir.write(
        "on-time.csv",
        &format!("{ENCOUNTERS_HEADER}8be6cd371c5c891604bfbe49df845096,1585785600,-60\n"),
    );
    assert_eq!(
        matches(&gaen, &keys, &on_time, &[]),
        format!("{HEADER}0,2642976,0\n")
    );
}

#[test]
fn optional_columns_are_accepted() {
    let dir = TempDir::new("optional_columns");
    let scheme = Scheme::new(SchemeKind::B3, None).unwrap();
    let start = day_start(scheme, 1);
    let (a, b) = ("01".repeat(16), "02".repeat(16));
    let keys = dir.write(
        "keys.csv",
        &format!(
            "key,rolling_start,rolling_period,report_type,days_since_onset,transmission_risk\n\
             {a},{start},144,1,-2,5\n\
             {b},{start},144,,,\n"
        ),
    );
    let log = dir.write(
        "encounters.csv",
        &format!(
            "id,time,rssi,tx_power,duration\n\
             {},{},-61,-8,300\n\
             {},{},-62,,\n\
             {},{},-63,4,\n",
            id(scheme, &b, start, start + 70),
            at(scheme, start + 70, 10),
            id(scheme, &a, start, start + 71),
            at(scheme, start + 71, 20),
            id(scheme, &a, start, start + 72),
            at(scheme, start + 72, 30),
        ),
    );
    assert_eq!(
        matches(&["--scheme", "b3"], &keys, &log, &[]),
        format!(
            "{HEADER}0,{},1\n0,{},2\n1,{},0\n",
            start + 71,
            start + 72,
            start + 70
        )
    );
}

/// The files of the error tests: a valid `gaen` keys file and encounters
/// file, in a directory where each test writes its bad file.
struct BadFiles {
    dir: TempDir,
    keys: PathBuf,
    encounters: PathBuf,
}

impl BadFiles {
    /// The valid files, in a fresh directory for the test `test`.
    fn new(test: &str) -> Self {
        let dir = TempDir::new(test);
        let keys = dir.write(
            "keys.csv",
            &format!("{KEYS_HEADER}75c734c6dd1a782de7a965da5eb93125,2642976,144\n"),
        );
        let encounters = dir.write(
            "encounters.csv",
            &format!("{ENCOUNTERS_HEADER}8be6cd371c5c891604bfbe49df845096,1585785600,-60\n"),
        );
        Self {
            dir,
            keys,
            encounters,
        }
    }

    /// The arguments of `bluezone match --scheme gaen` on `keys` and
    /// `encounters`, then `extra`.
    fn args<'a>(keys: &'a Path, encounters: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
        [
            &[
                "match",
                "--scheme",
                "gaen",
                "--keys",
                text(keys),
                "--encounters",
                text(encounters),
            ][..],
            extra,
        ]
        .concat()
    }
}

#[test]
fn a_missing_keys_file_is_named() {
    let files = BadFiles::new("missing_keys");
    let missing = files.dir.0.join("missing.csv");
    fails(
        &BadFiles::args(&missing, &files.encounters, &[]),
        &format!("{}: cannot open the file: …", missing.display()),
    );
}

#[test]
fn a_bad_hex_key_names_its_line_and_column() {
    let files = BadFiles::new("bad_hex");
    let keys = files.dir.write(
        "keys.csv",
        &format!(
            "{KEYS_HEADER}75c734c6dd1a782de7a965da5eb93125,2642976,144\n\
             75c734c6dd1a782de7a965da5eb9312g,2642976,144\n"
        ),
    );
    fails(
        &BadFiles::args(&keys, &files.encounters, &[]),
        &format!(
            "{}:3: column key: invalid hex digit 'g' at position 32 (counting from 1)",
            keys.display()
        ),
    );
}

#[test]
fn a_bad_rssi_names_its_line_and_column() {
    let files = BadFiles::new("bad_rssi");
    let encounters = files.dir.write(
        "encounters.csv",
        &format!(
            "{ENCOUNTERS_HEADER}8be6cd371c5c891604bfbe49df845096,1585785600,-60\n\
             3c9a1de5dd6b02afa7fded7b570b3e56,1585786200,-200\n"
        ),
    );
    fails(
        &BadFiles::args(&files.keys, &encounters, &[]),
        &format!(
            "{}:3: column rssi: expected an RSSI in dBm from -128 to 127, found \"-200\"",
            encounters.display()
        ),
    );
}

#[test]
fn a_key_of_another_scheme_is_rejected() {
    let files = BadFiles::new("wrong_key_length");
    let keys = files.dir.write(
        "keys.csv",
        &format!(
            "{KEYS_HEADER}000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f,2642976,144\n"
        ),
    );
    fails(
        &BadFiles::args(&keys, &files.encounters, &[]),
        &format!(
            "{}:2: column key: expected 32 hex digits, found 64",
            keys.display()
        ),
    );
}

#[test]
fn bad_options_are_rejected() {
    let files = BadFiles::new("bad_options");
    let (keys, encounters) = (&files.keys, &files.encounters);
    fails(
        &BadFiles::args(keys, encounters, &["--tolerance", "90000"]),
        "invalid value '90000' for '--tolerance <SECS>': \
         expected a tolerance in seconds from 0 to 86400 (see bluezone --help)",
    );
    fails(
        &BadFiles::args(keys, encounters, &["--threads", "0"]),
        "invalid value '0' for '--threads <N>': \
         expected a number of threads from 1 to 1024 (see bluezone --help)",
    );
    fails(
        &[
            "match",
            "--scheme",
            "sha1",
            "--keys",
            text(keys),
            "--encounters",
            text(encounters),
        ],
        "invalid value 'sha1' for '--scheme <SCHEME>': \
         unknown scheme \"sha1\": expected one of gaen, bluezone, b3 (see bluezone --help)",
    );
    // The same files and options, corrected, succeed.
    assert_eq!(
        matches(
            &["--scheme", "gaen"],
            keys,
            encounters,
            &["--tolerance", "86400", "--threads", "1"]
        ),
        format!("{HEADER}0,2642976,0\n")
    );
}
