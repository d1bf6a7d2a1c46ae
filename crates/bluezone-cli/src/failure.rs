//! Why a command failed, as one line for standard error.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// A failed command.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line is wrong (exit status 2).
    Usage(String),
    /// The work failed (exit status 1).
    Failed(String),
    /// Standard output was closed by its reader.
    BrokenPipe,
}

impl Failure {
    /// A usage error about one option.
    pub(crate) fn option(option: &str, problem: impl fmt::Display) -> Self {
        Failure::Usage(format!("{option}: {problem}"))
    }

    /// A clap parse error, folded into one line.
    pub(crate) fn from_clap(err: &clap::Error) -> Self {
        let rendered = err.render().to_string();
        let line = rendered
            .lines()
            .map(str::trim)
            .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
            .collect::<Vec<_>>()
            .join(" ");
        let line = line.strip_prefix("error: ").unwrap_or(&line);
        Failure::Usage(format!("{line} (see bluezone --help)"))
    }

    /// The process exit status of this failure.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Usage(_) => ExitCode::from(2),
            Failure::Failed(_) => ExitCode::FAILURE,
            Failure::BrokenPipe => ExitCode::SUCCESS,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(message) | Failure::Failed(message) => f.write_str(message),
            Failure::BrokenPipe => f.write_str("standard output was closed"),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        if err.kind() == io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Failed(format!("cannot write the output: {err}"))
        }
    }
}

impl From<bluezone::Error> for Failure {
    fn from(err: bluezone::Error) -> Self {
        Failure::Failed(err.to_string())
    }
}
