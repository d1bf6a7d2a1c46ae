//! Time: interval numbers, slots and key validity windows.
//!
//! Exposure notification counts time in *intervals*: `floor(unix_seconds /
//! 600)`, the number of the 10-minute window since the Unix epoch (GAEN
//! calls it `ENIntervalNumber`). The `bluezone` scheme counts *slots* of
//! `86400 / per_day` seconds in the same way. A daily key is valid for a
//! window of intervals, its rolling start and rolling period.

use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, Result};

/// Length of an exposure notification interval, in seconds.
pub const INTERVAL_SECONDS: u32 = 600;

/// Seconds in a day.
pub const SECONDS_PER_DAY: u32 = 86_400;

/// Intervals in a day, the usual rolling period of a daily key.
pub const INTERVALS_PER_DAY: u32 = SECONDS_PER_DAY / INTERVAL_SECONDS;

/// Default tolerance, in seconds, between the time a sighting was logged and
/// the interval of the ID seen: the two hours of clock drift that the
/// Exposure Notification system allows.
pub const DEFAULT_TOLERANCE_SECONDS: u32 = 7_200;

/// The 10-minute interval number of a Unix time: `floor(unix_seconds / 600)`.
///
/// ```
/// // 2020-04-02 00:00:00 UTC, the time of the official GAEN test vectors.
/// assert_eq!(bluezone::time::interval_number(1_585_785_600)?, 2_642_976);
/// assert_eq!(bluezone::time::interval_number(1_585_786_199)?, 2_642_976);
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::TimeOutOfRange`] for times before 1970 or after the last
/// interval number, `u32::MAX`.
pub fn interval_number(unix_seconds: i64) -> Result<u32> {
    slot_number(unix_seconds, INTERVAL_SECONDS)
}

/// The number of the slot of `slot_seconds` seconds that holds a Unix time:
/// `floor(unix_seconds / slot_seconds)`.
///
/// # Errors
/// [`Error::TimeOutOfRange`] for times before 1970, past the last slot
/// number `u32::MAX`, or when `slot_seconds` is zero.
pub fn slot_number(unix_seconds: i64, slot_seconds: u32) -> Result<u32> {
    let out_of_range = Error::TimeOutOfRange { unix_seconds };
    if slot_seconds == 0 || unix_seconds < 0 {
        return Err(out_of_range);
    }
    u32::try_from(unix_seconds / i64::from(slot_seconds)).map_err(|_| out_of_range)
}

/// The Unix time at which a slot begins: `slot * slot_seconds`.
#[must_use]
pub fn slot_start_seconds(slot: u32, slot_seconds: u32) -> i64 {
    i64::from(slot) * i64::from(slot_seconds)
}

/// The current Unix time in whole seconds (0 if the clock is before 1970).
#[must_use]
pub fn now_unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The first interval of the UTC day that holds `interval`.
#[must_use]
pub const fn day_start_interval(interval: u32) -> u32 {
    interval - interval % INTERVALS_PER_DAY
}

/// The validity window of a daily key: the intervals `rolling_start ..
/// rolling_start + rolling_period`.
///
/// ```
/// use bluezone::time::KeyWindow;
///
/// let window = KeyWindow::new(2_642_976, 144)?;
/// assert!(window.contains(2_642_976));
/// assert!(window.contains(2_643_119));
/// assert!(!window.contains(2_643_120));
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyWindow {
    rolling_start: u32,
    rolling_period: u32,
}

impl KeyWindow {
    /// A window of `rolling_period` intervals from `rolling_start`.
    ///
    /// # Errors
    /// [`Error::InvalidWindow`] when the period is zero or the window runs
    /// past the last interval number.
    pub fn new(rolling_start: u32, rolling_period: u32) -> Result<Self> {
        let end = u64::from(rolling_start) + u64::from(rolling_period);
        if rolling_period == 0 || end > u64::from(u32::MAX) + 1 {
            return Err(Error::InvalidWindow {
                rolling_start,
                rolling_period,
            });
        }
        Ok(Self {
            rolling_start,
            rolling_period,
        })
    }

    /// The window of one day (144 intervals) from `rolling_start`.
    ///
    /// # Errors
    /// As [`KeyWindow::new`].
    pub fn day(rolling_start: u32) -> Result<Self> {
        Self::new(rolling_start, INTERVALS_PER_DAY)
    }

    /// The first interval of the window.
    #[must_use]
    pub const fn rolling_start(&self) -> u32 {
        self.rolling_start
    }

    /// The number of intervals in the window.
    #[must_use]
    pub const fn rolling_period(&self) -> u32 {
        self.rolling_period
    }

    /// One past the last interval of the window (it can be `2^32`).
    #[must_use]
    pub const fn end(&self) -> u64 {
        self.rolling_start as u64 + self.rolling_period as u64
    }

    /// Whether `interval` is in the window.
    #[must_use]
    pub const fn contains(&self, interval: u32) -> bool {
        interval >= self.rolling_start && (interval as u64) < self.end()
    }

    /// The window's intervals, as 64-bit numbers since the end can be `2^32`.
    #[must_use]
    pub fn intervals(&self) -> Range<u64> {
        u64::from(self.rolling_start)..self.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn interval_numbers_floor() {
        assert_eq!(interval_number(0), Ok(0));
        assert_eq!(interval_number(599), Ok(0));
        assert_eq!(interval_number(600), Ok(1));
        assert_eq!(
            interval_number(-1),
            Err(Error::TimeOutOfRange { unix_seconds: -1 })
        );
        let last = i64::from(u32::MAX) * 600;
        assert_eq!(interval_number(last + 599), Ok(u32::MAX));
        assert!(interval_number(last + 600).is_err());
    }

    #[test]
    fn slots_of_other_lengths() {
        assert_eq!(slot_number(1_800, 900), Ok(2));
        assert_eq!(slot_start_seconds(2, 900), 1_800);
        assert!(slot_number(1, 0).is_err());
    }

    #[test]
    fn windows_reject_empty_and_overflowing() {
        assert!(KeyWindow::new(5, 0).is_err());
        assert!(KeyWindow::new(u32::MAX, 1).is_ok());
        assert!(KeyWindow::new(u32::MAX, 2).is_err());
        let last = KeyWindow::new(u32::MAX - 1, 2).unwrap();
        assert!(last.contains(u32::MAX));
        assert_eq!(last.end(), 1 << 32);
        assert_eq!(last.intervals().count(), 2);
    }

    #[test]
    fn day_start_is_utc_midnight() {
        assert_eq!(day_start_interval(2_642_976 + 143), 2_642_976);
        assert_eq!(day_start_interval(2_642_976 + 144), 2_642_976 + 144);
    }

    proptest! {
        #[test]
        fn a_time_lies_in_its_interval(t in 0i64..(i64::from(u32::MAX) * 600)) {
            let i = interval_number(t)?;
            let start = slot_start_seconds(i, INTERVAL_SECONDS);
            prop_assert!(start <= t && t < start + 600);
        }

        #[test]
        fn window_membership_matches_its_range(start in any::<u32>(), period in 1u32..1000, probe in any::<u32>()) {
            if let Ok(window) = KeyWindow::new(start, period) {
                prop_assert_eq!(window.contains(probe), window.intervals().contains(&u64::from(probe)));
            }
        }
    }
}
