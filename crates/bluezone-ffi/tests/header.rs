//! The checked-in header `include/bluezone.h` is what cbindgen generates
//! from this crate, byte for byte, and its version macros are the crate's.
//!
//! To regenerate the header after changing the API:
//!
//! ```sh
//! BLUEZONE_REGENERATE_HEADER=1 cargo test -p bluezone-ffi --test header
//! ```

#![warn(clippy::undocumented_unsafe_blocks)]

use std::path::{Path, PathBuf};

const REGENERATE: &str = "BLUEZONE_REGENERATE_HEADER=1 cargo test -p bluezone-ffi --test header";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    crate_dir().join("include/bluezone.h")
}

/// The header that cbindgen generates from the crate's source, with the
/// crate's `cbindgen.toml`.
fn generate() -> Vec<u8> {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml"))
        .unwrap_or_else(|err| panic!("cannot read cbindgen.toml: {err}"));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .unwrap_or_else(|err| panic!("cbindgen cannot generate the header: {err}"));
    let mut out = Vec::new();
    bindings.write(&mut out);
    out
}

#[test]
fn header_is_current() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("BLUEZONE_REGENERATE_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("cannot write include/bluezone.h");
        return;
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    if checked_in != generated {
        let first_difference = checked_in
            .split(|&b| b == b'\n')
            .zip(generated.split(|&b| b == b'\n'))
            .position(|(a, b)| a != b)
            .map_or_else(
                || "at the end".to_owned(),
                |line| format!("at line {}", line + 1),
            );
        panic!(
            "include/bluezone.h is not what cbindgen generates from the source (first difference {first_difference}); regenerate it with:\n\n    {REGENERATE}\n"
        );
    }
}

/// The value of `#define NAME value` in the header.
fn define(header: &str, name: &str) -> Option<u32> {
    header.lines().find_map(|line| {
        let rest = line.strip_prefix("#define ")?.strip_prefix(name)?;
        rest.trim().parse().ok()
    })
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = std::fs::read_to_string(header_path()).expect("include/bluezone.h");
    for (macro_name, version) in [
        ("BLUEZONE_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("BLUEZONE_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("BLUEZONE_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert_eq!(
            define(&header, macro_name),
            Some(version.parse().unwrap()),
            "{macro_name} in include/bluezone.h is not the version of Cargo.toml; update the constant in src/lib.rs and regenerate the header with:\n\n    {REGENERATE}\n"
        );
    }
    // SAFETY: `bz_version` returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(bluezone_ffi::bz_version()) };
    assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
}

/// The source of every module of the crate.
fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(path).unwrap())
        })
        .collect()
}

/// The names of the exported functions, each with the body that follows
/// its signature.
fn exports() -> Vec<(String, String)> {
    let mut exports = Vec::new();
    for (_, source) in sources() {
        for piece in source.split("extern \"C\" fn ").skip(1) {
            let name = piece.split('(').next().unwrap().to_owned();
            let body = piece.split_once('{').unwrap().1.trim_start().to_owned();
            exports.push((name, body));
        }
    }
    exports
}

#[test]
fn every_export_is_declared() {
    let header = std::fs::read_to_string(header_path()).expect("include/bluezone.h");
    let exports = exports();
    for (name, _) in &exports {
        assert!(
            header.contains(&format!(" {name}(")) || header.contains(&format!("*{name}(")),
            "{name} is exported but not declared in the header"
        );
    }
    assert!(exports.len() >= 30, "found only {} exports", exports.len());
}

#[test]
fn every_export_runs_inside_the_panic_boundary_under_its_own_name() {
    for (name, body) in exports() {
        // The body's first statement, after any SAFETY comment.
        let statement = body
            .lines()
            .map(str::trim)
            .find(|line| !line.starts_with("//"))
            .unwrap();
        assert!(
            statement.starts_with(&format!("ffi_panic_boundary(\"{name}\", "))
                || statement.starts_with(&format!("fallible(\"{name}\", ")),
            "{name} does not begin with ffi_panic_boundary or fallible under its own name: {statement}"
        );
    }
}
