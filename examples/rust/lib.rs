//! Example programs for the bluezone library; see the `[[example]]`
//! targets: `cargo run -p bluezone-examples --example derive_day`.
