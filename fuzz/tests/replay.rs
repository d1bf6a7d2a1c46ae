//! Replays the seed corpus and the regression inputs through the targets'
//! checks, on stable and without a sanitizer: `cargo test` in `fuzz/`.
//!
//! The seeds (`corpus/<target>/seed-*`) must pass. A regression input
//! (`regressions/<target>/*`) is a crash that a fuzz run found; it is
//! listed here, with its panic, until the library is fixed, and then it
//! must pass like a seed.

use std::path::{Path, PathBuf};

use bluezone_fuzz::targets;

/// A target's check, as its `fuzz_target!` calls it.
type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 9] = [
    ("keys_csv", targets::keys_csv),
    ("encounters_csv", targets::encounters_csv),
    ("bzk", targets::bzk),
    ("gaen_export_bin", targets::gaen_export_bin),
    ("gaen_export_zip", targets::gaen_export_zip),
    ("bluezone_payload", targets::bluezone_payload),
    ("bluezone_trace", targets::bluezone_trace),
    ("load_keys", targets::load_keys),
    ("load_encounters", targets::load_encounters),
];

fn files(dir: &Path, seeds_only: bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| {
            !seeds_only
                || path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("seed-")
        })
        .collect();
    files.sort();
    files
}

/// Runs `target` on the file; the panic message when it fails.
fn run(target: Target, path: &Path) -> Option<String> {
    let data = std::fs::read(path).unwrap();
    std::panic::catch_unwind(|| target(&data))
        .err()
        .map(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                .unwrap_or_default()
        })
}

#[test]
fn every_target_has_seeds_and_they_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, target) in TARGETS {
        let seeds = files(&root.join("corpus").join(name), true);
        assert!(!seeds.is_empty(), "no seeds for {name}");
        for seed in seeds {
            if let Some(panic) = run(target, &seed) {
                panic!("{name}: seed {} fails: {panic}", seed.display());
            }
        }
    }
}

/// The regression inputs that still fail, by target and file, with the
/// first line of the panic that each must give until the library is fixed.
///
/// Found by the bounded run of 2026-11-22 (see README.md):
/// - the CSV readers' result depends on how the reader hands out the first
///   bytes when the file begins with a UTF-8 byte-order mark (csv-core skips
///   the mark only when its first buffer holds all three bytes, and ends the
///   input when it holds exactly those three);
/// - `bzk::read_bytes` accepts records whose transmission risk or days
///   since onset bytes are set without their "given" flag, and then
///   `has_metadata()` is true although no key has metadata.
const KNOWN_FAILURES: &[(&str, &str, &str)] = &[];

#[test]
fn regressions_fail_only_as_known() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, target) in TARGETS {
        for input in files(&root.join("regressions").join(name), false) {
            let file = input.file_name().unwrap().to_string_lossy().into_owned();
            let known = KNOWN_FAILURES
                .iter()
                .find(|(known_target, known_file, _)| *known_target == name && *known_file == file);
            match (run(target, &input), known) {
                (None, None) => {}
                (None, Some(_)) => panic!(
                    "{name}/{file} passes now: remove it from KNOWN_FAILURES so that it stays fixed"
                ),
                (Some(panic), None) => panic!("{name}/{file} fails: {panic}"),
                (Some(panic), Some((_, _, expected))) => assert!(
                    panic.starts_with(expected),
                    "{name}/{file} fails otherwise than known: {panic}"
                ),
            }
        }
    }
}
