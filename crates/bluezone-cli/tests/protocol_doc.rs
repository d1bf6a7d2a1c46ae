//! Runs every `$ bluezone …` transcript in `docs/PROTOCOL.md` and compares
//! the output byte for byte.

use std::path::Path;
use std::process::Command;

/// A transcript: the arguments after `bluezone`, and the expected output.
struct Transcript {
    line: usize,
    args: Vec<String>,
    output: String,
}

fn transcripts(doc: &str) -> Vec<Transcript> {
    let mut found = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let (number, command) = lines.next().expect("a console block has a command");
        let command = command
            .strip_prefix("$ bluezone ")
            .unwrap_or_else(|| panic!("line {}: expected `$ bluezone …`", number + 1));
        let mut output = String::new();
        for (_, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            output.push_str(line);
            output.push('\n');
        }
        found.push(Transcript {
            line: number + 1,
            args: command.split_whitespace().map(str::to_owned).collect(),
            output,
        });
    }
    found
}

#[test]
fn every_transcript_reproduces() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PROTOCOL.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let transcripts = transcripts(&doc);
    assert!(transcripts.len() >= 5, "the transcripts were not found");
    for transcript in transcripts {
        let run = Command::new(env!("CARGO_BIN_EXE_bluezone"))
            .args(&transcript.args)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "docs/PROTOCOL.md line {}: {:?}",
            transcript.line,
            run
        );
        assert_eq!(
            String::from_utf8(run.stdout).unwrap(),
            transcript.output,
            "docs/PROTOCOL.md line {}",
            transcript.line
        );
    }
}
