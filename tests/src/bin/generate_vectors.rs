//! Rewrites `tests/vectors/protocol.json` from the library's derivations.
//!
//! Run it after a deliberate change to a scheme; the `vectors` test fails,
//! naming this command, while the checked-in file is stale.

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = bluezone_tests::vectors::path("protocol.json");
    match std::fs::write(&path, bluezone_tests::vectors::generate().to_json()) {
        Ok(()) => {
            #[allow(
                clippy::print_stderr,
                reason = "a developer tool reports what it wrote"
            )]
            {
                eprintln!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            #[allow(clippy::print_stderr, reason = "a developer tool reports its failure")]
            {
                eprintln!("cannot write {}: {err}", path.display());
            }
            ExitCode::FAILURE
        }
    }
}
