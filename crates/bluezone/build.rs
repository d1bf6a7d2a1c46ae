//! Generates the Rust types of the Exposure Notification key export format
//! from `proto/export.proto`, with prost and the pure-Rust protobuf compiler
//! protox (no `protoc` needed).

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=proto/export.proto");
    prost_build::Config::new().compile_fds(protox::compile(["proto/export.proto"], ["proto"])?)?;
    Ok(())
}
