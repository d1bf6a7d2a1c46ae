//! The one error type of the crate.

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in this crate.
///
/// Every variant carries the values needed to say what was wrong and where,
/// and its `Display` text is a single line meant for the end user.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A hex string has the wrong number of digits.
    #[error("expected {expected} hex digits, found {found}")]
    HexLength {
        /// Digits expected (twice the byte length).
        expected: usize,
        /// Characters found.
        found: usize,
    },

    /// A hex string holds a character that is not a hex digit.
    #[error("invalid hex digit {found:?} at position {position} (counting from 1)")]
    HexDigit {
        /// The offending character.
        found: char,
        /// Its position among the string's characters, counting from 1.
        position: usize,
    },

    /// A key given as bytes has the wrong length for its scheme.
    #[error("a {scheme} key is {expected} bytes, found {found}")]
    KeyLength {
        /// The scheme's name.
        scheme: &'static str,
        /// The scheme's key length in bytes.
        expected: usize,
        /// The length given.
        found: usize,
    },

    /// An output buffer does not hold the number of IDs that a call derives.
    #[error("the output buffer holds {found} bytes, {expected} needed")]
    BufferLength {
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        found: usize,
    },

    /// An ID was asked for an interval before the key's rolling start, where
    /// the scheme defines none.
    #[error("interval {interval} is before the key's rolling start {rolling_start}")]
    BeforeRollingStart {
        /// The interval asked for.
        interval: u32,
        /// The key's rolling start.
        rolling_start: u32,
    },

    /// A range of intervals runs past the largest interval number.
    #[error("{count} intervals from {first} run past the largest interval number {max}", max = u32::MAX)]
    IntervalOverflow {
        /// First interval of the range.
        first: u32,
        /// Number of intervals asked for.
        count: u64,
    },

    /// A time cannot be expressed as an interval number.
    #[error("time {unix_seconds} s is outside the range of interval numbers")]
    TimeOutOfRange {
        /// The time, in seconds since the Unix epoch.
        unix_seconds: i64,
    },

    /// A key validity window is empty or runs past the largest interval number.
    #[error("invalid key window: rolling start {rolling_start}, rolling period {rolling_period}")]
    InvalidWindow {
        /// The window's first interval.
        rolling_start: u32,
        /// The window's length in intervals.
        rolling_period: u32,
    },

    /// The number of slots per day does not divide a day into whole seconds.
    #[error("per_day must be a divisor of 86400 (such as 144 or 96), found {per_day}")]
    InvalidPerDay {
        /// The value given.
        per_day: u32,
    },

    /// A number of slots per day was given for a scheme whose days are fixed.
    #[error(
        "the {scheme} scheme has 144 intervals per day, not {per_day}; per_day applies to the bluezone scheme"
    )]
    PerDayFixed {
        /// The scheme's name.
        scheme: &'static str,
        /// The value given.
        per_day: u32,
    },

    /// A `bluezone` ID was asked for too many days after its key's day.
    #[error(
        "interval {interval} is {days} days after the key's day; the bluezone scheme chains at most {max} days"
    )]
    ChainTooLong {
        /// The interval asked for.
        interval: u32,
        /// Days between the key's day and the interval's.
        days: u64,
        /// The largest number of days allowed.
        max: u64,
    },

    /// A scheme name is not one of the known schemes.
    #[error("unknown scheme {name:?}: expected one of gaen, bluezone, b3")]
    UnknownScheme {
        /// The name given.
        name: String,
    },

    /// An ID has the wrong length.
    #[error("an ID is {expected} bytes, found {found}")]
    IdLength {
        /// The expected length.
        expected: usize,
        /// The length given.
        found: usize,
    },

    /// Columns of one table differ in length.
    #[error("the {column} column has {found} values, {expected} expected")]
    ColumnLength {
        /// The column that differs.
        column: &'static str,
        /// The number of rows.
        expected: usize,
        /// The column's length.
        found: usize,
    },

    /// A published key is invalid.
    #[error("key {index}: {reason}")]
    InvalidKey {
        /// The key's 0-based index.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// A table has more rows than row numbers can count.
    #[error("{rows} rows is more than the {max} that row numbers can count", max = u32::MAX)]
    TooManyRows {
        /// The number of rows.
        rows: usize,
    },

    /// The keys, the log or the index were made for different schemes.
    #[error("scheme mismatch: {0}")]
    SchemeMismatch(String),

    /// A tolerance is larger than the index accepts.
    #[error("a tolerance of {seconds} s is more than the {max} s allowed")]
    InvalidTolerance {
        /// The tolerance given, in seconds.
        seconds: u32,
        /// The largest tolerance accepted.
        max: u32,
    },

    /// A thread pool could not be built.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// The number of threads asked for.
        threads: usize,
        /// Why it failed.
        reason: String,
    },

    /// A file or buffer could not be read: its name, the 1-based line (or
    /// the byte offset, for binary formats), the column when there is one,
    /// and what is wrong.
    #[error("{}", parse_message(.file, .position, .column.as_deref(), .message))]
    Parse {
        /// The file's name, or a description of the buffer.
        file: String,
        /// Where in it.
        position: Position,
        /// The column or field, when there is one.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },

    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
}

/// A place in an input: a line of a text file or a byte offset of a binary
/// one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// A 1-based line number.
    Line(u64),
    /// A 0-based byte offset.
    Offset(u64),
    /// The input as a whole.
    Whole,
}

fn parse_message(file: &str, position: &Position, column: Option<&str>, message: &str) -> String {
    let place = match position {
        Position::Line(line) => format!("{file}:{line}"),
        Position::Offset(offset) => format!("{file}: byte {offset}"),
        Position::Whole => file.to_owned(),
    };
    match column {
        Some(column) => format!("{place}: column {column}: {message}"),
        None => format!("{place}: {message}"),
    }
}
