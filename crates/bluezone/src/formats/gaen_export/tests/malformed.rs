//! Every kind of malformed input, with its exact error.

use std::io;

use super::*;
use crate::formats::gaen_export::archive::{Limits, read_zip};
use crate::formats::gaen_export::proto::{SignatureInfo, TekSignatureList};
use crate::formats::gaen_export::{MAX_EXPORT_SIG_BYTES, MAX_ZIP_ENTRIES};
use crate::{Error, Position};

const KEY: [u8; 16] = [0xab; 16];

#[test]
fn truncated_header() {
    assert_eq!(
        bin_error(b""),
        "export.bin: expected the 16-byte header \"EK Export v1    \", found an empty file"
    );
    assert_eq!(
        bin_error(b"EK Export v1"),
        "export.bin: expected the 16-byte header \"EK Export v1    \", found only 12 bytes"
    );
    assert_eq!(
        read_bin(b"EK"),
        Err(Error::Parse {
            file: "export.bin".to_owned(),
            position: Position::Whole,
            column: None,
            message: "expected the 16-byte header \"EK Export v1    \", found only 2 bytes"
                .to_owned(),
        })
    );
}

#[test]
fn wrong_header() {
    assert_eq!(
        bin_error(b"EK Export v2    \x3a\x00"),
        "export.bin: byte 11: expected the header \"EK Export v1    \", found \"EK Export v2    \""
    );
    assert_eq!(
        bin_error(b"EK\tExp"),
        "export.bin: byte 2: expected the header \"EK Export v1    \", found \"EK\\tExp\""
    );
    assert_eq!(
        read_bin(b"ek export v1    ").unwrap_err(),
        Error::Parse {
            file: "export.bin".to_owned(),
            position: Position::Offset(0),
            column: None,
            message: "expected the header \"EK Export v1    \", found \"ek export v1    \""
                .to_owned(),
        }
    );
}

#[test]
fn truncated_varint() {
    assert_eq!(
        bin_error(&bin_of(&[0x80])),
        "export.bin: byte 16: the file ends inside a field's tag"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x3a, 0x80, 0x80])),
        "export.bin: byte 16: column keys: the file ends inside the field's length"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x1a, 0x02, b'U', b'S', 0x20, 0xff])),
        "export.bin: byte 20: column batch_num: the file ends inside the field's value"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x09, 1, 2, 3])),
        "export.bin: byte 16: column start_timestamp: the file ends inside the field's 8-byte value"
    );
    // Inside a key message, prost reports it.
    let mut key = key_field(&key_message(&KEY, 2_642_976, None));
    let last = key.len() - 1;
    key[last] = 0x80;
    assert_eq!(
        bin_error(&bin_of(&key)),
        "export.bin: byte 16: column keys: failed to decode Protobuf message: \
         TemporaryExposureKey.rolling_start_interval_number: invalid varint"
    );
}

#[test]
fn invalid_varint() {
    assert_eq!(
        bin_error(&bin_of(&[0xff; 11])),
        "export.bin: byte 16: invalid varint in a field's tag: more than 10 bytes or 64 bits"
    );
    let mut over = vec![0x20];
    over.extend_from_slice(&[0xff; 9]);
    over.push(0x02);
    assert_eq!(
        bin_error(&bin_of(&over)),
        "export.bin: byte 16: column batch_num: invalid varint in the field's value: more than 10 bytes or 64 bits"
    );
}

#[test]
fn length_past_the_end() {
    let key = key_field(&key_message(&KEY, 2_642_976, Some(144)));
    assert_eq!(key[1], 26);
    assert_eq!(
        bin_error(&bin_of(&key[..20])),
        "export.bin: byte 16: column keys: the field's 26 bytes run past the end of the file at byte 36"
    );
    // A field that the reader skips, too.
    assert_eq!(
        bin_error(&bin_of(&[0x7a, 0x05, 1, 2])),
        "export.bin: byte 16: the field's 5 bytes run past the end of the file at byte 20"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x7d, 1, 2])),
        "export.bin: byte 16: the field's 4 bytes run past the end of the file at byte 19"
    );
    // A length that a 64-bit varint allows and no file has.
    assert_eq!(
        bin_error(&bin_of(&[
            0x7a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01
        ])),
        format!(
            "export.bin: byte 16: the field's {} bytes run past the end of the file at byte 27",
            u64::MAX
        )
    );
}

#[test]
fn oversized_length() {
    assert_eq!(
        bin_error(&bin_of(&[0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
        "export.bin: byte 16: column keys: the field's length 4294967295 is more than the 65536 bytes allowed"
    );
    let mut region = vec![0x1a, 0x81, 0x80, 0x04];
    region.resize(region.len() + 65_537, b'x');
    assert_eq!(
        bin_error(&bin_of(&region)),
        "export.bin: byte 16: column region: the field's length 65537 is more than the 65536 bytes allowed"
    );
    region[1] = 0x80;
    region.pop();
    assert_eq!(
        read_bin(&bin_of(&region)).unwrap().region.unwrap().len(),
        65_536
    );
}

#[test]
fn wrong_wire_type() {
    assert_eq!(
        bin_error(&bin_of(&[0x38, 0x01])),
        "export.bin: byte 16: column keys: expected wire type 2 (length-delimited), found 0 (varint)"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x08, 0x01])),
        "export.bin: byte 16: column start_timestamp: expected wire type 1 (64-bit), found 0 (varint)"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x1a, 0x00, 0x25, 1, 0, 0, 0])),
        "export.bin: byte 18: column batch_num: expected wire type 0 (varint), found 5 (32-bit)"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x0f])),
        "export.bin: byte 16: invalid wire type 7 in the tag of field 1"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x7b, 0x7c])),
        "export.bin: byte 16: field 15 has wire type 3 (start group), which the export format does not use"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x02, 0x00])),
        "export.bin: byte 16: invalid field number 0: expected 1 to 536870911"
    );
    // The largest field number is a field like any other; one more is not.
    assert!(read_bin(&bin_of(&[0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00])).is_ok());
    assert_eq!(
        bin_error(&bin_of(&[
            0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10
        ])),
        "export.bin: byte 22: invalid field number 536870912: expected 1 to 536870911"
    );
}

#[test]
fn undecodable_messages() {
    assert_eq!(
        bin_error(&bin_of(&[0x3a, 0x02, 0x0a, 0x05])),
        "export.bin: byte 16: column keys: failed to decode Protobuf message: \
         TemporaryExposureKey.key_data: buffer underflow"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x32, 0x02, 0x1a, 0x05])),
        "export.bin: byte 16: column signature_infos: failed to decode Protobuf message: \
         SignatureInfo.verification_key_version: buffer underflow"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x32, 0x03, 0x1a, 0x01, 0xff])),
        "export.bin: byte 16: column signature_infos: failed to decode Protobuf message: \
         SignatureInfo.verification_key_version: invalid string value: data is not UTF-8 encoded"
    );
    assert_eq!(
        bin_error(&bin_of(&[0x1a, 0x04, b'V', 0xc3, 0x28, b'N'])),
        "export.bin: byte 16: column region: expected UTF-8 text, found a byte that is not UTF-8 at byte 2 of the text"
    );
}

/// The error of an export.bin holding one key message, as field `keys`
/// after a region field, or as field `revised_keys`.
fn key_errors(key: &TemporaryExposureKey) -> (String, String) {
    let mut fields = vec![0x1a, 0x02, b'U', b'S'];
    fields.extend_from_slice(&key_field(key));
    let keys = bin_error(&bin_of(&fields));
    let mut revised = key_field(key);
    revised[0] = 0x42;
    (keys, bin_error(&bin_of(&revised)))
}

#[test]
fn invalid_keys() {
    let cases = [
        (
            TemporaryExposureKey {
                key_data: Some(vec![1; 15]),
                ..key_message(&KEY, 2_642_976, None)
            },
            "key_data: expected 16 bytes, found 15",
        ),
        (
            TemporaryExposureKey {
                key_data: None,
                ..key_message(&KEY, 2_642_976, None)
            },
            "key_data: expected 16 bytes, found none",
        ),
        (
            TemporaryExposureKey {
                rolling_start_interval_number: None,
                ..key_message(&KEY, 0, None)
            },
            "rolling_start_interval_number: expected an interval number from 0 to 2147483647, found none",
        ),
        (
            key_message(&KEY, -1, None),
            "rolling_start_interval_number: expected an interval number from 0 to 2147483647, found -1",
        ),
        (
            key_message(&KEY, 2_642_976, Some(0)),
            "rolling_period: expected a number of intervals from 1 to 144, found 0",
        ),
        (
            key_message(&KEY, 2_642_976, Some(145)),
            "rolling_period: expected a number of intervals from 1 to 144, found 145",
        ),
        (
            key_message(&KEY, 2_642_976, Some(-144)),
            "rolling_period: expected a number of intervals from 1 to 144, found -144",
        ),
    ];
    for (key, error) in cases {
        let (keys, revised) = key_errors(&key);
        assert_eq!(keys, format!("export.bin: byte 20: column keys.{error}"));
        assert_eq!(
            revised,
            format!("export.bin: byte 16: column revised_keys.{error}")
        );
    }
    // The edges that are valid.
    for (start, period) in [(0, Some(1)), (i32::MAX, Some(144)), (7, None)] {
        let bin = read_bin(&bin_of(&key_field(&key_message(&KEY, start, period)))).unwrap();
        let window = bin.keys.get(0).unwrap().window;
        assert_eq!(
            (window.rolling_start(), window.rolling_period()),
            (
                start.cast_unsigned(),
                period.map_or(144, i32::cast_unsigned)
            )
        );
    }
}

#[test]
fn read_failures() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let bin = bin_of(&[0x1a, 0x02, b'U', b'S']);
            let count = self.0.min(buf.len()).min(bin.len());
            buf[..count].copy_from_slice(&bin[..count]);
            self.0 = 0;
            Ok(count)
        }
    }
    assert_eq!(
        read_export_bin(Failing(0), "export.bin", SchemeKind::Gaen)
            .unwrap_err()
            .to_string(),
        "export.bin: byte 0: cannot read the file: disk on fire"
    );
    assert_eq!(
        read_export_bin(Failing(20), "export.bin", SchemeKind::Gaen)
            .unwrap_err()
            .to_string(),
        "export.bin: byte 20: cannot read the file: disk on fire"
    );
}

#[test]
fn not_a_zip() {
    assert_eq!(
        zip_error(b"EK Export v1    "),
        "keys.zip: not a valid zip file: invalid Zip archive: Could not find EOCD"
    );
    assert_eq!(
        zip_error(b""),
        "keys.zip: not a valid zip file: invalid Zip archive: Could not find EOCD"
    );
    let zip = fixture(SIGNED);
    assert_eq!(
        zip_error(&zip[..zip.len() - 30]),
        "keys.zip: not a valid zip file: invalid Zip archive: Could not find EOCD"
    );
}

#[test]
fn missing_entries() {
    let bin = signed_bin();
    let sig = signed_sig();
    assert_eq!(
        zip_error(&zip_of(&[("export.sig", &sig)])),
        "keys.zip: the zip has no export.bin entry"
    );
    assert_eq!(
        zip_error(&zip_of(&[("export.bin", &bin), ("EXPORT.SIG", &sig)])),
        "keys.zip: the zip has no export.sig entry"
    );
    // Other entries are allowed, up to 16 in all.
    let names: Vec<String> = (0..MAX_ZIP_ENTRIES).map(|n| format!("extra-{n}")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("export.bin", &bin), ("export.sig", &sig)];
    entries.extend(names[2..].iter().map(|name| (name.as_str(), &b""[..])));
    assert_eq!(entries.len(), 16);
    assert!(read_export_zip_bytes(&zip_of(&entries), "keys.zip", SchemeKind::Gaen).is_ok());
    entries.push(("extra", b""));
    assert_eq!(
        zip_error(&zip_of(&entries)),
        "keys.zip: the zip holds 17 entries, more than the 16 allowed"
    );
}

#[test]
fn entries_are_capped_on_their_real_size() {
    let zip = fixture(SIGNED);
    let limits = Limits {
        bin: 135,
        sig: 115,
        entries: 2,
    };
    let read = |limits: &Limits| {
        read_zip(Cursor::new(&zip), "keys.zip", SchemeKind::Gaen, limits)
            .map(|export| export.bin.keys.len())
            .map_err(|err| err.to_string())
    };
    assert_eq!(read(&limits), Ok(2));
    assert_eq!(
        read(&Limits { bin: 134, ..limits }),
        Err("keys.zip/export.bin: decompresses to more than 134 bytes, the most allowed for export.bin"
            .to_owned())
    );
    assert_eq!(
        read(&Limits { sig: 114, ..limits }),
        Err("keys.zip/export.sig: decompresses to more than 114 bytes, the most allowed for export.sig"
            .to_owned())
    );
    assert_eq!(
        read(&Limits {
            entries: 1,
            ..limits
        }),
        Err("keys.zip: the zip holds 2 entries, more than the 1 allowed".to_owned())
    );

    // A signature file that inflates past 1 MiB, under the real limits.
    let bomb = vec![0u8; usize::try_from(MAX_EXPORT_SIG_BYTES).unwrap() + 1];
    let zip = zip_of(&[("export.bin", &signed_bin()), ("export.sig", &bomb)]);
    assert!(zip.len() < 4_096);
    assert_eq!(
        zip_error(&zip),
        "keys.zip/export.sig: decompresses to more than 1048576 bytes, the most allowed for export.sig"
    );
}

#[test]
fn entry_errors_name_the_entry() {
    let sig = signed_sig();
    let bin = bin_of(&[0x3a, 0x02, 0x0a]);
    assert_eq!(
        zip_error(&zip_of(&[("export.bin", &bin), ("export.sig", &sig)])),
        "keys.zip/export.bin: byte 16: column keys: the field's 2 bytes run past the end of the file at byte 19"
    );
    assert_eq!(
        zip_error(&zip_of(&[
            ("export.bin", &signed_bin()),
            ("export.sig", &[0x0a, 0x05])
        ])),
        "keys.zip/export.sig: failed to decode Protobuf message: TekSignatureList.signatures: buffer underflow"
    );
    // A corrupted entry fails its checksum.
    let mut zip = zip_of(&[("export.sig", &sig), ("export.bin", &vec![0x41; 1000])]);
    let data = zip.windows(10).position(|w| w == b"export.bin").unwrap() + 10;
    zip[data + 3] ^= 0x01;
    let err = zip_error(&zip);
    assert!(err.starts_with("keys.zip/export.bin: "), "{err}");
}

#[test]
fn empty_lists_and_unknown_fields_read() {
    // No fields at all.
    let bin = read_bin(HEADER).unwrap();
    assert!(bin.keys.is_empty());
    assert_eq!(bin.region, None);
    assert_eq!(bin.len, 16);
    // Unknown fields of every wire type are skipped, and hashed.
    let mut fields = vec![0x78, 0x96, 0x01]; // field 15, varint
    fields.extend_from_slice(&[0x79, 1, 2, 3, 4, 5, 6, 7, 8]); // field 15, 64-bit
    fields.extend_from_slice(&[0x7d, 1, 2, 3, 4]); // field 15, 32-bit
    fields.extend_from_slice(&[0x7a, 0x03, 1, 2, 3]); // field 15, length-delimited
    fields.extend_from_slice(&key_field(&key_message(&KEY, 5, Some(6))));
    fields.extend_from_slice(&[0x82, 0x01, 0x00]); // field 16, empty
    let bytes = bin_of(&fields);
    let bin = read_bin(&bytes).unwrap();
    assert_eq!(bin.keys.len(), 1);
    assert_eq!(bin.len, bytes.len() as u64);
    // A signature list may be empty.
    let empty = encoded(&TekSignatureList::default());
    assert!(empty.is_empty());
    let export = read_export_zip_bytes(
        &zip_of(&[("export.bin", &bytes), ("export.sig", &empty)]),
        "keys.zip",
        SchemeKind::Gaen,
    )
    .unwrap();
    assert!(export.signatures.is_empty());
    // Signature infos are read whole.
    let info = SignatureInfo {
        verification_key_id: Some("452".to_owned()),
        ..SignatureInfo::default()
    };
    let mut fields = vec![0x32, 0x05];
    fields.extend_from_slice(&encoded(&info));
    assert_eq!(read_bin(&bin_of(&fields)).unwrap().signature_infos, [info]);
}
