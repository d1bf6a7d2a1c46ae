//! # bluezone
//!
//! The on-device engine of Bluetooth exposure notification.
//!
//! Every phone broadcasts short-lived *ephemeral IDs* derived from a secret
//! *daily key* and logs the IDs it hears nearby. When a user tests positive,
//! their daily keys are published; every phone then derives the IDs of the
//! published keys and looks for them in its own log, on the device.
//!
//! This crate derives those IDs with three schemes behind one trait,
//! [`IdScheme`]:
//!
//! | scheme | key | ID | interval | |
//! |---|---|---|---|---|
//! | [`Gaen`] | 16 bytes | 16 bytes | 600 s | the Google/Apple Exposure Notification standard, v1.2 |
//! | [`Bluezone`] | 32 bytes | 12 bytes | 86400 / `per_day` s | the "v2" rolling IDs of Vietnam's 2020 Bluezone app |
//! | [`B3`] | 16 bytes | 16 bytes | 600 s | this project's scheme on BLAKE3: independent daily keys, fastest |
//!
//! Every scheme derives into caller-provided buffers, either a contiguous
//! range of intervals ([`IdScheme::derive_range`]) or a sparse set
//! ([`IdScheme::derive_sparse`]), without allocating per ID. [`Scheme`] picks
//! a scheme at run time, for command lines and foreign-language bindings.
//!
//! ```
//! use bluezone::{B3, IdScheme, SecretKey};
//!
//! # fn main() -> Result<(), bluezone::Error> {
//! let key = SecretKey::<16>::generate()?;
//! let rolling_start = bluezone::time::interval_number(1_763_769_600)?; // 2025-11-22 00:00 UTC
//! let mut ids = [[0u8; 16]; 144];
//! B3.derive_range(key.as_bytes(), rolling_start, rolling_start, &mut ids)?;
//!
//! // A sparse set of intervals gives the same IDs as the range.
//! let wanted = [rolling_start + 3, rolling_start + 100];
//! let mut some = [[0u8; 16]; 2];
//! B3.derive_sparse(key.as_bytes(), rolling_start, &wanted, &mut some)?;
//! assert_eq!(some, [ids[3], ids[100]]);
//! # Ok(())
//! # }
//! ```
//!
//! The schemes are specified, with test vectors, in `docs/PROTOCOL.md`.

mod bytes;
mod error;
pub mod formats;
pub mod hex;
mod index;
mod key;
mod log;
mod matcher;
mod published;
pub mod scheme;
pub mod time;

pub use bytes::ByteArray;
pub use error::{Error, Position, Result};
pub use index::{LocalIndex, MAX_TOLERANCE_SECONDS};
pub use key::SecretKey;
pub use log::{EncounterLog, Sighting};
pub use matcher::{Match, MatchOptions, MatchProgress, Matches};
pub use published::{KeyMetadata, PublishedKey, PublishedKeys, ReportType};
pub use scheme::b3::B3;
pub use scheme::bluezone::Bluezone;
pub use scheme::gaen::{BleMetadata, Gaen};
pub use scheme::{IdScheme, Scheme, SchemeKind, SchemeVisitor};
