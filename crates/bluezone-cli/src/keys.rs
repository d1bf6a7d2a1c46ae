//! `bluezone keys`: inspect, convert, verify and sign published key files.
//!
//! Contract (other tools call it):
//! - `bluezone keys inspect FILE` prints `name: value` lines: the format,
//!   the number of keys, the time span and the signature status;
//! - `bluezone keys convert FILE --to csv|bzk|gaen OUT` writes the keys in
//!   another format (`-` for standard output);
//! - `bluezone keys verify FILE --public-key PEM` exits 0 only when the
//!   signature verifies;
//! - `bluezone keys export FILE --private-key PEM OUT` writes a signed
//!   export.

use std::io::Write;
use std::path::{Path, PathBuf};

use bluezone::formats::gaen_export::{self, ExportOptions, SignatureStatus};
use bluezone::formats::load::{LoadedKeys, load_keys};
use bluezone::formats::{bzk, csv};
use bluezone::{Scheme, SchemeKind};

use crate::args;
use crate::failure::Failure;
use crate::utc;

/// Subcommands of `bluezone keys`.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum KeysCommand {
    /// Print a key file's format, number of keys, time span and signature
    /// status.
    Inspect(InspectArgs),
    /// Write the keys of a file in another format.
    Convert(ConvertArgs),
    /// Exit 0 only when an export's signature verifies with a public key.
    Verify(VerifyArgs),
    /// Write the keys as signed Exposure Notification exports.
    Export(ExportArgs),
}

/// The file and scheme options that every subcommand shares.
#[derive(clap::Args, Debug)]
pub(crate) struct Source {
    /// The key file: keys CSV, Exposure Notification export (zip or
    /// export.bin), native batch (.bzk) or Bluezone F0 payload (JSON).
    file: PathBuf,
    /// The scheme of the keys [default: the file's; for a CSV, bluezone
    /// when the keys are 32 bytes, gaen otherwise].
    #[arg(long, value_parser = args::scheme_kind)]
    scheme: Option<SchemeKind>,
}

impl Source {
    fn load(&self) -> Result<LoadedKeys, Failure> {
        Ok(load_keys(&self.file, self.scheme)?)
    }
}

/// Arguments of `bluezone keys inspect`.
#[derive(clap::Args, Debug)]
pub(crate) struct InspectArgs {
    #[command(flatten)]
    source: Source,
    /// A PEM public key to verify an export's signature with.
    #[arg(long, value_name = "PEM")]
    public_key: Option<PathBuf>,
    /// Slots per day of bluezone keys [default: the file's, or 144].
    #[arg(long, value_name = "P", value_parser = args::per_day)]
    per_day: Option<u32>,
}

/// The formats that `convert` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The keys CSV.
    Csv,
    /// The native batch file.
    Bzk,
    /// A bare, unsigned Exposure Notification export.bin.
    Gaen,
}

/// Arguments of `bluezone keys convert`.
#[derive(clap::Args, Debug)]
pub(crate) struct ConvertArgs {
    #[command(flatten)]
    source: Source,
    /// The format to write.
    #[arg(long, value_enum)]
    to: Target,
    /// Where to write: a file, or `-` for standard output.
    out: String,
    /// Slots per day of bluezone keys, for the native batch [default: the
    /// file's, or 144].
    #[arg(long, value_name = "P", value_parser = args::per_day)]
    per_day: Option<u32>,
}

/// Arguments of `bluezone keys verify`.
#[derive(clap::Args, Debug)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    source: Source,
    /// The PEM public key (`-----BEGIN PUBLIC KEY-----`, P-256).
    #[arg(long, value_name = "PEM")]
    public_key: PathBuf,
}

/// Arguments of `bluezone keys export`.
#[derive(clap::Args, Debug)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    source: Source,
    /// The PEM private key (PKCS#8 or SEC1, P-256) to sign with.
    #[arg(long, value_name = "PEM")]
    private_key: PathBuf,
    /// The export zip to write; when the keys need several files, they are
    /// written beside it as NAME-1-of-N.zip, NAME-2-of-N.zip, …
    out: PathBuf,
    /// The region of the keys, such as a country code.
    #[arg(long, default_value = "")]
    region: String,
    /// The identifier of the verification key.
    #[arg(long, default_value = "")]
    key_id: String,
    /// The version of the verification key.
    #[arg(long, default_value = "v1")]
    key_version: String,
    /// The most keys in one file.
    #[arg(long, value_name = "N", default_value_t = 750_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    max_keys_per_file: u64,
}

/// Runs `bluezone keys …`.
pub(crate) fn run(command: &KeysCommand, out: &mut impl Write) -> Result<(), Failure> {
    match command {
        KeysCommand::Inspect(args) => inspect(args, out),
        KeysCommand::Convert(args) => convert(args, out),
        KeysCommand::Verify(args) => verify(args, out),
        KeysCommand::Export(args) => export(args),
    }
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|err| {
        Failure::Failed(format!("{}: cannot read the {what}: {err}", path.display()))
    })
}

fn inspect(args: &InspectArgs, out: &mut impl Write) -> Result<(), Failure> {
    use std::fmt::Write as _;
    let loaded = args.source.load()?;
    let keys = &loaded.keys;
    let per_day = per_day(keys.kind(), args.per_day, loaded.per_day, &args.source.file)?;
    let scheme = Scheme::new(
        keys.kind(),
        (keys.kind() == SchemeKind::Bluezone).then_some(per_day),
    )?;
    // Everything is worked out before anything is printed: a failure (a bad
    // public key) prints nothing.
    let signature = signature_status(&loaded, args.public_key.as_deref())?;
    let mut text = String::new();
    let _ = writeln!(text, "format: {}", loaded.format);
    let _ = writeln!(text, "keys: {}", keys.len());
    let _ = writeln!(text, "scheme: {scheme}");
    let first = keys.iter().map(|key| key.window.rolling_start()).min();
    let end = keys.iter().map(|key| key.window.end()).max();
    match (first, end) {
        (Some(first), Some(end)) => {
            let length = u64::from(scheme.interval_seconds());
            let _ = writeln!(
                text,
                "span: {} to {} (intervals {first} to {})",
                utc::rfc3339(u64::from(first) * length),
                utc::rfc3339(end * length),
                end - 1
            );
        }
        _ => {
            let _ = writeln!(text, "span: none");
        }
    }
    if let Some(export) = &loaded.export {
        let bin = &export.bin;
        if let Some(region) = &bin.region {
            let _ = writeln!(text, "region: {region}");
        }
        if let (Some(num), Some(size)) = (bin.batch_num, bin.batch_size) {
            let _ = writeln!(text, "batch: {num} of {size}");
        }
    }
    let _ = writeln!(text, "signature: {signature}");
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The slots per day of `kind`'s keys: those given on the command line, or
/// the file's, or 144; a value that disagrees with the file's is an error.
fn per_day(
    kind: SchemeKind,
    given: Option<u32>,
    file: Option<u32>,
    path: &Path,
) -> Result<u32, Failure> {
    if kind != SchemeKind::Bluezone {
        return Ok(bluezone::time::INTERVALS_PER_DAY);
    }
    match (given, file) {
        (Some(given), Some(file)) if given != file => Err(Failure::option(
            "--per-day",
            format!(
                "{given} slots per day, but {} has keys of {file}",
                path.display()
            ),
        )),
        (Some(per_day), _) | (None, Some(per_day)) => Ok(per_day),
        (None, None) => Ok(bluezone::time::INTERVALS_PER_DAY),
    }
}

/// Reads a PEM key file, naming it in errors.
fn read_pem(path: &Path, what: &str) -> Result<String, Failure> {
    read_text(path, what)
}

/// Names a key file in the error of a key that did not parse.
fn name_key_error(path: &Path) -> impl Fn(bluezone::Error) -> Failure + '_ {
    move |err| Failure::Failed(format!("{}: {err}", path.display()))
}

/// The signature line of `inspect`.
fn signature_status(loaded: &LoadedKeys, public_key: Option<&Path>) -> Result<String, Failure> {
    let Some(export) = loaded
        .export
        .as_ref()
        .filter(|export| !export.signatures.is_empty())
    else {
        return Ok("none".to_owned());
    };
    let count = export.signatures.len();
    let Some(path) = public_key else {
        return Ok(format!(
            "{count} signature(s), not checked (give --public-key)"
        ));
    };
    Ok(
        match export
            .verify(&read_pem(path, "public key")?)
            .map_err(name_key_error(path))?
        {
            SignatureStatus::Valid { index } => {
                format!("valid (signature {} of {count})", index + 1)
            }
            SignatureStatus::Invalid { .. } => {
                format!("INVALID ({count} signature(s), none verifies)")
            }
        },
    )
}

fn convert(args: &ConvertArgs, stdout: &mut impl Write) -> Result<(), Failure> {
    let loaded = args.source.load()?;
    let keys = &loaded.keys;
    let mut bytes = Vec::new();
    match args.to {
        Target::Csv => csv::write_keys(keys, &mut bytes)?,
        Target::Bzk => {
            let per_day = per_day(keys.kind(), args.per_day, loaded.per_day, &args.source.file)?;
            bzk::write(keys, per_day, &mut bytes, &args.out)?;
        }
        Target::Gaen => {
            // An export keeps its header fields; other files get defaults.
            let options = loaded
                .export
                .as_ref()
                .map_or_else(ExportOptions::default, |export| ExportOptions {
                    region: export.bin.region.clone().unwrap_or_default(),
                    start_timestamp: export.bin.start_timestamp,
                    end_timestamp: export.bin.end_timestamp,
                    ..ExportOptions::default()
                });
            gaen_export::write_export_bin(keys, &options, &mut bytes)
                .map_err(name_key_error(&args.source.file))?;
        }
    }
    if args.out == "-" {
        stdout.write_all(&bytes)?;
    } else {
        std::fs::write(&args.out, &bytes)
            .map_err(|err| Failure::Failed(format!("{}: cannot write: {err}", args.out)))?;
    }
    Ok(())
}

fn verify(args: &VerifyArgs, out: &mut impl Write) -> Result<(), Failure> {
    let loaded = args.source.load()?;
    let Some(export) = loaded
        .export
        .as_ref()
        .filter(|export| !export.signatures.is_empty())
    else {
        return Err(Failure::Failed(format!(
            "{}: the file has no signature (it is a {} file)",
            args.source.file.display(),
            loaded.format
        )));
    };
    match export
        .verify(&read_pem(&args.public_key, "public key")?)
        .map_err(name_key_error(&args.public_key))?
    {
        SignatureStatus::Valid { index } => {
            writeln!(
                out,
                "signature: valid (signature {} of {})",
                index + 1,
                export.signatures.len()
            )?;
            Ok(())
        }
        SignatureStatus::Invalid {
            signatures,
            malformed,
        } => Err(Failure::Failed(format!(
            "{}: the signature does not verify with {} ({signatures} signature(s), {malformed} malformed)",
            args.source.file.display(),
            args.public_key.display()
        ))),
    }
}

fn export(args: &ExportArgs) -> Result<(), Failure> {
    let loaded = args.source.load()?;
    let keys = &loaded.keys;
    let pem = read_pem(&args.private_key, "private key")?;
    let options = ExportOptions {
        region: args.region.clone(),
        verification_key_id: args.key_id.clone(),
        verification_key_version: args.key_version.clone(),
        max_keys_per_file: usize::try_from(args.max_keys_per_file)
            .ok()
            .and_then(std::num::NonZeroUsize::new)
            .unwrap_or(std::num::NonZeroUsize::MIN),
        ..ExportOptions::default()
    };
    let per_file = options.max_keys_per_file.get();
    let files = keys.len().div_ceil(per_file).max(1);
    let batch_size = i32::try_from(files).map_err(|_| {
        Failure::Failed(format!(
            "{files} files is more than an export batch can number"
        ))
    })?;
    // Every file is made in memory first: a failure writes no file at all.
    let mut zips = Vec::with_capacity(files);
    for batch in 0..files {
        let path = if files == 1 {
            args.out.clone()
        } else {
            numbered(&args.out, batch + 1, files)
        };
        let mut part =
            bluezone::PublishedKeys::with_capacity(keys.kind(), per_file.min(keys.len()));
        for key in keys.iter().skip(batch * per_file).take(per_file) {
            part.push_with_metadata(
                key.key,
                key.window.rolling_start(),
                key.window.rolling_period(),
                key.metadata,
            )?;
        }
        let batch_num = i32::try_from(batch + 1).unwrap_or(batch_size);
        let zip = gaen_export::write_export_zip(
            &part,
            &options,
            batch_num,
            batch_size,
            &pem,
            std::io::Cursor::new(Vec::new()),
        )
        .map_err(|err| match err {
            bluezone::Error::Parse { ref file, .. } if file == "signing key" => {
                name_key_error(&args.private_key)(err)
            }
            other => name_key_error(&args.source.file)(other),
        })?;
        zips.push((path, zip.into_inner()));
    }
    for (path, bytes) in zips {
        std::fs::write(&path, bytes)
            .map_err(|err| Failure::Failed(format!("{}: cannot write: {err}", path.display())))?;
    }
    Ok(())
}

/// `dir/name.zip` as `dir/name-N-of-M.zip`.
fn numbered(path: &Path, n: usize, of: usize) -> PathBuf {
    let stem = path.file_stem().map_or_else(
        || "export".into(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let extension = path
        .extension()
        .map_or_else(|| "zip".into(), |ext| ext.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}-{n}-of-{of}.{extension}"))
}
