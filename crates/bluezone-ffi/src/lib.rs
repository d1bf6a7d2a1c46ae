//! # bluezone-ffi
//!
//! The C API of [`bluezone`]: generate daily keys, derive ephemeral IDs,
//! build an encounter log and its index, load published keys from any
//! format the library reads (and verify signed exports), and match. Built
//! as a static and a shared library (`libbluezone_ffi.a`,
//! `libbluezone_ffi.so`), with the header `include/bluezone.h` that cbindgen
//! generates from this crate.
//!
//! ## Conventions
//!
//! - Every name begins with `bz_` (macros with `BZ_` or `BLUEZONE_`).
//! - Every fallible function returns a [`bz_result`], `BZ_RESULT_OK` (0) or
//!   a stable error code, and writes its outputs through out-parameters only
//!   on success. [`bz_last_error_message`] copies the message of the last
//!   failure on the calling thread.
//! - Every pointer and length is checked before use: NULL with a nonzero
//!   length is `BZ_RESULT_NULL_POINTER` (NULL with length 0 is an empty
//!   buffer); a length that overflows when multiplied by its element size,
//!   or exceeds `BZ_MAX_BUFFER_LEN`, is `BZ_RESULT_BAD_LENGTH`. Arguments
//!   are checked in order, and the first failure is returned.
//! - No panic crosses the boundary: every exported function runs inside a
//!   panic boundary that turns a panic into `BZ_RESULT_PANIC` (or NULL, or
//!   0, by return type).
//! - Handles (`bz_log`, `bz_index`, `bz_keys`, `bz_matches`) are opaque,
//!   made by a function that writes them to an out-parameter and freed by
//!   their `_free`, which accepts NULL. They are immutable once made, so
//!   every handle is `Send` and `Sync`: it may be used from several threads
//!   at once, as long as none frees it meanwhile.
//!
//! The Rust items of this crate are the exported functions themselves, for
//! the crate's tests; Rust programs use [`bluezone`] directly.

#![allow(non_camel_case_types)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::ffi::CStr;

mod args;
mod derive;
mod error;
mod index;
mod keys;
mod log;
mod matches;
mod panic;
mod scheme;

pub use args::{BZ_MAX_BUFFER_LEN, BZ_MAX_PATH_LEN};
pub use derive::{
    BZ_GAEN_METADATA_LEN, bz_derive_range, bz_gaen_decrypt_metadata, bz_gaen_encrypt_metadata,
    bz_generate_key,
};
pub use error::{bz_last_error_message, bz_result};
pub use index::{
    BZ_DEFAULT_TOLERANCE_SECONDS, BZ_MAX_TOLERANCE_SECONDS, bz_index, bz_index_free, bz_index_new,
};
pub use keys::{
    bz_keys, bz_keys_free, bz_keys_get, bz_keys_len, bz_keys_load_bytes, bz_keys_load_file,
    bz_keys_new, bz_keys_per_day, bz_keys_scheme, bz_keys_verify_signature,
};
pub use log::{
    bz_log, bz_log_free, bz_log_get, bz_log_id_len, bz_log_len, bz_log_load_file, bz_log_new,
};
pub use matches::{
    BZ_MAX_THREADS, bz_match, bz_matches, bz_matches_copy, bz_matches_free, bz_matches_get,
    bz_matches_len,
};
pub use scheme::{
    BZ_MAX_ID_LEN, BZ_MAX_KEY_LEN, BZ_SCHEME_AUTO, BZ_SCHEME_COUNT, bz_scheme, bz_scheme_from_name,
    bz_scheme_id_len, bz_scheme_interval_seconds, bz_scheme_key_len, bz_scheme_name, bz_schemes,
    bz_version,
};

/// The major version of the library that the header describes (a test
/// checks it against `Cargo.toml`).
pub const BLUEZONE_VERSION_MAJOR: u32 = 0;
/// The minor version of the library that the header describes.
pub const BLUEZONE_VERSION_MINOR: u32 = 1;
/// The patch version of the library that the header describes.
pub const BLUEZONE_VERSION_PATCH: u32 = 0;

/// The version that `bz_version` returns.
const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version has no NUL"),
    };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_cargo_toml() {
        let parse = |s: &str| s.parse::<u32>().unwrap();
        assert_eq!(
            BLUEZONE_VERSION_MAJOR,
            parse(env!("CARGO_PKG_VERSION_MAJOR"))
        );
        assert_eq!(
            BLUEZONE_VERSION_MINOR,
            parse(env!("CARGO_PKG_VERSION_MINOR"))
        );
        assert_eq!(
            BLUEZONE_VERSION_PATCH,
            parse(env!("CARGO_PKG_VERSION_PATCH"))
        );
        assert_eq!(VERSION.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn handles_are_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<bz_log>();
        shared::<bz_index>();
        shared::<bz_keys>();
        shared::<bz_matches>();
    }
}
