//! The contract of `bluezone keys` (inspect, convert, verify, export) and of
//! `bluezone match` over every key and encounter format: exact output where
//! it is deterministic, and one-line errors with a non-zero status and
//! nothing on standard output.
//!
//! The fixtures are those of the library, in
//! `crates/bluezone/tests/fixtures/{gaen,bluezone}/` (see their README
//! files). Every test writes its files into a directory of its own under the
//! system's temporary directory, and removes it when it ends.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixtures of the Exposure Notification export format.
const GAEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../bluezone/tests/fixtures/gaen"
);
/// The fixtures of the Bluezone app's formats.
const BLUEZONE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../bluezone/tests/fixtures/bluezone"
);

/// The header line of `bluezone match`'s output.
const MATCH_HEADER: &str = "key_index,interval,encounter_index\n";
/// The header line of a keys CSV with metadata, as `convert` writes it.
const KEYS_META_HEADER: &str =
    "key,rolling_start,rolling_period,report_type,days_since_onset,transmission_risk\n";

/// Key A of the Bluezone fixtures (the test-vector key of `docs/PROTOCOL.md`).
const BZ_A: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// Key B of the Bluezone fixtures.
const BZ_B: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

/// The matches of `f0_payload.json` against `data_trace.txt`, from the
/// fixtures' README.
const FIXTURE_MATCHES: &str = "key_index,interval,encounter_index\n\
                               0,2642977,1\n\
                               0,2643120,2\n\
                               0,2643324,5\n\
                               1,2643324,4\n";

/// A fixture of the export format.
fn gaen(name: &str) -> String {
    format!("{GAEN}/{name}")
}

/// A fixture of the Bluezone app's formats.
fn bluezone_fixture(name: &str) -> String {
    format!("{BLUEZONE}/{name}")
}

/// The signed sample export of Google's key server.
fn sample_zip() -> String {
    gaen("testExport-2-records-1-of-1.zip")
}

/// A directory of one test's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory for the test `name`.
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("bluezone-keys-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    /// The path of the file `name` in the directory, as text.
    fn path(&self, name: &str) -> String {
        self.0
            .join(name)
            .to_str()
            .expect("a UTF-8 temporary path")
            .to_owned()
    }

    /// Writes `bytes` to the file `name` in the directory, and returns its path.
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The names of the files in the directory, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the `bluezone` binary.
fn bluezone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bluezone"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs a command that must succeed quietly; returns its standard output.
fn ok(args: &[&str]) -> String {
    String::from_utf8(ok_bytes(args)).unwrap()
}

/// Runs a command that must succeed quietly; returns its standard output as
/// bytes.
fn ok_bytes(args: &[&str]) -> Vec<u8> {
    let out = bluezone(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    out.stdout
}

/// Runs a command that must fail with exit status `code`, and checks that it
/// printed nothing on standard output and exactly the line
/// `bluezone: error: {message}` on standard error, or a line that starts so
/// when `message` ends in `…`.
fn fails(args: &[&str], code: i32, message: &str) {
    let (status, stderr) = failure(args);
    assert_eq!(status, Some(code), "{args:?}: {stderr:?}");
    match message.strip_suffix('…') {
        Some(prefix) => assert!(
            stderr.starts_with(&format!("bluezone: error: {prefix}")),
            "{args:?}: {stderr:?} does not start with {prefix:?}"
        ),
        None => assert_eq!(stderr, format!("bluezone: error: {message}\n"), "{args:?}"),
    }
}

/// Runs a command that must fail with nothing on standard output and one
/// line on standard error; returns that line, with its `\n`.
fn fails_somehow(args: &[&str]) -> String {
    failure(args).1
}

/// Runs a command that must fail with nothing on standard output and one
/// line on standard error; returns its exit status and that line.
fn failure(args: &[&str]) -> (Option<i32>, String) {
    let out = bluezone(args);
    assert!(!out.status.success(), "{args:?} succeeded: {out:?}");
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    assert!(stderr.ends_with('\n'), "{args:?}: {stderr:?}");
    (out.status.code(), stderr)
}

/// `bluezone keys inspect` of `file`, with `extra` arguments.
fn inspect(file: &str, extra: &[&str]) -> String {
    ok(&[&["keys", "inspect", file][..], extra].concat())
}

/// `bluezone keys convert FILE --to csv -`: the keys of a file as CSV.
fn csv_of(file: &str) -> String {
    ok(&["keys", "convert", file, "--to", "csv", "-"])
}

/// `bluezone keys convert FILE --to TARGET OUT`, which prints nothing.
fn convert(file: &str, to: &str, out: &str) {
    assert_eq!(ok(&["keys", "convert", file, "--to", to, out]), "");
}

/// The IDs that `bluezone derive` prints for `count` intervals from `start`,
/// with the `--scheme` (and `--per-day`) arguments `scheme`.
fn derive(scheme: &[&str], key: &str, start: u32, count: u32) -> Vec<String> {
    let (first, count_text) = (start.to_string(), count.to_string());
    let args = [
        &["derive"][..],
        scheme,
        &["--key", key, "--start", &first, "--count", &count_text],
    ]
    .concat();
    ok(&args)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let (n, id) = line.split_once('\t').expect("a tab");
            assert_eq!(n.parse::<u32>().unwrap(), start + i as u32);
            id.to_owned()
        })
        .collect()
}

/// `bluezone match` of `keys` against `encounters` with the scheme
/// arguments `scheme`; must succeed quietly.
fn matches(scheme: &[&str], keys: &str, encounters: &str) -> String {
    ok(&[
        &["match"][..],
        scheme,
        &["--keys", keys, "--encounters", encounters],
    ]
    .concat())
}

/// The rows of a CSV, without its header line.
fn rows(csv: &str) -> &str {
    csv.split_once('\n').expect("a header line").1
}

// ---------------------------------------------------------------------------
// Zip surgery without a zip library: the central directory names every
// entry, its compressed data and its own record.

/// An entry of a zip archive, as byte ranges of the archive.
#[derive(Debug)]
struct ZipEntry {
    name: String,
    /// The entry's compressed data.
    data: Range<usize>,
    /// The entry's local header and data.
    local: Range<usize>,
    /// The entry's record in the central directory.
    central: Range<usize>,
}

fn u16_at(bytes: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> usize {
    usize::try_from(u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())).unwrap()
}

/// The entries of a zip archive without a comment, in the order of its
/// central directory.
fn zip_entries(zip: &[u8]) -> Vec<ZipEntry> {
    let eocd = zip.len() - 22;
    assert_eq!(
        &zip[eocd..eocd + 4],
        b"PK\x05\x06",
        "an archive without a comment"
    );
    let count = u16_at(zip, eocd + 10);
    let mut at = u32_at(zip, eocd + 16);
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02");
        let compressed = u32_at(zip, at + 20);
        let name_len = u16_at(zip, at + 28);
        let record = 46 + name_len + u16_at(zip, at + 30) + u16_at(zip, at + 32);
        let local = u32_at(zip, at + 42);
        assert_eq!(&zip[local..local + 4], b"PK\x03\x04");
        let data = local + 30 + u16_at(zip, local + 26) + u16_at(zip, local + 28);
        entries.push(ZipEntry {
            name: String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap(),
            data: data..data + compressed,
            local: local..data + compressed,
            central: at..at + record,
        });
        at += record;
    }
    entries
}

// ---------------------------------------------------------------------------
// 1. inspect

#[test]
fn inspect_the_signed_sample_export() {
    let zip = sample_zip();
    let head = "format: gaen-zip\n\
                keys: 2\n\
                scheme: gaen\n\
                span: 2020-05-19T20:20:00Z to 2020-05-20T15:30:00Z (intervals 2649866 to 2649980)\n\
                region: US\n\
                batch: 1 of 1\n";
    assert_eq!(
        inspect(&zip, &[]),
        format!("{head}signature: 1 signature(s), not checked (give --public-key)\n")
    );
    assert_eq!(
        inspect(&zip, &["--public-key", &gaen("public.pem")]),
        format!("{head}signature: valid (signature 1 of 1)\n")
    );
    // The test key pair did not sign it: inspect reports, and succeeds.
    assert_eq!(
        inspect(&zip, &["--public-key", &gaen("test-public.pem")]),
        format!("{head}signature: INVALID (1 signature(s), none verifies)\n")
    );
    // The scheme can be b3 (16-byte keys too), never bluezone.
    assert_eq!(
        inspect(&zip, &["--scheme", "b3"]),
        head.replace("scheme: gaen", "scheme: b3")
            + "signature: 1 signature(s), not checked (give --public-key)\n"
    );
    fails(
        &["keys", "inspect", &zip, "--scheme", "bluezone"],
        1,
        &format!(
            "scheme mismatch: {zip}: an Exposure Notification export holds 16-byte keys, not bluezone keys"
        ),
    );
}

#[test]
fn inspect_bare_export_bins() {
    assert_eq!(
        inspect(&gaen("internals-export.bin"), &[]),
        "format: gaen-bin\n\
         keys: 200\n\
         scheme: gaen\n\
         span: 2019-09-03T05:10:00Z to 2020-05-04T22:30:00Z (intervals 2612479 to 2647718)\n\
         region: US\n\
         batch: 1 of 1\n\
         signature: none\n"
    );
    // A public key changes nothing for a file without signature.
    assert_eq!(
        inspect(
            &gaen("internals-app-export.bin"),
            &["--public-key", &gaen("public.pem")]
        ),
        "format: gaen-bin\n\
         keys: 110\n\
         scheme: gaen\n\
         span: 2020-03-21T20:10:00Z to 2020-05-07T22:10:00Z (intervals 2641369 to 2648148)\n\
         region: US\n\
         batch: 1 of 1\n\
         signature: none\n"
    );
}

#[test]
fn inspect_bluezone_payloads() {
    assert_eq!(
        inspect(&bluezone_fixture("f0_payload.json"), &[]),
        "format: bluezone-payload\n\
         keys: 2\n\
         scheme: bluezone\n\
         span: 2020-04-02T00:00:00Z to 2020-04-05T00:00:00Z (intervals 2642976 to 2643407)\n\
         signature: none\n"
    );
    let dir = TempDir::new("inspect_payload");
    let payload = dir.write("f0-96.json", payload_96());
    assert_eq!(
        inspect(&payload, &[]),
        "format: bluezone-payload\n\
         keys: 2\n\
         scheme: bluezone (per_day 96)\n\
         span: 2020-04-02T00:00:00Z to 2020-04-05T00:00:00Z (intervals 1761984 to 1762271)\n\
         signature: none\n"
    );
}

#[test]
fn inspect_converted_bzk_csv_and_export_bin() {
    let dir = TempDir::new("inspect_converted");
    let source = gaen("internals-export.bin");
    let (bzk, csv, bin) = (dir.path("k.bzk"), dir.path("k.csv"), dir.path("k.bin"));
    convert(&source, "bzk", &bzk);
    convert(&source, "csv", &csv);
    convert(&source, "gaen", &bin);
    let span =
        "span: 2019-09-03T05:10:00Z to 2020-05-04T22:30:00Z (intervals 2612479 to 2647718)\n";
    assert_eq!(
        inspect(&bzk, &[]),
        format!("format: bzk\nkeys: 200\nscheme: gaen\n{span}signature: none\n")
    );
    assert_eq!(
        inspect(&csv, &[]),
        format!("format: csv\nkeys: 200\nscheme: gaen\n{span}signature: none\n")
    );
    // A converted export.bin keeps an export's region and time window.
    assert_eq!(
        inspect(&bin, &[]),
        format!(
            "format: gaen-bin\nkeys: 200\nscheme: gaen\n{span}region: US\nbatch: 1 of 1\nsignature: none\n"
        )
    );
    // A b3 batch keeps its scheme; a CSV takes the one given.
    let b3 = dir.path("b3.bzk");
    assert_eq!(
        ok(&[
            "keys", "convert", &csv, "--scheme", "b3", "--to", "bzk", &b3
        ]),
        ""
    );
    assert_eq!(
        inspect(&b3, &[]),
        format!("format: bzk\nkeys: 200\nscheme: b3\n{span}signature: none\n")
    );
    assert_eq!(
        inspect(&csv, &["--scheme", "b3"]),
        format!("format: csv\nkeys: 200\nscheme: b3\n{span}signature: none\n")
    );
    fails(
        &["keys", "inspect", &b3, "--scheme", "gaen"],
        1,
        &format!("scheme mismatch: {b3}: the batch holds b3 keys, not gaen keys"),
    );
    // A CSV of 32-byte keys is bluezone.
    let bz = dir.write(
        "bz.csv",
        format!("key,rolling_start,rolling_period\n{BZ_A},2642976,432\n"),
    );
    assert_eq!(
        inspect(&bz, &[]),
        "format: csv\n\
         keys: 1\n\
         scheme: bluezone\n\
         span: 2020-04-02T00:00:00Z to 2020-04-05T00:00:00Z (intervals 2642976 to 2643407)\n\
         signature: none\n"
    );
    // No keys: no span.
    let empty = dir.write("empty.csv", "key,rolling_start,rolling_period\n");
    assert_eq!(
        inspect(&empty, &[]),
        "format: csv\nkeys: 0\nscheme: gaen\nspan: none\nsignature: none\n"
    );
}

// ---------------------------------------------------------------------------
// 2. convert

/// A payload of keys A and B of the fixtures in 96 slots a day (900 s): A
/// for one day from 2020-04-02 (slot 1761984), B for one day from 2020-04-04
/// (slot 1762176).
fn payload_96() -> String {
    format!(
        "{{\"data\":[\
         {{\"daily_key\":\"{BZ_A}\",\"time_start\":1585785600,\"max\":96,\"time_end\":1585871100}},\
         {{\"daily_key\":\"{BZ_B}\",\"time_start\":1585958400,\"max\":96,\"time_end\":1586044200}}]}}\n"
    )
}

#[test]
fn gaen_keys_round_trip_through_every_format() {
    let dir = TempDir::new("round_trip_gaen");
    // A CSV with every metadata column, some cells empty.
    let own = dir.write(
        "own.csv",
        format!(
            "{KEYS_META_HEADER}\
             75c734c6dd1a782de7a965da5eb93125,2642976,144,1,-2,5\n\
             00112233445566778899aabbccddeeff,2642976,72,,,\n\
             ffeeddccbbaa99887766554433221100,2643120,144,2,0,\n"
        ),
    );
    let sources = [
        sample_zip(),
        gaen("internals-export.bin"),
        gaen("internals-app-export.bin"),
        own,
    ];
    for (n, source) in sources.iter().enumerate() {
        let csv = csv_of(source);
        let (via_csv, bzk, bin) = (
            dir.path(&format!("{n}.csv")),
            dir.path(&format!("{n}.bzk")),
            dir.path(&format!("{n}.bin")),
        );
        convert(source, "csv", &via_csv);
        convert(source, "bzk", &bzk);
        convert(source, "gaen", &bin);
        assert_eq!(std::fs::read_to_string(&via_csv).unwrap(), csv, "{source}");
        assert_eq!(csv_of(&via_csv), csv, "{source}: csv");
        assert_eq!(csv_of(&bzk), csv, "{source}: bzk");
        assert_eq!(csv_of(&bin), csv, "{source}: gaen");
        // The writers are deterministic, and a native batch is the same
        // bytes whatever the keys were read from; an export.bin keeps an
        // export's header, so it is the same bytes as the one converted from
        // an export.bin of the same keys.
        let bin_bytes = std::fs::read(&bin).unwrap();
        let bzk_bytes = std::fs::read(&bzk).unwrap();
        assert_eq!(
            ok_bytes(&["keys", "convert", &bin, "--to", "gaen", "-"]),
            bin_bytes,
            "{source}: export.bin to export.bin"
        );
        for other in [&via_csv, &bzk, &bin] {
            let once = ok_bytes(&["keys", "convert", other, "--to", "gaen", "-"]);
            let again = dir.path("again");
            convert(other, "gaen", &again);
            assert_eq!(std::fs::read(&again).unwrap(), once, "{source} via {other}");
            convert(other, "bzk", &again);
            assert_eq!(
                std::fs::read(&again).unwrap(),
                bzk_bytes,
                "{source} via {other}"
            );
        }
        // Standard output gets the same bytes as a file.
        assert_eq!(ok(&["keys", "convert", source, "--to", "csv", "-"]), csv);
    }
    assert_eq!(
        csv_of(&sample_zip()),
        format!(
            "{KEYS_META_HEADER}\
             172fc480e598490c34177604339b1543,2649980,1,,,8\n\
             2b63053ac483238de176169e861f3dcd,2649866,114,,,1\n"
        )
    );
    let internals = csv_of(&gaen("internals-export.bin"));
    assert_eq!(internals.lines().count(), 201);
    assert!(internals.starts_with(&format!(
        "{KEYS_META_HEADER}00068b4d1fb011b9c9ae2744419d4ab3,2625468,141,,,2\n"
    )));
}

#[test]
fn bluezone_keys_convert_to_csv_and_bzk_but_not_to_gaen() {
    let dir = TempDir::new("round_trip_bluezone");
    let payload = bluezone_fixture("f0_payload.json");
    let csv = csv_of(&payload);
    assert_eq!(
        csv,
        format!("key,rolling_start,rolling_period\n{BZ_A},2642976,432\n{BZ_B},2643264,144\n")
    );
    let (bzk, via_csv) = (dir.path("p.bzk"), dir.path("p.csv"));
    convert(&payload, "bzk", &bzk);
    convert(&payload, "csv", &via_csv);
    assert_eq!(csv_of(&bzk), csv);
    assert_eq!(csv_of(&via_csv), csv);
    assert_eq!(
        inspect(&bzk, &[]),
        "format: bzk\n\
         keys: 2\n\
         scheme: bluezone\n\
         span: 2020-04-02T00:00:00Z to 2020-04-05T00:00:00Z (intervals 2642976 to 2643407)\n\
         signature: none\n"
    );
    for source in [&payload, &bzk, &via_csv] {
        let mismatch = format!(
            "{source}: scheme mismatch: the export format holds the 16-byte keys of the gaen or b3 \
             scheme, not bluezone keys"
        );
        let out = dir.path("out.bin");
        fails(
            &["keys", "convert", source, "--to", "gaen", &out],
            1,
            &mismatch,
        );
        fails(
            &["keys", "convert", source, "--to", "gaen", "-"],
            1,
            &mismatch,
        );
        assert!(
            !Path::new(&out).exists(),
            "{source}: a failed convert wrote {out}"
        );
    }
}

#[test]
fn a_96_slot_payload_keeps_its_slots_in_a_bzk() {
    let dir = TempDir::new("payload_96");
    let payload = dir.write("f0-96.json", payload_96());
    let bzk = dir.path("p96.bzk");
    convert(&payload, "bzk", &bzk);
    let expected = "keys: 2\n\
                    scheme: bluezone (per_day 96)\n\
                    span: 2020-04-02T00:00:00Z to 2020-04-05T00:00:00Z (intervals 1761984 to 1762271)\n\
                    signature: none\n";
    assert_eq!(inspect(&bzk, &[]), format!("format: bzk\n{expected}"));
    assert_eq!(
        inspect(&payload, &[]),
        format!("format: bluezone-payload\n{expected}")
    );
    let csv = format!("key,rolling_start,rolling_period\n{BZ_A},1761984,96\n{BZ_B},1762176,96\n");
    assert_eq!(csv_of(&payload), csv);
    assert_eq!(csv_of(&bzk), csv);
    // The bzk round trip keeps the slots: bzk → bzk is byte for byte.
    let again = dir.path("again.bzk");
    convert(&bzk, "bzk", &again);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&bzk).unwrap());
    // A CSV does not say its slots: --per-day gives them to the batch.
    let via_csv = dir.write("p96.csv", &csv);
    let from_csv = dir.path("from-csv.bzk");
    assert_eq!(
        ok(&[
            "keys",
            "convert",
            &via_csv,
            "--to",
            "bzk",
            "--per-day",
            "96",
            &from_csv
        ]),
        ""
    );
    assert_eq!(
        std::fs::read(&from_csv).unwrap(),
        std::fs::read(&bzk).unwrap()
    );
}

/// `convert --per-day` that disagrees with the file's own slots per day is
/// taken silently: the slot numbers are relabelled, and the keys move to
/// another time (2003 instead of 2020), where `bluezone match` refuses the
/// same disagreement.
#[test]

fn convert_refuses_a_per_day_that_disagrees_with_the_file() {
    let dir = TempDir::new("convert_per_day_mismatch");
    let payload = dir.write("f0-96.json", payload_96());
    let out = dir.path("p.bzk");
    fails_somehow(&[
        "keys",
        "convert",
        &payload,
        "--to",
        "bzk",
        "--per-day",
        "144",
        &out,
    ]);
    assert!(!Path::new(&out).exists());
}

// ---------------------------------------------------------------------------
// 3. verify

#[test]
fn verify_exits_zero_only_for_a_valid_signature() {
    let dir = TempDir::new("verify");
    let zip = sample_zip();
    assert_eq!(
        ok(&["keys", "verify", &zip, "--public-key", &gaen("public.pem")]),
        "signature: valid (signature 1 of 1)\n"
    );
    let wrong = gaen("test-public.pem");
    fails(
        &["keys", "verify", &zip, "--public-key", &wrong],
        1,
        &format!("{zip}: the signature does not verify with {wrong} (1 signature(s), 0 malformed)"),
    );
    let missing = dir.path("missing.pem");
    fails(
        &["keys", "verify", &zip, "--public-key", &missing],
        1,
        &format!("{missing}: cannot read the public key: …"),
    );
    let garbage = dir.write("garbage.pem", "not a key\n");
    fails(
        &["keys", "verify", &zip, "--public-key", &garbage],
        1,
        &format!(
            "{garbage}: public key: expected a PEM block \"-----BEGIN PUBLIC KEY-----\" holding a \
             P-256 key: the text has no PEM block at all"
        ),
    );
    // A private key where the public key belongs.
    fails(
        &[
            "keys",
            "verify",
            &zip,
            "--public-key",
            &gaen("test-private-pkcs8.pem"),
        ],
        1,
        &format!(
            "{}: public key: expected a PEM block \"-----BEGIN PUBLIC KEY-----\" holding a P-256 \
             key: …",
            gaen("test-private-pkcs8.pem")
        ),
    );
    // Files without signature, whatever the key.
    let csv = dir.path("k.csv");
    convert(&zip, "csv", &csv);
    let bin = gaen("internals-export.bin");
    for (file, format) in [(&csv, "csv"), (&bin, "gaen-bin")] {
        fails(
            &["keys", "verify", file, "--public-key", &gaen("public.pem")],
            1,
            &format!("{file}: the file has no signature (it is a {format} file)"),
        );
    }
    fails(
        &["keys", "verify", &zip],
        2,
        "the following required arguments were not provided: --public-key <PEM> (see bluezone --help)",
    );
}

#[test]
fn verify_refuses_every_flipped_byte_of_the_signed_export_bin() {
    let dir = TempDir::new("verify_flipped");
    let zip = std::fs::read(sample_zip()).unwrap();
    let entries = zip_entries(&zip);
    let names: Vec<&str> = entries.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, ["export.bin", "export.sig"]);
    let data = entries[0].data.clone();
    assert_eq!(data, 40..175, "the sample's compressed export.bin");
    let path = dir.path("flipped.zip");
    let public_key = gaen("public.pem");
    for at in data {
        let mut flipped = zip.clone();
        flipped[at] ^= 0x80;
        std::fs::write(&path, &flipped).unwrap();
        let args = ["keys", "verify", &path, "--public-key", &public_key];
        let line = fails_somehow(&args);
        // The zip's checksum or the parser catches it; a change that got
        // past both would fail the signature.
        assert!(
            line.starts_with(&format!("bluezone: error: {path}/export.bin: byte "))
                || line.starts_with(&format!(
                    "bluezone: error: {path}: the signature does not verify"
                )),
            "byte {at}: {line:?}"
        );
    }
}

#[test]
fn verify_refuses_an_export_bin_that_another_signature_signed() {
    // Two exports of the same keys with different key IDs differ only inside
    // export.bin and export.sig; the first's export.bin in the second's
    // archive has a valid checksum but not the second's signature.
    let dir = TempDir::new("verify_swapped");
    let source = dir.write(
        "k.csv",
        "key,rolling_start,rolling_period\n\
         75c734c6dd1a782de7a965da5eb93125,2642976,144\n\
         00112233445566778899aabbccddeeff,2642976,72\n",
    );
    let private_key = gaen("test-private-pkcs8.pem");
    let public_key = gaen("test-public.pem");
    let (one, two) = (dir.path("one.zip"), dir.path("two.zip"));
    for (out, key_id) in [(&one, "1"), (&two, "2")] {
        assert_eq!(
            ok(&[
                "keys",
                "export",
                &source,
                "--private-key",
                &private_key,
                out,
                "--key-id",
                key_id
            ]),
            ""
        );
        assert_eq!(
            ok(&["keys", "verify", out, "--public-key", &public_key]),
            "signature: valid (signature 1 of 1)\n"
        );
    }
    let (one, two) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    let (a, b) = (zip_entries(&one), zip_entries(&two));
    assert_eq!(a[0].name, "export.bin");
    assert_eq!(
        a[0].local, b[0].local,
        "the same length, so that offsets stay"
    );
    assert_eq!(a[0].central.len(), b[0].central.len());
    assert_ne!(one[a[0].data.clone()], two[b[0].data.clone()]);
    let mut swapped = two.clone();
    swapped[b[0].local.clone()].copy_from_slice(&one[a[0].local.clone()]);
    swapped[b[0].central.clone()].copy_from_slice(&one[a[0].central.clone()]);
    let swapped = dir.write("swapped.zip", swapped);
    fails(
        &["keys", "verify", &swapped, "--public-key", &public_key],
        1,
        &format!(
            "{swapped}: the signature does not verify with {public_key} (1 signature(s), 0 malformed)"
        ),
    );
    assert_eq!(
        inspect(&swapped, &["--public-key", &public_key]),
        "format: gaen-zip\n\
         keys: 2\n\
         scheme: gaen\n\
         span: 2020-04-02T00:00:00Z to 2020-04-03T00:00:00Z (intervals 2642976 to 2643119)\n\
         batch: 1 of 1\n\
         signature: INVALID (1 signature(s), none verifies)\n"
    );
}

// ---------------------------------------------------------------------------
// 4. export

#[test]
fn export_splits_signs_and_keeps_every_key() {
    let dir = TempDir::new("export_split");
    let source = gaen("internals-export.bin");
    let out = dir.path("keys.zip");
    assert_eq!(
        ok(&[
            "keys",
            "export",
            &source,
            "--private-key",
            &gaen("test-private-pkcs8.pem"),
            &out,
            "--region",
            "VN",
            "--key-id",
            "452",
            "--max-keys-per-file",
            "64",
        ]),
        ""
    );
    // 200 keys, 64 a file: four files beside OUT, and not OUT itself.
    assert_eq!(
        dir.names(),
        [
            "keys-1-of-4.zip",
            "keys-2-of-4.zip",
            "keys-3-of-4.zip",
            "keys-4-of-4.zip"
        ]
    );
    let public_key = gaen("test-public.pem");
    let spans = [
        (
            64,
            "2019-09-03T05:10:00Z to 2020-05-04T22:30:00Z (intervals 2612479 to 2647718)",
        ),
        (
            64,
            "2019-09-08T01:30:00Z to 2020-05-04T21:50:00Z (intervals 2613177 to 2647714)",
        ),
        (
            64,
            "2019-09-04T04:30:00Z to 2020-05-04T22:30:00Z (intervals 2612619 to 2647718)",
        ),
        (
            8,
            "2019-09-19T01:20:00Z to 2020-04-27T11:50:00Z (intervals 2614760 to 2646646)",
        ),
    ];
    let mut keys = String::new();
    for (k, (count, span)) in spans.iter().enumerate() {
        let file = dir.path(&format!("keys-{}-of-4.zip", k + 1));
        assert_eq!(
            ok(&["keys", "verify", &file, "--public-key", &public_key]),
            "signature: valid (signature 1 of 1)\n"
        );
        assert_eq!(
            inspect(&file, &["--public-key", &public_key]),
            format!(
                "format: gaen-zip\nkeys: {count}\nscheme: gaen\nspan: {span}\n\
                 region: VN\nbatch: {} of 4\nsignature: valid (signature 1 of 1)\n",
                k + 1
            )
        );
        // Google's key did not sign them.
        fails(
            &["keys", "verify", &file, "--public-key", &gaen("public.pem")],
            1,
            &format!("{file}: the signature does not verify with …"),
        );
        keys.push_str(rows(&csv_of(&file)));
    }
    // Together, the source's keys in the source's order.
    assert_eq!(keys, rows(&csv_of(&source)));
}

#[test]
fn export_writes_one_file_when_the_keys_fit() {
    let dir = TempDir::new("export_one");
    let source = gaen("internals-export.bin");
    let public_key = gaen("test-public.pem");
    // PKCS#8 and SEC1 are the same key, and signing is deterministic.
    let mut written = Vec::new();
    for (name, private_key) in [
        ("pkcs8.zip", "test-private-pkcs8.pem"),
        ("sec1.zip", "test-private-sec1.pem"),
    ] {
        let out = dir.path(name);
        assert_eq!(
            ok(&[
                "keys",
                "export",
                &source,
                "--private-key",
                &gaen(private_key),
                &out
            ]),
            ""
        );
        assert_eq!(
            inspect(&out, &["--public-key", &public_key]),
            "format: gaen-zip\n\
             keys: 200\n\
             scheme: gaen\n\
             span: 2019-09-03T05:10:00Z to 2020-05-04T22:30:00Z (intervals 2612479 to 2647718)\n\
             batch: 1 of 1\n\
             signature: valid (signature 1 of 1)\n"
        );
        assert_eq!(csv_of(&out), csv_of(&source));
        written.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(written[0], written[1]);
    assert_eq!(dir.names(), ["pkcs8.zip", "sec1.zip"]);
    // A zip of 200 keys with at most 200 a file is still one file.
    let out = dir.path("exact.zip");
    assert_eq!(
        ok(&[
            "keys",
            "export",
            &source,
            "--private-key",
            &gaen("test-private-pkcs8.pem"),
            &out,
            "--max-keys-per-file",
            "200",
        ]),
        ""
    );
    assert_eq!(std::fs::read(&out).unwrap(), written[0]);
}

#[test]
fn export_refuses_bad_keys_and_bad_private_keys() {
    let dir = TempDir::new("export_errors");
    let source = gaen("internals-export.bin");
    fails(
        &[
            "keys",
            "export",
            &source,
            "--private-key",
            &gaen("test-public.pem"),
            &dir.path("a.zip"),
        ],
        1,
        &format!(
            "{}: signing key: expected a PEM block \"-----BEGIN PRIVATE KEY-----\" or \
             \"-----BEGIN EC PRIVATE KEY-----\" holding a P-256 key: …",
            gaen("test-public.pem")
        ),
    );
    let missing = dir.path("missing.pem");
    fails(
        &[
            "keys",
            "export",
            &source,
            "--private-key",
            &missing,
            &dir.path("b.zip"),
        ],
        1,
        &format!("{missing}: cannot read the private key: …"),
    );
    fails(
        &[
            "keys",
            "export",
            &bluezone_fixture("f0_payload.json"),
            "--private-key",
            &gaen("test-private-pkcs8.pem"),
            &dir.path("c.zip"),
        ],
        1,
        &format!(
            "{}: scheme mismatch: the export format holds the 16-byte keys of the gaen or b3 \
             scheme, not bluezone keys",
            bluezone_fixture("f0_payload.json")
        ),
    );
    fails(
        &[
            "keys",
            "export",
            &source,
            "--private-key",
            &gaen("test-private-pkcs8.pem"),
            &dir.path("d.zip"),
            "--max-keys-per-file",
            "0",
        ],
        2,
        "invalid value '0' for '--max-keys-per-file <N>': …",
    );
}

/// A failed `keys export` leaves an empty zip behind when the private key
/// or the keys are refused: the file is created before the export is
/// written.
#[test]

fn a_failed_export_leaves_no_file() {
    let dir = TempDir::new("export_no_file");
    let out = dir.path("a.zip");
    fails_somehow(&[
        "keys",
        "export",
        &gaen("internals-export.bin"),
        "--private-key",
        &gaen("test-public.pem"),
        &out,
    ]);
    fails_somehow(&[
        "keys",
        "export",
        &bluezone_fixture("f0_payload.json"),
        "--private-key",
        &gaen("test-private-pkcs8.pem"),
        &out,
    ]);
    assert_eq!(dir.names(), Vec::<String>::new());
}

/// `keys inspect --public-key` with a bad PEM prints the lines before the
/// signature line, then fails.
#[test]

fn inspect_with_a_bad_public_key_prints_nothing() {
    let dir = TempDir::new("inspect_bad_pem");
    let garbage = dir.write("garbage.pem", "not a key\n");
    fails_somehow(&["keys", "inspect", &sample_zip(), "--public-key", &garbage]);
}

// ---------------------------------------------------------------------------
// 5. match over the formats

#[test]
fn the_bluezone_fixtures_match_in_every_key_format() {
    let dir = TempDir::new("match_bluezone");
    let payload = bluezone_fixture("f0_payload.json");
    let trace = bluezone_fixture("data_trace.txt");
    let (bzk, csv) = (dir.path("p.bzk"), dir.path("p.csv"));
    convert(&payload, "bzk", &bzk);
    convert(&payload, "csv", &csv);
    let scheme = ["--scheme", "bluezone"];
    for keys in [&payload, &bzk, &csv] {
        assert_eq!(matches(&scheme, keys, &trace), FIXTURE_MATCHES, "{keys}");
        assert_eq!(
            matches(&["--scheme", "bluezone", "--per-day", "144"], keys, &trace),
            FIXTURE_MATCHES,
            "{keys}"
        );
    }
    // The same log as an encounters CSV.
    let mut log = "id,time,rssi\n".to_owned();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let millis: i64 = fields[3].parse().unwrap();
        writeln!(
            log,
            "{},{},{}",
            fields[1],
            millis.div_euclid(1000),
            fields[2]
        )
        .unwrap();
    }
    let log = dir.write("encounters.csv", log);
    assert_eq!(matches(&scheme, &payload, &log), FIXTURE_MATCHES);
    // A file of 144 slots a day does not take another --per-day.
    for keys in [&payload, &bzk] {
        fails(
            &[
                "match",
                "--scheme",
                "bluezone",
                "--per-day",
                "96",
                "--keys",
                keys,
                "--encounters",
                &trace,
            ],
            2,
            &format!("--per-day: 96 slots per day, but {keys} has keys of 144"),
        );
    }
    // The keys are not keys of another scheme, nor the trace's IDs.
    fails(
        &[
            "match",
            "--scheme",
            "gaen",
            "--keys",
            &bzk,
            "--encounters",
            &trace,
        ],
        1,
        &format!("scheme mismatch: {bzk}: the batch holds bluezone keys, not gaen keys"),
    );
    fails(
        &[
            "match",
            "--scheme",
            "b3",
            "--keys",
            &payload,
            "--encounters",
            &trace,
        ],
        1,
        &format!("scheme mismatch: {payload}: a Bluezone payload holds bluezone keys, not b3 keys"),
    );
    fails(
        &[
            "match",
            "--scheme",
            "gaen",
            "--keys",
            &sample_zip(),
            "--encounters",
            &trace,
        ],
        1,
        &format!(
            "{trace}: a Bluezone trace holds the bluezone scheme's 12-byte IDs, not 16-byte IDs"
        ),
    );
}

#[test]
fn a_96_slot_file_matches_in_its_own_slots() {
    let dir = TempDir::new("match_96");
    let payload = dir.write("f0-96.json", payload_96());
    let bzk = dir.path("p96.bzk");
    convert(&payload, "bzk", &bzk);
    let csv = dir.path("p96.csv");
    convert(&payload, "csv", &csv);
    // A's ID of slot 1761994 (900 s slots), heard 5 s into it; B's of slot
    // 1762200, heard 899 s into it; A's of slot 1762080, past its one-day
    // window.
    let per_96 = ["--scheme", "bluezone", "--per-day", "96"];
    let a = derive(&per_96, BZ_A, 1_761_984, 97);
    let b = derive(&per_96, BZ_B, 1_762_176, 96);
    let line = |id: &str, slot: u64, offset: u64| {
        format!(
            "00112233445566778899aabb\t{id}\t-60\t{}\n",
            (slot * 900 + offset) * 1000
        )
    };
    let trace = dir.write(
        "data_trace.txt",
        [
            line(&b[24], 1_762_200, 899),
            line(&a[10], 1_761_994, 5),
            line(&a[96], 1_762_080, 5),
        ]
        .concat(),
    );
    let expected = format!("{MATCH_HEADER}0,1761994,1\n1,1762200,0\n");
    let scheme = ["--scheme", "bluezone"];
    assert_eq!(matches(&scheme, &payload, &trace), expected);
    assert_eq!(matches(&scheme, &bzk, &trace), expected);
    assert_eq!(matches(&per_96, &payload, &trace), expected);
    // A CSV does not say its slots: 144 unless --per-day says 96.
    assert_eq!(matches(&scheme, &csv, &trace), MATCH_HEADER);
    assert_eq!(matches(&per_96, &csv, &trace), expected);
    for keys in [&payload, &bzk] {
        fails(
            &[
                "match",
                "--scheme",
                "bluezone",
                "--per-day",
                "144",
                "--keys",
                keys,
                "--encounters",
                &trace,
            ],
            2,
            &format!("--per-day: 144 slots per day, but {keys} has keys of 96"),
        );
    }
}

#[test]
fn a_signed_gaen_export_matches_like_its_csv() {
    let dir = TempDir::new("match_gaen");
    let (k0, k1, k2) = (
        "75c734c6dd1a782de7a965da5eb93125",
        "00112233445566778899aabbccddeeff",
        "ffeeddccbbaa99887766554433221100",
    );
    let (d0, d1) = (2_642_976, 2_643_120);
    let csv = dir.write(
        "keys.csv",
        format!("{KEYS_META_HEADER}{k0},{d0},144,1,-2,5\n{k1},{d0},72,,,\n{k2},{d1},144,2,0,\n"),
    );
    let gaen_scheme = ["--scheme", "gaen"];
    let id0 = derive(&gaen_scheme, k0, d0, 144);
    let id1 = derive(&gaen_scheme, k1, d0, 73);
    let id2 = derive(&gaen_scheme, k2, d1, 144);
    // The official RPI of the test key's first interval.
    assert_eq!(id0[0], "8be6cd371c5c891604bfbe49df845096");
    let at = |interval: u32, offset: i64| i64::from(interval) * 600 + offset;
    let sightings = [
        (id0[10].as_str(), at(d0 + 10, 30)), // 0: k0, on time
        ("0123456789abcdef0123456789abcdef", at(d0 + 10, 30)), // 1: nobody
        (id1[71].as_str(), at(d0 + 71, 599)), // 2: k1, last of its window
        (id1[72].as_str(), at(d0 + 72, 0)),  // 3: k1, past its window
        (id2[100].as_str(), at(d1 + 100, -7_200)), // 4: k2, at the tolerance
        (id0[10].as_str(), at(d0 + 11, 7_200)), // 5: k0, too late
        (id0[143].as_str(), at(d0 + 143, 0)), // 6: k0, last interval
    ];
    let mut log = "id,time,rssi\n".to_owned();
    for (id, time) in sightings {
        writeln!(log, "{id},{time},-60").unwrap();
    }
    let log = dir.write("encounters.csv", log);
    let expected = format!(
        "{MATCH_HEADER}0,{},0\n0,{},6\n1,{},2\n2,{},4\n",
        d0 + 10,
        d0 + 143,
        d0 + 71,
        d1 + 100
    );
    assert_eq!(matches(&gaen_scheme, &csv, &log), expected);

    let zip = dir.path("keys.zip");
    assert_eq!(
        ok(&[
            "keys",
            "export",
            &csv,
            "--private-key",
            &gaen("test-private-pkcs8.pem"),
            &zip,
            "--region",
            "VN"
        ]),
        ""
    );
    assert_eq!(
        ok(&[
            "keys",
            "verify",
            &zip,
            "--public-key",
            &gaen("test-public.pem")
        ]),
        "signature: valid (signature 1 of 1)\n"
    );
    assert_eq!(csv_of(&zip), std::fs::read_to_string(&csv).unwrap());
    let (bin, bzk) = (dir.path("keys.bin"), dir.path("keys.bzk"));
    convert(&zip, "gaen", &bin);
    convert(&zip, "bzk", &bzk);
    for keys in [&zip, &bin, &bzk] {
        assert_eq!(matches(&gaen_scheme, keys, &log), expected, "{keys}");
    }
}

#[test]
fn a_key_of_the_fixture_export_matches_at_its_row() {
    let dir = TempDir::new("match_internals");
    let source = gaen("internals-export.bin");
    // Row 3 of the export: 0118fdce02ca52a07acca480bc9507b2, 2647305, 107.
    let row = csv_of(&source).lines().nth(4).unwrap().to_owned();
    assert_eq!(row, "0118fdce02ca52a07acca480bc9507b2,2647305,107,,,1");
    let ids = derive(
        &["--scheme", "gaen"],
        "0118fdce02ca52a07acca480bc9507b2",
        2_647_305,
        107,
    );
    let log = dir.write(
        "encounters.csv",
        format!(
            "id,time,rssi\n{},{},-70\n{},{},-70\n",
            ids[5],
            (2_647_305 + 5) * 600 + 1,
            ids[106],
            (2_647_305 + 106) * 600 + 1
        ),
    );
    let bzk = dir.path("k.bzk");
    convert(&source, "bzk", &bzk);
    let expected = format!("{MATCH_HEADER}3,2647310,0\n3,2647411,1\n");
    for keys in [&source, &bzk] {
        assert_eq!(
            matches(&["--scheme", "gaen"], keys, &log),
            expected,
            "{keys}"
        );
    }
}

// ---------------------------------------------------------------------------
// 6. malformed inputs

/// Checks that every way of reading the key file `file` fails with
/// `message`: inspect, convert, verify, export, and match with `scheme`
/// (against the Bluezone trace for `bluezone`, an encounters CSV in `dir`
/// otherwise).
fn every_reader_fails(dir: &TempDir, file: &str, message: &str, scheme: &str) {
    let (public_key, private_key) = (gaen("public.pem"), gaen("test-private-pkcs8.pem"));
    let out = dir.path("out.zip");
    let encounters = if scheme == "bluezone" {
        bluezone_fixture("data_trace.txt")
    } else {
        dir.path("encounters.csv")
    };
    let readers: [&[&str]; 5] = [
        &["keys", "inspect", file],
        &["keys", "convert", file, "--to", "csv", "-"],
        &["keys", "verify", file, "--public-key", &public_key],
        &["keys", "export", file, "--private-key", &private_key, &out],
        &[
            "match",
            "--scheme",
            scheme,
            "--keys",
            file,
            "--encounters",
            &encounters,
        ],
    ];
    for args in readers {
        fails(args, 1, message);
    }
}

#[test]
fn malformed_key_files_fail_with_one_line() {
    let dir = TempDir::new("malformed_keys");
    dir.write(
        "encounters.csv",
        "id,time,rssi\n8be6cd371c5c891604bfbe49df845096,1585785600,-60\n",
    );
    let zip = std::fs::read(sample_zip()).unwrap();

    // A zip cut short: its directory is gone.
    for len in [4, 300, zip.len() - 1] {
        let cut = dir.write(&format!("cut-{len}.zip"), &zip[..len]);
        every_reader_fails(
            &dir,
            &cut,
            &format!("{cut}: not a valid zip file: invalid Zip archive: …"),
            "gaen",
        );
    }

    // Random bytes: not a zip, an export, a batch or a payload, so a CSV.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let random: Vec<u8> = (0..1000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let random = dir.write("random.bin", random);
    every_reader_fails(
        &dir,
        &random,
        &format!(
            "{random}: not a key file of a known format (an Exposure Notification export, a \
             native batch, a Bluezone payload or a keys CSV)"
        ),
        "gaen",
    );

    // A batch with one flipped bit in its records, and one cut short.
    let bzk = dir.path("k.bzk");
    convert(&gaen("internals-export.bin"), "bzk", &bzk);
    let mut bytes = std::fs::read(&bzk).unwrap();
    bytes[64 + 100] ^= 1;
    let flipped = dir.write("flipped.bzk", &bytes);
    every_reader_fails(
        &dir,
        &flipped,
        &format!(
            "{flipped}: byte 24: column hash: the records do not match the header's BLAKE3 hash: \
             the file is damaged"
        ),
        "gaen",
    );
    bytes[64 + 100] ^= 1;
    let cut = dir.write("cut.bzk", &bytes[..bytes.len() - 1]);
    every_reader_fails(
        &dir,
        &cut,
        &format!(
            "{cut}: byte 16: column count: the header counts 200 records (6400 bytes) but the file \
             holds 6399 bytes of records: it is truncated"
        ),
        "gaen",
    );

    // An export.bin cut short.
    let bin = std::fs::read(gaen("internals-export.bin")).unwrap();
    let cut_bin = dir.write("cut.bin", &bin[..bin.len() - 3]);
    every_reader_fails(&dir, &cut_bin, &format!("{cut_bin}: byte …"), "gaen");

    // Payloads with a bad key.
    let payload = std::fs::read_to_string(bluezone_fixture("f0_payload.json")).unwrap();
    let bad_digit = dir.write(
        "bad-digit.json",
        payload.replacen("\"000102", "\"0g0102", 1),
    );
    every_reader_fails(
        &dir,
        &bad_digit,
        &format!(
            "{bad_digit}: column data[0].daily_key: invalid hex digit 'g' at position 2 (counting from 1)"
        ),
        "bluezone",
    );
    let short = dir.write("short.json", payload.replacen(BZ_B, "2021", 1));
    every_reader_fails(
        &dir,
        &short,
        &format!("{short}: column data[1].daily_key: expected 64 hex digits, found 4"),
        "bluezone",
    );

    // An empty file.
    let empty = dir.write("empty", "");
    every_reader_fails(
        &dir,
        &empty,
        &format!(
            "{empty}: expected the header line \"key,rolling_start,rolling_period\", found an empty file"
        ),
        "gaen",
    );
    // A missing file.
    let missing = dir.path("missing.zip");
    every_reader_fails(
        &dir,
        &missing,
        &format!("{missing}: cannot open the file: …"),
        "gaen",
    );
}

#[test]
fn malformed_traces_fail_with_one_line() {
    let dir = TempDir::new("malformed_trace");
    let payload = bluezone_fixture("f0_payload.json");
    let trace = std::fs::read_to_string(bluezone_fixture("data_trace.txt")).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let with_line_3 = |line: String| {
        let mut text = String::new();
        for (n, original) in lines.iter().enumerate() {
            text.push_str(if n == 2 { &line } else { original });
            text.push('\n');
        }
        text
    };
    let third: Vec<&str> = lines[2].split('\t').collect();
    let cases = [
        (
            format!("{}\t{}\t-800\t{}", third[0], third[1], third[3]),
            "column rssi: expected an RSSI in dBm from -128 to 127, found \"-800\"",
        ),
        (
            format!(
                "{}\t{}x\t{}\t{}",
                third[0],
                &third[1][1..],
                third[2],
                third[3]
            ),
            "column contact_id: invalid hex digit 'x' at position 24 (counting from 1)",
        ),
        (
            format!("{}\t{}\t{}", third[0], third[1], third[2]),
            "expected 4 tab-separated fields (own_id, contact_id, rssi, timestamp), found 3",
        ),
    ];
    for (n, (line, message)) in cases.into_iter().enumerate() {
        let bad = dir.write(&format!("trace-{n}.txt"), with_line_3(line));
        fails(
            &[
                "match",
                "--scheme",
                "bluezone",
                "--keys",
                &payload,
                "--encounters",
                &bad,
            ],
            1,
            &format!("{bad}:3: {message}"),
        );
    }
    // The unchanged lines match as the fixture does.
    let good = dir.write("good.txt", with_line_3(lines[2].to_owned()));
    assert_eq!(
        matches(&["--scheme", "bluezone"], &payload, &good),
        FIXTURE_MATCHES
    );
}
