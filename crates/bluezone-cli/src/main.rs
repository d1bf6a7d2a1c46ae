//! `bluezone`: the command-line face of the bluezone library.
//!
//! Every error ends the program with a non-zero status and one line on
//! standard error, `bluezone: error: …`, so that scripts can rely on it.

mod args;
mod bench;
mod demo;
mod derive;
mod failure;
mod heap;
mod keygen;
mod keys;
mod matching;
mod utc;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;
use crate::heap::CountingAllocator;

/// Counts heap use, for the peak-memory column of `bluezone bench`.
#[global_allocator]
static HEAP: CountingAllocator = CountingAllocator::new();

/// Derive and match the ephemeral IDs of Bluetooth exposure notification.
#[derive(Parser, Debug)]
#[command(name = "bluezone", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the IDs of a key for a range of intervals, one `N<TAB>ID_HEX` line each.
    Derive(derive::DeriveArgs),
    /// Print a fresh random daily key, in hex.
    Keygen(keygen::KeygenArgs),
    /// The main job, end to end: a fresh key and today's IDs, then a national
    /// day of published keys matched against a phone's log.
    Demo(demo::DemoArgs),
    /// Match published keys against an encounter log; prints CSV
    /// `key_index,interval,encounter_index`.
    Match(matching::MatchArgs),
    /// Inspect, convert, verify and sign published key files.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Measure the matcher on the benchmark scenarios and print a table.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version: print and succeed.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => return report(&Failure::from_clap(&err)),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = match cli.command {
        Command::Derive(args) => derive::run(&args, &mut out),
        Command::Keygen(args) => keygen::run(&args, &mut out),
        Command::Demo(args) => demo::run(&args, &mut out),
        Command::Match(args) => matching::run(&args, &mut out),
        Command::Keys(command) => keys::run(&command, &mut out),
        Command::Bench(args) => bench::run(&args, &HEAP, &mut out),
    }
    .and_then(|()| out.flush().map_err(Failure::from));
    match result {
        // A reader that stops early (`bluezone derive … | head`) is not an error.
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

/// Prints a failure as one line on standard error.
fn report(failure: &Failure) -> ExitCode {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "bluezone: error: {failure}");
    failure.exit_code()
}
