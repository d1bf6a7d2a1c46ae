//! A phone's day: generate today's daily key, derive the IDs it will
//! broadcast with each scheme, and check a few of them sparsely.
//!
//! `cargo run -p bluezone-examples --example derive_day`

use std::io::{self, Write};

use bluezone::time::{INTERVALS_PER_DAY, day_start_interval, interval_number, now_unix_seconds};
use bluezone::{B3, Gaen, IdScheme, SecretKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = io::stdout().lock();
    let today = day_start_interval(interval_number(now_unix_seconds())?);

    // A fresh key, wiped from memory when it goes out of scope.
    let key = SecretKey::<16>::generate()?;

    for (name, ids) in [
        ("gaen", day(Gaen, key.as_bytes(), today)?),
        ("b3", day(B3, key.as_bytes(), today)?),
    ] {
        writeln!(
            out,
            "{name}: first ID of the day {}",
            bluezone::hex::encode(&ids[0])
        )?;
        writeln!(
            out,
            "{name}: last ID of the day  {}",
            bluezone::hex::encode(&ids[143])
        )?;
    }

    // The matcher's way: only the intervals that a log could hold.
    let evening = [today + 120, today + 121, today + 130];
    let mut some = [[0u8; 16]; 3];
    B3.derive_sparse(key.as_bytes(), today, &evening, &mut some)?;
    let all = day(B3, key.as_bytes(), today)?;
    assert_eq!(some, [all[120], all[121], all[130]]);
    writeln!(
        out,
        "b3: sparse derivation of 3 evening intervals agrees with the full day"
    )?;
    Ok(())
}

/// The 144 IDs of a key's day.
fn day<S: IdScheme<Key = [u8; 16], Id = [u8; 16]>>(
    scheme: S,
    key: &[u8; 16],
    start: u32,
) -> bluezone::Result<Vec<[u8; 16]>> {
    let mut ids = vec![[0u8; 16]; INTERVALS_PER_DAY as usize];
    scheme.derive_range(key, start, start, &mut ids)?;
    Ok(ids)
}
