//! `bluezone keygen`: a fresh daily key from the operating system's random
//! number generator.

use std::io::Write;

use bluezone::{SchemeKind, SecretKey};
use zeroize::Zeroizing;

use crate::args;
use crate::failure::Failure;

/// Arguments of `bluezone keygen`.
#[derive(clap::Args, Debug)]
pub(crate) struct KeygenArgs {
    /// The ID scheme the key is for: gaen, bluezone or b3.
    #[arg(long, value_parser = args::scheme_kind, default_value = "b3")]
    scheme: SchemeKind,
}

/// Runs `bluezone keygen`.
pub(crate) fn run(args: &KeygenArgs, out: &mut impl Write) -> Result<(), Failure> {
    let key = generate(args.scheme)?;
    writeln!(out, "{}", hex::encode(&*key))?;
    Ok(())
}

/// A fresh key for `kind`, in bytes that are wiped on drop.
pub(crate) fn generate(kind: SchemeKind) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = match kind.key_len() {
        32 => SecretKey::<32>::generate()?.as_bytes().to_vec(),
        _ => SecretKey::<16>::generate()?.as_bytes().to_vec(),
    };
    Ok(Zeroizing::new(bytes))
}
