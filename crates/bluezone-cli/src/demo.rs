//! `bluezone demo`: the main job, end to end: a fresh daily key and the IDs
//! that a phone would broadcast with it today.

use std::io::Write;
use std::time::{Duration, UNIX_EPOCH};

use bluezone::SchemeKind;
use bluezone::time::{SECONDS_PER_DAY, now_unix_seconds, slot_number};

use crate::failure::Failure;
use crate::{args, derive, keygen};

/// Arguments of `bluezone demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// The ID scheme: gaen, bluezone or b3.
    #[arg(long, value_parser = args::scheme_kind, default_value = "b3")]
    scheme: SchemeKind,
    /// Slots per day of the bluezone scheme [default: 144].
    #[arg(long, value_name = "P", value_parser = args::per_day)]
    per_day: Option<u32>,
}

/// Runs `bluezone demo`.
pub(crate) fn run(args: &DemoArgs, out: &mut impl Write) -> Result<(), Failure> {
    let scheme = args::scheme(args.scheme, args.per_day)?;
    let key = keygen::generate(args.scheme)?;
    let midnight = now_unix_seconds() / i64::from(SECONDS_PER_DAY) * i64::from(SECONDS_PER_DAY);
    let start = slot_number(midnight, scheme.interval_seconds())?;
    let day = humantime::format_rfc3339_seconds(
        UNIX_EPOCH + Duration::from_secs(midnight.unsigned_abs()),
    );
    writeln!(
        out,
        "# scheme {scheme}: a fresh daily key and its {} IDs for the day from {day}",
        scheme.intervals_per_day()
    )?;
    writeln!(out, "# key {}", hex::encode(&*key))?;
    writeln!(out, "# interval\tid")?;
    derive::write_ids(
        scheme,
        &key,
        start,
        start,
        u64::from(scheme.intervals_per_day()),
        out,
    )
}
