//! `bluezone derive`: the IDs of a key, one `N<TAB>ID_HEX` line per interval.

use std::io::Write;

use bluezone::{Scheme, SchemeKind};

use crate::args;
use crate::failure::Failure;

/// IDs derived per call, to bound memory whatever `--count` is.
const CHUNK: u64 = 4096;

/// Arguments of `bluezone derive`.
#[derive(clap::Args, Debug)]
pub(crate) struct DeriveArgs {
    /// The ID scheme: gaen, bluezone or b3.
    #[arg(long, value_parser = args::scheme_kind)]
    scheme: SchemeKind,
    /// The daily key, in hex (32 digits for gaen and b3, 64 for bluezone).
    #[arg(long, value_name = "HEX")]
    key: String,
    /// The first interval, which is also the key's rolling start (for
    /// bluezone: the slot where the key's day begins).
    #[arg(long, value_name = "N", value_parser = args::interval, allow_hyphen_values = true)]
    start: u32,
    /// How many IDs to print [default: one day, 144 or --per-day].
    #[arg(long, value_name = "K", value_parser = args::count, allow_hyphen_values = true)]
    count: Option<u64>,
    /// Slots per day of the bluezone scheme [default: 144].
    #[arg(long, value_name = "P", value_parser = args::per_day, allow_hyphen_values = true)]
    per_day: Option<u32>,
}

/// Runs `bluezone derive`.
pub(crate) fn run(args: &DeriveArgs, out: &mut impl Write) -> Result<(), Failure> {
    let scheme = args::scheme(args.scheme, args.per_day)?;
    let key = args::key(scheme, &args.key)?;
    let count = args
        .count
        .unwrap_or_else(|| u64::from(scheme.intervals_per_day()));
    write_ids(scheme, &key, args.start, args.start, count, out)
}

/// Writes the IDs of `count` intervals from `first`, for a key whose rolling
/// start is `rolling_start`.
pub(crate) fn write_ids(
    scheme: Scheme,
    key: &[u8],
    rolling_start: u32,
    first: u32,
    count: u64,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let id_len = scheme.id_len();
    let last = u64::from(first) + count - 1;
    let last = u32::try_from(last).map_err(|_| {
        Failure::option(
            "--count",
            bluezone::Error::IntervalOverflow { first, count },
        )
    })?;
    // Derive the last ID first: a request that cannot complete fails
    // before printing anything.
    scheme.derive_sparse_bytes(key, rolling_start, &[last], &mut vec![0u8; id_len])?;

    let mut ids = vec![0u8; (CHUNK.min(count) as usize) * id_len];
    let mut hex = vec![0u8; id_len * 2];
    let mut next = u64::from(first);
    while next <= u64::from(last) {
        let n = CHUNK.min(u64::from(last) + 1 - next) as usize;
        let chunk = &mut ids[..n * id_len];
        scheme.derive_range_bytes(key, rolling_start, next as u32, chunk)?;
        for (offset, id) in chunk.chunks_exact(id_len).enumerate() {
            hex::encode_to_slice(id, &mut hex).map_err(|err| Failure::Failed(err.to_string()))?;
            write!(out, "{}\t", next + offset as u64)?;
            out.write_all(&hex)?;
            out.write_all(b"\n")?;
        }
        next += n as u64;
    }
    Ok(())
}
