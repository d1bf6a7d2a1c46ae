//! Text interchange formats for published keys and encounter logs.
//!
//! Other tools hand this crate its inputs as files, and take its data back
//! the same way. Every reader here checks each row and reports the first
//! bad one as [`Error::Parse`](crate::Error::Parse), naming the file, the
//! line and the column, with what was expected and what was found:
//!
//! ```text
//! keys.csv:2: column key: expected 32 hex digits, found 30
//! ```
//!
//! | module | format |
//! |---|---|
//! | [`csv`] | comma-separated text with a header line: `key,rolling_start,rolling_period` for keys, `id,time,rssi` for encounters |

pub mod bluezone_app;
pub mod bzk;
pub mod csv;
