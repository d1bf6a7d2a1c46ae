//! Test support for the bluezone workspace.
//!
//! - [`reference`]: plain, slow, obviously correct implementations of the
//!   three ID schemes, which the fast paths are checked against.
//! - [`vectors`]: the test-vector files under `tests/vectors/`, their model
//!   and the generator that rewrites `protocol.json`.

pub mod reference;
pub mod vectors;

/// The workspace's root folder.
///
/// # Panics
/// Never: the tests crate sits one folder below the root.
#[must_use]
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits one folder below the workspace root")
        .to_path_buf()
}
