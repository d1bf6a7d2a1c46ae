//! Times as UTC text.

use std::time::{Duration, UNIX_EPOCH};

/// `2026-11-22T00:00:00Z`: a time in unix seconds, RFC 3339, to the second.
pub(crate) fn rfc3339(unix_seconds: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(unix_seconds)).to_string()
}
