//! The `bluezone` command's contract: output that other tools parse, and
//! one-line errors with a non-zero status.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

const TEK: &str = "75c734c6dd1a782de7a965da5eb93125";
const BZ_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn bluezone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bluezone"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = bluezone(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Parses `N<TAB>ID_HEX` lines.
fn lines(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .map(|line| {
            let (n, id) = line.split_once('\t').expect("a tab");
            (n.parse().unwrap(), id.to_owned())
        })
        .collect()
}

/// The official RPIs, read from the vectors file without a JSON parser.
fn official_rpis() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/gaen_official.json"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .split("\"rpi\": \"")
        .skip(1)
        .map(|rest| rest[..32].to_owned())
        .collect()
}

#[test]
fn derive_prints_the_official_gaen_rpis() {
    let out = lines(&stdout(&[
        "derive", "--scheme", "gaen", "--key", TEK, "--start", "2642976",
    ]));
    let official = official_rpis();
    assert_eq!(official.len(), 144);
    assert_eq!(out.len(), 144, "a day by default");
    for (i, ((n, id), rpi)) in out.iter().zip(&official).enumerate() {
        assert_eq!(*n, 2_642_976 + i as u32);
        assert_eq!(id, rpi);
    }
}

#[test]
fn uppercase_keys_are_accepted() {
    let lower = stdout(&[
        "derive", "--scheme", "b3", "--key", TEK, "--start", "7", "--count", "2",
    ]);
    let upper = stdout(&[
        "derive",
        "--scheme",
        "b3",
        "--key",
        &TEK.to_uppercase(),
        "--start",
        "7",
        "--count",
        "2",
    ]);
    assert_eq!(lower, upper);
}

#[test]
fn bluezone_days_have_per_day_slots_and_chain() {
    let day = lines(&stdout(&[
        "derive",
        "--scheme",
        "bluezone",
        "--per-day",
        "96",
        "--key",
        BZ_KEY,
        "--start",
        "5000",
    ]));
    assert_eq!(day.len(), 96);
    let two_days = lines(&stdout(&[
        "derive",
        "--scheme",
        "bluezone",
        "--per-day",
        "96",
        "--key",
        BZ_KEY,
        "--start",
        "5000",
        "--count",
        "192",
    ]));
    assert_eq!(&two_days[..96], &day[..]);
    // The second day is the first day of the next daily key, SHA-256(D).
    let next_key = "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd";
    let next_day = lines(&stdout(&[
        "derive",
        "--scheme",
        "bluezone",
        "--per-day",
        "96",
        "--key",
        next_key,
        "--start",
        "5096",
    ]));
    assert_eq!(&two_days[96..], &next_day[..]);
}

#[test]
fn the_last_interval_number_is_reachable() {
    let out = lines(&stdout(&[
        "derive",
        "--scheme",
        "gaen",
        "--key",
        TEK,
        "--start",
        "4294967295",
        "--count",
        "1",
    ]));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, u32::MAX);
}

/// Runs a command that must fail, and checks the one-line error.
fn fails(args: &[&str], needle: &str) {
    let out = bluezone(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(stderr.starts_with("bluezone: error: "), "{stderr:?}");
    assert!(
        stderr.contains(needle),
        "{args:?}: {stderr:?} lacks {needle:?}"
    );
}

#[test]
fn bad_input_gives_one_line_and_a_non_zero_status() {
    let d = ["derive", "--scheme"];
    fails(
        &[&d[..], &["gaen", "--key", "abc", "--start", "1"]].concat(),
        "expected 32 hex digits, found 3 (a gaen key is 16 bytes)",
    );
    fails(
        &[
            &d[..],
            &[
                "gaen",
                "--key",
                "75c734c6dd1a782de7a965da5eb9312g",
                "--start",
                "1",
            ],
        ]
        .concat(),
        "invalid hex digit 'g' at position 32",
    );
    fails(
        &[&d[..], &["bluezone", "--key", TEK, "--start", "1"]].concat(),
        "expected 64 hex digits, found 32 (a bluezone key is 32 bytes)",
    );
    fails(
        &[&d[..], &["sha1", "--key", TEK, "--start", "1"]].concat(),
        "unknown scheme \"sha1\": expected one of gaen, bluezone, b3",
    );
    fails(
        &[&d[..], &["b3", "--key", TEK, "--start", "-1"]].concat(),
        "expected an interval number from 0 to 4294967295",
    );
    fails(
        &[&d[..], &["b3", "--key", TEK, "--start", "4294967296"]].concat(),
        "expected an interval number",
    );
    fails(
        &[&d[..], &["b3", "--key", TEK, "--start", "ten"]].concat(),
        "expected an interval number",
    );
    fails(
        &[
            &d[..],
            &["b3", "--key", TEK, "--start", "1", "--count", "0"],
        ]
        .concat(),
        "expected a count from 1",
    );
    fails(
        &[
            &d[..],
            &["b3", "--key", TEK, "--start", "4294967295", "--count", "2"],
        ]
        .concat(),
        "2 intervals from 4294967295 run past the largest interval number",
    );
    fails(
        &[
            &d[..],
            &[
                "bluezone",
                "--key",
                BZ_KEY,
                "--start",
                "1",
                "--per-day",
                "7",
            ],
        ]
        .concat(),
        "per_day must be a divisor of 86400",
    );
    fails(
        &[
            &d[..],
            &["gaen", "--key", TEK, "--start", "1", "--per-day", "96"],
        ]
        .concat(),
        "per_day applies to the bluezone scheme",
    );
    fails(
        &[
            &d[..],
            &[
                "bluezone", "--key", BZ_KEY, "--start", "0", "--count", "600000",
            ],
        ]
        .concat(),
        "chains at most 3653 days",
    );
    fails(&[&d[..], &["gaen", "--start", "1"]].concat(), "--key");
    fails(&["derive"], "required");
    fails(&["frobnicate"], "frobnicate");
}

#[test]
fn keygen_prints_fresh_keys_of_the_scheme_length() {
    let a = stdout(&["keygen", "--scheme", "gaen"]);
    let b = stdout(&["keygen", "--scheme", "gaen"]);
    assert_eq!(a.trim().len(), 32);
    assert_ne!(a, b);
    assert_eq!(stdout(&["keygen", "--scheme", "bluezone"]).trim().len(), 64);
    // A generated key is accepted by derive.
    stdout(&[
        "derive",
        "--scheme",
        "b3",
        "--key",
        a.trim(),
        "--start",
        "0",
        "--count",
        "1",
    ]);
}

#[test]
fn demo_prints_a_day_of_ids_then_matches_a_national_day() {
    let out = stdout(&["demo", "--keys", "3000"]);
    let (comments, ids): (Vec<&str>, Vec<&str>) = out.lines().partition(|l| l.starts_with('#'));
    assert_eq!(&comments[2], &"# interval\tid");
    let ids = lines(&ids.join("\n"));
    assert_eq!(ids.len(), 144);
    assert_eq!(ids[0].0 % 144, 0, "the day starts at UTC midnight");
    assert!(
        ids.windows(2)
            .all(|w| w[1].0 == w[0].0 + 1 && w[1].1 != w[0].1)
    );
    // The key it printed derives the same IDs.
    let key = comments[1].strip_prefix("# key ").unwrap();
    let again = lines(&stdout(&[
        "derive",
        "--scheme",
        "b3",
        "--key",
        key,
        "--start",
        &ids[0].0.to_string(),
    ]));
    assert_eq!(again, ids);

    // Then the national day: 3,000 keys, the planted exposures by day.
    let matching = comments[3..].join("\n");
    assert!(
        matching.contains("# a national day: 3,000 published b3 keys"),
        "{matching}"
    );
    assert!(
        matching.contains("# exposures: 100 matching sightings of 25 diagnosed users' keys"),
        "{matching}"
    );
    let days: Vec<&&str> = comments
        .iter()
        .filter(|l| l.starts_with("# 2026-11-"))
        .collect();
    assert!(!days.is_empty() && days.len() <= 14, "{matching}");
    let sightings: usize = days
        .iter()
        .map(|l| {
            l.split_whitespace()
                .nth(3)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(sightings, 100, "{matching}");
    assert!(
        comments
            .last()
            .unwrap()
            .starts_with("# exactly the 25 planted encounters (100 sightings) were found"),
        "{matching}"
    );

    let bz = stdout(&[
        "demo",
        "--scheme",
        "bluezone",
        "--per-day",
        "96",
        "--keys",
        "500",
        "--threads",
        "1",
    ]);
    assert_eq!(bz.lines().filter(|l| !l.starts_with('#')).count(), 96);
    assert!(
        bz.contains("500 published bluezone(96) keys") || bz.contains("500 published bluezone"),
        "{bz}"
    );
    assert!(bz.contains(" on 1 thread\n"), "{bz}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bluezone"))
        .args([
            "derive",
            "--scheme",
            "b3",
            "--key",
            TEK,
            "--start",
            "0",
            "--count",
            "4294967296",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("0\t"));
    // The reader is dropped here; the writer must stop without an error.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stderr.is_empty());
}

#[test]
fn help_and_version_succeed() {
    assert!(stdout(&["--help"]).contains("derive"));
    assert!(stdout(&["derive", "--help"]).contains("--per-day"));
    assert!(stdout(&["--version"]).starts_with("bluezone "));
}
