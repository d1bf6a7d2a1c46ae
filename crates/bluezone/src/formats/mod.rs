//! The file formats of published keys and encounter logs.
//!
//! Other tools hand this crate its inputs as files, and take its data back
//! the same way. Every reader checks what it reads and reports the first
//! problem as [`Error::Parse`](crate::Error::Parse), naming the file, the
//! line (text) or byte offset (binary), the column or field, with what was
//! expected and what was found:
//!
//! ```text
//! keys.csv:2: column key: expected 32 hex digits, found 30
//! keys.zip/export.bin: byte 57: column keys.rolling_period: expected a number of intervals from 1 to 144, found 0
//! ```
//!
//! | module | format |
//! |---|---|
//! | [`csv`] | comma-separated text with a header line: `key,rolling_start,rolling_period` for keys, `id,time,rssi` for encounters |
//! | [`gaen_export`] | the Exposure Notification key export: a zip of `export.bin` (protobuf) and `export.sig` (ECDSA P-256 signatures) |
//! | [`bzk`] | the native batch file: fixed-size key records, loaded through a memory map without a copy |
//! | [`bluezone_app`] | the Bluezone app's F0 payload (JSON keys) and its `data_trace.txt` (sightings) |
//! | [`load`] | one entry point that recognises every format above from a file's first bytes |

pub mod bluezone_app;
pub mod bzk;
pub mod csv;
pub mod gaen_export;
pub mod load;
