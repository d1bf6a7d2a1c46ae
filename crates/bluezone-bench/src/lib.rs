//! Benchmark scenarios of bluezone, and the harness behind `bluezone bench`.
//!
//! - [`scenario`]: the reproducible S1 "national day" and S2 "heavy log"
//!   workloads: a million published keys against a phone's log, with
//!   planted true encounters.
//! - [`baseline`]: what the matcher is compared with: the
//!   derive-everything floor and the naive one-ID-at-a-time matcher.
//! - [`report`]: runs a scenario with one scheme and measures it.
//! - [`loading`]: how fast published keys load from each file format.

// Workload sizes, times and ratios convert between integer and float types
// whose values here are far from the limits where a cast would lose
// anything.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "benchmark arithmetic on small, non-negative values"
)]

pub mod baseline;
pub mod loading;
pub mod report;
pub mod scenario;
