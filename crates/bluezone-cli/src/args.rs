//! Parsers for command-line values, with messages that say what is expected.

use bluezone::{Scheme, SchemeKind};
use zeroize::Zeroizing;

use crate::failure::Failure;

/// Parses a scheme name: `gaen`, `bluezone` or `b3`.
pub(crate) fn scheme_kind(text: &str) -> Result<SchemeKind, String> {
    text.parse().map_err(|err: bluezone::Error| err.to_string())
}

/// Parses an interval or slot number.
pub(crate) fn interval(text: &str) -> Result<u32, String> {
    text.parse()
        .map_err(|_| format!("expected an interval number from 0 to {}", u32::MAX))
}

/// Parses a positive count.
pub(crate) fn count(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) | Err(_) => Err(format!("expected a count from 1 to {}", 1u64 << 32)),
        Ok(count) if count > 1 << 32 => Err(format!("expected a count from 1 to {}", 1u64 << 32)),
        Ok(count) => Ok(count),
    }
}

/// Parses a number of slots per day.
pub(crate) fn per_day(text: &str) -> Result<u32, String> {
    let per_day = text
        .parse()
        .map_err(|_| "expected a number of slots per day, such as 144 or 96".to_owned())?;
    bluezone::Bluezone::new(per_day).map_err(|err| err.to_string())?;
    Ok(per_day)
}

/// Parses a number of worker threads.
pub(crate) fn threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(threads) if (1..=1024).contains(&threads) => Ok(threads),
        _ => Err("expected a number of threads from 1 to 1024".to_owned()),
    }
}

/// The worker threads of a run without `--threads`: one per core.
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Parses a tolerance in seconds.
pub(crate) fn tolerance(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(seconds) if seconds <= bluezone::MAX_TOLERANCE_SECONDS => Ok(seconds),
        _ => Err(format!(
            "expected a tolerance in seconds from 0 to {}",
            bluezone::MAX_TOLERANCE_SECONDS
        )),
    }
}

/// Builds the scheme of `--scheme` and `--per-day`.
pub(crate) fn scheme(kind: SchemeKind, per_day: Option<u32>) -> Result<Scheme, Failure> {
    Scheme::new(kind, per_day).map_err(|err| Failure::option("--per-day", err))
}

/// Decodes `--key` for `scheme`, into bytes that are wiped on drop.
pub(crate) fn key(scheme: Scheme, text: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut key = Zeroizing::new(vec![0u8; scheme.key_len()]);
    bluezone::hex::decode_into(text, &mut key).map_err(|err| {
        Failure::option(
            "--key",
            format!(
                "{err} (a {} key is {} bytes)",
                scheme.kind(),
                scheme.key_len()
            ),
        )
    })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_positive_and_bounded() {
        assert_eq!(count("1"), Ok(1));
        assert_eq!(count("4294967296"), Ok(1 << 32));
        assert!(count("0").is_err());
        assert!(count("4294967297").is_err());
        assert!(count("-1").is_err());
    }

    #[test]
    fn intervals_are_u32() {
        assert_eq!(interval("4294967295"), Ok(u32::MAX));
        assert!(interval("4294967296").is_err());
        assert!(interval("1e3").is_err());
    }

    #[test]
    fn per_day_divides_a_day() {
        assert_eq!(per_day("96"), Ok(96));
        assert!(per_day("7").unwrap_err().contains("divisor of 86400"));
    }
}
