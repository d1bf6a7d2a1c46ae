//! Builds the C programs against the header and the static library with the
//! system C compiler, strictly (`-std=c11 -Wall -Wextra -Werror -pedantic`),
//! and runs them: plainly, then under the address sanitizer (with leak
//! detection) and the undefined-behaviour sanitizer
//! (`-fsanitize=address,undefined`), or under `valgrind` where the compiler
//! has no sanitizers.
//!
//! - `examples/c/exposure.c`: generates keys, plants their IDs in a log
//!   among noise, matches, and checks that exactly the planted exposures are
//!   found;
//! - `tests/c/misuse.c`: calls every function wrongly and checks the exact
//!   result codes and messages.
//!
//! The static library is the one `cargo test` builds for this crate
//! (`target/<profile>/libbluezone_ffi.a`, found from this test's own path).
//! `CC` names another compiler than `cc`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The language and warning flags of every C build.
const STRICT: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"];

/// The sanitizer flags, when the compiler has them.
const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
];

/// The system libraries that the Rust standard library needs in a static
/// link (`rustc --print native-static-libs`).
#[cfg(target_os = "linux")]
const SYSTEM_LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];
#[cfg(not(target_os = "linux"))]
const SYSTEM_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo_dir() -> PathBuf {
    crate_dir().join("../..")
}

/// `target/<profile>`: the parent of the `deps` folder holding this test.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let deps = exe.parent().expect("the test is in target/<profile>/deps");
    deps.parent().expect("target/<profile>").to_path_buf()
}

/// The static library that `cargo test -p bluezone-ffi` built: in
/// `target/<profile>/deps` (`cargo test` does not copy it up to
/// `target/<profile>`, as `cargo build` does).
fn static_library() -> PathBuf {
    let deps = profile_dir().join("deps");
    let mut candidates = vec![
        deps.join("libbluezone_ffi.a"),
        profile_dir().join("libbluezone_ffi.a"),
    ];
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(dir).join("debug/libbluezone_ffi.a"));
    }
    let library = candidates
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "the static library libbluezone_ffi.a is not in any of {candidates:?}; \
                 build it with `cargo build -p bluezone-ffi` (cargo test -p bluezone-ffi builds it too)"
            )
        });
    // The rlib that the Rust tests link comes out of the same compilation:
    // a static library older than it is stale.
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let rlib = library.with_extension("rlib");
    if let (Some(a), Some(rlib_time)) = (modified(&library), modified(&rlib)) {
        assert!(
            a >= rlib_time,
            "{} is older than {}: rebuild it with `cargo build -p bluezone-ffi`",
            library.display(),
            rlib.display()
        );
    }
    library
}

/// Where the C programs are built: under the target folder.
fn build_dir() -> PathBuf {
    let dir = profile_dir().join("bluezone-ffi-c");
    std::fs::create_dir_all(&dir).expect("create the C build folder");
    dir
}

fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_owned())
}

fn show(output: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Compiles and links `source` into `name` with `extra` flags; panics with
/// the compiler's output on any warning or error.
fn build(source: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = build_dir().join(name);
    let mut command = Command::new(compiler());
    command
        .args(STRICT)
        .args(extra)
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(source)
        .arg(static_library())
        .args(SYSTEM_LIBS)
        .arg("-o")
        .arg(&out);
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run the C compiler {:?}: {err}", compiler()));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        show(&output)
    );
    out
}

/// How the programs are checked for memory errors and leaks here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Checker {
    /// The address (with leak detection) and undefined-behaviour
    /// sanitizers, compiled in.
    Sanitizers,
    /// `valgrind --leak-check=full`, on a plain build.
    Valgrind,
}

/// Whether a program built with the sanitizers runs here; else valgrind.
fn checker() -> Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    *CHECKER.get_or_init(|| {
        let probe = build_dir().join("probe.c");
        std::fs::write(
            &probe,
            "#include <stdlib.h>\nint main(void) { void *p = malloc(8); free(p); return 0; }\n",
        )
        .expect("write the probe");
        let exe = build_dir().join("probe");
        let built = Command::new(compiler())
            .args(SANITIZE)
            .arg(&probe)
            .arg("-o")
            .arg(&exe)
            .output()
            .is_ok_and(|output| output.status.success());
        if built
            && Command::new(&exe)
                .env("ASAN_OPTIONS", "detect_leaks=1")
                .output()
                .is_ok_and(|output| output.status.success())
        {
            return Checker::Sanitizers;
        }
        let valgrind = Command::new("valgrind")
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        assert!(
            valgrind,
            "neither AddressSanitizer ({} -fsanitize=address) nor valgrind works here: \
             the C programs cannot be checked for memory errors",
            compiler()
        );
        Checker::Valgrind
    })
}

/// Builds `source` for the checker of this machine and runs it with `args`
/// under it; panics on any memory error, leak or undefined behaviour.
fn run_checked(source: &Path, name: &str, args: &[&Path]) -> Output {
    let output = match checker() {
        Checker::Sanitizers => {
            let exe = build(source, &format!("{name}-sanitized"), SANITIZE);
            Command::new(&exe)
                .args(args)
                .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
                .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
                .output()
                .expect("run the sanitized program")
        }
        Checker::Valgrind => {
            let exe = build(source, name, &[]);
            Command::new("valgrind")
                .args([
                    "--leak-check=full",
                    "--errors-for-leak-kinds=definite,indirect",
                    // The worker threads alive at exit are "possibly lost".
                    "--show-leak-kinds=definite,indirect",
                    "--error-exitcode=1",
                    "--quiet",
                ])
                .arg(&exe)
                .args(args)
                .output()
                .expect("run valgrind")
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success()
            && !stderr.contains("Sanitizer")
            && !stderr.contains("runtime error")
            && !stderr.contains("definitely lost"),
        "{name} under {:?}:\n{}",
        checker(),
        show(&output)
    );
    output
}

fn exposure_source() -> PathBuf {
    repo_dir().join("examples/c/exposure.c")
}

fn misuse_source() -> PathBuf {
    crate_dir().join("tests/c/misuse.c")
}

/// The misuse program's arguments: the fixtures, and a scratch folder of
/// the test's own.
fn misuse_args(test: &str) -> (PathBuf, PathBuf) {
    let fixtures = repo_dir().join("crates/bluezone/tests/fixtures/gaen");
    let scratch = build_dir().join(format!("scratch-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("create the scratch folder");
    (fixtures, scratch)
}

/// Checks the example's report: every scheme found its five planted
/// exposures and nothing else.
fn check_exposure_output(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with(&format!("bluezone {}\n", env!("CARGO_PKG_VERSION"))),
        "{}",
        show(output)
    );
    for scheme in ["gaen", "bluezone", "b3"] {
        let exposures = stdout
            .lines()
            .filter(|line| line.starts_with(&format!("{scheme}: exposure: key ")))
            .count();
        assert_eq!(exposures, 5, "{scheme}:\n{}", show(output));
        assert!(
            stdout.contains(&format!(
                "{scheme}: 5 exposures found, exactly the planted ones\n"
            )),
            "{}",
            show(output)
        );
    }
    // The same plan for every scheme: key 1 at intervals 10 and 11 of the
    // day (rows 3 and 9), key 3 at interval 70 (row 15), key 4 at the last
    // (row 21), key 0 at interval 5 seen one interval late (row 27).
    let day = 20_414;
    for (scheme, per_day) in [("gaen", 144), ("bluezone", 96), ("b3", 144)] {
        let start = day * per_day;
        for (key, offset, row) in [
            (0, 5, 27),
            (1, 10, 3),
            (1, 11, 9),
            (3, 70, 15),
            (4, per_day - 1, 21),
        ] {
            let line = format!(
                "{scheme}: exposure: key {key}, interval {}, encounter {row}, ",
                start + offset
            );
            assert!(
                stdout.contains(&line),
                "no line {line:?} in\n{}",
                show(output)
            );
        }
    }
    assert!(stdout.contains("gaen: metadata round trip ok\n"));
    assert!(stdout.ends_with("all planted exposures found, and nothing else\n"));
}

#[test]
fn exposure_example_builds_warning_free_and_finds_exactly_the_planted_exposures() {
    let exe = build(&exposure_source(), "exposure", &[]);
    let output = Command::new(&exe).output().expect("run the example");
    assert!(output.status.success(), "{}", show(&output));
    check_exposure_output(&output);
}

#[test]
fn exposure_example_runs_clean_under_the_sanitizers() {
    let output = run_checked(&exposure_source(), "exposure", &[]);
    check_exposure_output(&output);
}

#[test]
fn misuse_program_gets_exact_codes_and_never_crashes() {
    let (fixtures, scratch) = misuse_args("plain");
    let exe = build(&misuse_source(), "misuse", &[]);
    let output = Command::new(&exe)
        .arg(&fixtures)
        .arg(&scratch)
        .output()
        .expect("run the misuse program");
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("misuse: ") && summary.ends_with(" checks passed, 0 failed"),
        "{}",
        show(&output)
    );
    let checks: usize = summary
        .trim_start_matches("misuse: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(checks > 150, "only {checks} checks ran");
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn misuse_program_runs_clean_under_the_sanitizers() {
    let (fixtures, scratch) = misuse_args("sanitized");
    let output = run_checked(&misuse_source(), "misuse", &[&fixtures, &scratch]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(" checks passed, 0 failed"),
        "{}",
        show(&output)
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
