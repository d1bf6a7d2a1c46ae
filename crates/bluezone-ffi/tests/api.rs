//! The C API used as intended, through the exported functions themselves:
//! the protocol's test vectors, every key format, signatures, logs from
//! files, and matching from several threads at once.

#![warn(clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::ptr;

use bluezone_ffi::*;

const OK: bz_result = bz_result::Ok;
const B3: u32 = bz_scheme::B3 as u32;
const GAEN: u32 = bz_scheme::Gaen as u32;
const BLUEZONE: u32 = bz_scheme::Bluezone as u32;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bluezone/tests/fixtures")
        .join(path)
}

fn c_path(path: &Path) -> CString {
    CString::new(path.to_str().unwrap()).unwrap()
}

fn unhex(text: &str) -> Vec<u8> {
    bluezone::hex::decode_vec(text).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bluezone::hex::encode(bytes)
}

/// The calling thread's last error message.
fn last_error() -> String {
    let mut buf = [0 as c_char; 1024];
    let mut len = 0;
    // SAFETY: `buf` holds 1024 bytes and `len` is a local.
    let result = unsafe { bz_last_error_message(buf.as_mut_ptr(), buf.len(), &raw mut len) };
    assert_eq!(result, OK);
    // SAFETY: the function NUL-terminates what it writes.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

/// Asserts that a call succeeded, showing the message when not.
fn ok(result: bz_result) {
    assert_eq!(result, OK, "{}", last_error());
}

/// Derives `count` IDs into a fresh buffer.
fn derive(scheme: u32, per_day: u32, key: &[u8], start: u32, first: u32, count: usize) -> Vec<u8> {
    let mut out = vec![0u8; count * bz_scheme_id_len(scheme)];
    // SAFETY: the buffers are valid for their lengths.
    ok(unsafe {
        bz_derive_range(
            scheme,
            per_day,
            key.as_ptr(),
            key.len(),
            start,
            first,
            count,
            out.as_mut_ptr(),
            out.len(),
        )
    });
    out
}

#[test]
fn derivation_gives_the_protocol_vectors() {
    let ids = derive(
        GAEN,
        0,
        &unhex("75c734c6dd1a782de7a965da5eb93125"),
        2_642_976,
        2_642_976,
        3,
    );
    assert_eq!(
        hex(&ids),
        "8be6cd371c5c891604bfbe49df8450963c9a1de5dd6b02afa7fded7b570b3e56243ffe9a3b08bded3094bac8630bb8ad"
    );
    let key: Vec<u8> = (0..32).collect();
    let ids = derive(BLUEZONE, 96, &key, 1_761_408, 1_761_408, 3);
    assert_eq!(
        hex(&ids),
        "130cea6472130c185d8643df893dae342437130ce5e23837648c30b3a8352feac3721277"
    );
    let ids = derive(B3, 0, &key[..16], 2_642_976, 2_642_977, 2);
    assert_eq!(
        hex(&ids),
        "1d30034591550d02c5fe8d13e9950bca1f16d4047ec3d376f71e7da489344153"
    );
}

#[test]
fn derivation_writes_only_the_ids_into_a_larger_buffer() {
    let key = [7u8; 16];
    let mut out = [0xee_u8; 40];
    // SAFETY: the buffers are valid for their lengths.
    ok(unsafe {
        bz_derive_range(
            B3,
            144,
            key.as_ptr(),
            16,
            10,
            10,
            2,
            out.as_mut_ptr(),
            out.len(),
        )
    });
    assert_eq!(&out[..32], &derive(B3, 0, &key, 10, 10, 2)[..]);
    assert_eq!(&out[32..], &[0xee; 8]);
    assert_eq!(last_error(), "");
}

#[test]
fn metadata_gives_the_gaen_vector_and_decrypts_in_place() {
    let tek = unhex("75c734c6dd1a782de7a965da5eb93125");
    let rpi = unhex("8be6cd371c5c891604bfbe49df845096");
    let metadata = [0x40, 0x08, 0x00, 0x00];
    let mut buffer = [0u8; 4];
    // SAFETY: the buffers are valid for their lengths.
    ok(unsafe {
        bz_gaen_encrypt_metadata(
            tek.as_ptr(),
            16,
            rpi.as_ptr(),
            16,
            metadata.as_ptr(),
            4,
            buffer.as_mut_ptr(),
            4,
        )
    });
    assert_eq!(hex(&buffer), "72033874");
    let sealed = buffer.as_mut_ptr();
    // SAFETY: `out` may be the input buffer, by contract.
    ok(unsafe {
        bz_gaen_decrypt_metadata(tek.as_ptr(), 16, rpi.as_ptr(), 16, sealed, 4, sealed, 4)
    });
    assert_eq!(buffer, metadata);
}

#[test]
fn generated_keys_have_the_scheme_length_and_differ() {
    for scheme in [GAEN, BLUEZONE, B3] {
        let mut a = [0u8; 40];
        let mut b = [0u8; 40];
        // SAFETY: the buffers are valid for their lengths.
        unsafe {
            ok(bz_generate_key(scheme, a.as_mut_ptr(), a.len()));
            ok(bz_generate_key(scheme, b.as_mut_ptr(), b.len()));
        }
        let len = bz_scheme_key_len(scheme);
        assert_ne!(a[..len], b[..len]);
        assert!(
            a[len..].iter().all(|&byte| byte == 0),
            "bytes past the key were written"
        );
    }
}

#[test]
fn schemes_by_number_and_name() {
    assert_eq!((bz_scheme_key_len(GAEN), bz_scheme_id_len(GAEN)), (16, 16));
    assert_eq!(
        (bz_scheme_key_len(BLUEZONE), bz_scheme_id_len(BLUEZONE)),
        (32, 12)
    );
    assert_eq!((bz_scheme_key_len(B3), bz_scheme_id_len(B3)), (16, 16));
    let (mut schemes, mut count) = ([0u32; 5], 0);
    // SAFETY: NULL with capacity 0, then a local array and its length.
    unsafe {
        ok(bz_schemes(ptr::null_mut(), 0, &raw mut count));
        assert_eq!(count, BZ_SCHEME_COUNT);
        count = 0;
        ok(bz_schemes(
            schemes.as_mut_ptr(),
            schemes.len(),
            &raw mut count,
        ));
    }
    assert_eq!(count, BZ_SCHEME_COUNT);
    assert_eq!(
        schemes,
        [GAEN, BLUEZONE, B3, 0, 0],
        "past the count untouched"
    );
    for scheme in [GAEN, BLUEZONE, B3] {
        // SAFETY: a static string for a valid scheme.
        let name = unsafe { CStr::from_ptr(bz_scheme_name(scheme)) };
        let mut back = 0;
        // SAFETY: a NUL-terminated name and a local.
        ok(unsafe { bz_scheme_from_name(name.as_ptr(), &raw mut back) });
        assert_eq!(back, scheme);
    }
    let mut seconds = 0;
    // SAFETY: a local.
    unsafe {
        ok(bz_scheme_interval_seconds(GAEN, 144, &raw mut seconds));
        assert_eq!(seconds, 600);
        ok(bz_scheme_interval_seconds(BLUEZONE, 0, &raw mut seconds));
        assert_eq!(seconds, 600);
        ok(bz_scheme_interval_seconds(BLUEZONE, 96, &raw mut seconds));
        assert_eq!(seconds, 900);
    }
}

/// Owns a handle and frees it on drop.
struct Keys(*mut bz_keys);

impl Drop for Keys {
    fn drop(&mut self) {
        // SAFETY: a handle made by the library, or NULL.
        unsafe { bz_keys_free(self.0) };
    }
}

fn load_keys_file(path: &Path, scheme: u32) -> Keys {
    let mut keys = ptr::null_mut();
    let path = c_path(path);
    // SAFETY: a NUL-terminated path and a local.
    ok(unsafe { bz_keys_load_file(path.as_ptr(), scheme, &raw mut keys) });
    Keys(keys)
}

fn load_keys_bytes(bytes: &[u8], scheme: u32) -> Result<Keys, bz_result> {
    let mut keys = ptr::null_mut();
    // SAFETY: the bytes are valid for their length; a local.
    match unsafe { bz_keys_load_bytes(bytes.as_ptr(), bytes.len(), scheme, &raw mut keys) } {
        bz_result::Ok => Ok(Keys(keys)),
        code => Err(code),
    }
}

fn key_at(keys: &Keys, index: usize) -> (String, u32, u32) {
    let mut key = [0u8; BZ_MAX_KEY_LEN];
    let (mut start, mut period) = (0, 0);
    // SAFETY: a live handle and locals.
    ok(unsafe {
        bz_keys_get(
            keys.0,
            index,
            key.as_mut_ptr(),
            key.len(),
            &raw mut start,
            &raw mut period,
        )
    });
    // SAFETY: a live handle.
    let len = bz_scheme_key_len(unsafe { bz_keys_scheme(keys.0) });
    (hex(&key[..len]), start, period)
}

#[test]
fn keys_load_from_every_format_in_files_and_memory() {
    let zip_path = fixture("gaen/testExport-2-records-1-of-1.zip");
    let zip = load_keys_file(&zip_path, BZ_SCHEME_AUTO);
    // SAFETY: live handles.
    unsafe {
        assert_eq!(
            (
                bz_keys_len(zip.0),
                bz_keys_scheme(zip.0),
                bz_keys_per_day(zip.0)
            ),
            (2, GAEN, 0)
        );
    }
    assert_eq!(
        key_at(&zip, 1),
        (
            "2b63053ac483238de176169e861f3dcd".to_owned(),
            2_649_866,
            114
        )
    );
    let from_memory = load_keys_bytes(&std::fs::read(&zip_path).unwrap(), BZ_SCHEME_AUTO).unwrap();
    assert_eq!(key_at(&from_memory, 0), key_at(&zip, 0));

    let bin = load_keys_file(&fixture("gaen/internals-export.bin"), BZ_SCHEME_AUTO);
    // SAFETY: a live handle.
    assert_eq!(unsafe { bz_keys_len(bin.0) }, 200);

    let payload = load_keys_file(&fixture("bluezone/f0_payload.json"), BZ_SCHEME_AUTO);
    // SAFETY: a live handle.
    unsafe {
        assert_eq!(
            (
                bz_keys_len(payload.0),
                bz_keys_scheme(payload.0),
                bz_keys_per_day(payload.0)
            ),
            (2, BLUEZONE, 144)
        );
    }
    let csv = format!(
        "key,rolling_start,rolling_period\n{},2642976,144\n",
        "ab".repeat(16)
    );
    let b3 = load_keys_bytes(csv.as_bytes(), B3).unwrap();
    // SAFETY: a live handle.
    assert_eq!(unsafe { bz_keys_scheme(b3.0) }, B3);
    let auto = load_keys_bytes(csv.as_bytes(), BZ_SCHEME_AUTO).unwrap();
    // SAFETY: a live handle.
    assert_eq!(unsafe { bz_keys_scheme(auto.0) }, GAEN);
}

#[test]
fn signed_exports_verify_against_their_public_key_only() {
    let zip = load_keys_file(
        &fixture("gaen/testExport-2-records-1-of-1.zip"),
        BZ_SCHEME_AUTO,
    );
    let verify = |pem: &[u8]| {
        // SAFETY: a live handle and a buffer valid for its length.
        unsafe { bz_keys_verify_signature(zip.0, pem.as_ptr(), pem.len()) }
    };
    assert_eq!(
        verify(&std::fs::read(fixture("gaen/public.pem")).unwrap()),
        OK
    );
    assert_eq!(
        verify(&std::fs::read(fixture("gaen/test-public.pem")).unwrap()),
        bz_result::SignatureInvalid
    );
    assert_eq!(
        last_error(),
        "bz_keys_verify_signature: no signature of the export verifies with the public key (1 signatures, 0 malformed)"
    );
    assert_eq!(verify(b"not a key"), bz_result::PublicKey);
    assert!(last_error().starts_with("bz_keys_verify_signature: public key: expected a PEM block"));
}

/// Owns a log handle.
struct Log(*mut bz_log);

impl Drop for Log {
    fn drop(&mut self) {
        // SAFETY: a handle made by the library, or NULL.
        unsafe { bz_log_free(self.0) };
    }
}

#[test]
fn logs_load_from_both_formats() {
    let mut log = ptr::null_mut();
    let path = c_path(&fixture("bluezone/data_trace.txt"));
    // SAFETY: a NUL-terminated path and a local.
    ok(unsafe { bz_log_load_file(path.as_ptr(), 12, &raw mut log) });
    let log = Log(log);
    // SAFETY: a live handle and locals.
    unsafe {
        assert!(bz_log_len(log.0) >= 3);
        assert_eq!(bz_log_id_len(log.0), 12);
        let mut id = [0u8; 12];
        let (mut time, mut rssi) = (0, 0);
        ok(bz_log_get(
            log.0,
            1,
            id.as_mut_ptr(),
            id.len(),
            &raw mut time,
            &raw mut rssi,
        ));
        assert_eq!(hex(&id), "893dae342437130ce5e23837");
        assert_eq!((time, rssi), (1_585_786_323, -67));
    }

    let dir = std::env::temp_dir().join(format!("bluezone-ffi-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("encounters.csv");
    std::fs::write(
        &csv,
        format!("id,time,rssi\n{},1000,-61\n", "cd".repeat(16)),
    )
    .unwrap();
    let mut log = ptr::null_mut();
    let path = c_path(&csv);
    // SAFETY: a NUL-terminated path and a local.
    ok(unsafe { bz_log_load_file(path.as_ptr(), 16, &raw mut log) });
    let log = Log(log);
    // SAFETY: a live handle.
    assert_eq!(unsafe { bz_log_len(log.0) }, 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A log with the IDs of `keys` planted at the given (key, offset) pairs,
/// plus noise; returns the log and the expected matches.
fn planted(
    scheme: u32,
    keys: &[[u8; 16]],
    start: u32,
    plants: &[(u32, u32)],
) -> (Log, Vec<(u32, u32, u32)>) {
    let id_len = bz_scheme_id_len(scheme);
    let mut ids = Vec::new();
    let mut times = Vec::new();
    let mut expected = Vec::new();
    for (row, &(key, offset)) in plants.iter().enumerate() {
        ids.extend(derive(
            scheme,
            0,
            &keys[key as usize],
            start,
            start + offset,
            1,
        ));
        times.push(i64::from(start + offset) * 600 + 100);
        expected.push((key, 2 * row as u32, start + offset));
        // Noise after each plant.
        ids.extend((0..id_len).map(|i| (row * 31 + i * 7) as u8));
        times.push(i64::from(start) * 600 + i64::try_from(row).unwrap() * 1000);
    }
    expected.sort_unstable();
    let rssi = vec![-60_i8; times.len()];
    let mut log = ptr::null_mut();
    // SAFETY: the arrays hold `times.len()` rows; a local.
    ok(unsafe {
        bz_log_new(
            ids.as_ptr(),
            id_len,
            times.as_ptr(),
            rssi.as_ptr(),
            times.len(),
            &raw mut log,
        )
    });
    // In the matcher's order: key, then sighting, then interval.
    (
        Log(log),
        expected
            .into_iter()
            .map(|(k, row, i)| (k, i, row))
            .collect(),
    )
}

/// Owns matches.
struct Matches(*mut bz_matches);

impl Drop for Matches {
    fn drop(&mut self) {
        // SAFETY: a handle made by the library, or NULL.
        unsafe { bz_matches_free(self.0) };
    }
}

/// Owns an index.
struct Index(*mut bz_index);

impl Drop for Index {
    fn drop(&mut self) {
        // SAFETY: a handle made by the library, or NULL.
        unsafe { bz_index_free(self.0) };
    }
}

/// Every match, through `bz_matches_get`, checked against the bulk copy.
fn rows(matches: &Matches) -> Vec<(u32, u32, u32)> {
    // SAFETY: a live handle, locals, and arrays of `len` elements.
    unsafe {
        let len = bz_matches_len(matches.0);
        let mut rows = Vec::new();
        for i in 0..len {
            let (mut k, mut interval, mut e) = (0, 0, 0);
            ok(bz_matches_get(
                matches.0,
                i,
                &raw mut k,
                &raw mut interval,
                &raw mut e,
            ));
            rows.push((k, interval, e));
        }
        let (mut keys, mut intervals, mut encounters) =
            (vec![0; len + 1], vec![0; len + 1], vec![0; len + 1]);
        let mut copied = 0;
        ok(bz_matches_copy(
            matches.0,
            0,
            keys.as_mut_ptr(),
            intervals.as_mut_ptr(),
            encounters.as_mut_ptr(),
            len + 1,
            &raw mut copied,
        ));
        assert_eq!(copied, len);
        let bulk: Vec<_> = (0..len)
            .map(|i| (keys[i], intervals[i], encounters[i]))
            .collect();
        assert_eq!(bulk, rows);
        if len > 1 {
            // A window of the copy, from `start`.
            ok(bz_matches_copy(
                matches.0,
                1,
                keys.as_mut_ptr(),
                intervals.as_mut_ptr(),
                encounters.as_mut_ptr(),
                1,
                &raw mut copied,
            ));
            assert_eq!(
                (copied, keys[0], intervals[0], encounters[0]),
                (1, rows[1].0, rows[1].1, rows[1].2)
            );
        }
        rows
    }
}

#[test]
fn matching_finds_the_planted_ids_with_any_thread_count_and_from_several_threads() {
    let keys: Vec<[u8; 16]> = (0..4_u8).map(|k| [k * 3 + 1; 16]).collect();
    let start = 2_642_976;
    let (log, expected) = planted(B3, &keys, start, &[(2, 7), (0, 100), (2, 8), (3, 143)]);
    let mut index = ptr::null_mut();
    // SAFETY: a live handle and a local.
    ok(unsafe { bz_index_new(log.0, B3, 0, BZ_DEFAULT_TOLERANCE_SECONDS, &raw mut index) });
    let index = Index(index);
    drop(log); // the index does not need the log
    let flat: Vec<u8> = keys.concat();
    let starts = vec![start; keys.len()];
    let periods = vec![144; keys.len()];
    let mut published = ptr::null_mut();
    // SAFETY: arrays of `keys.len()` rows and a local.
    ok(unsafe {
        bz_keys_new(
            B3,
            flat.as_ptr(),
            starts.as_ptr(),
            periods.as_ptr(),
            keys.len(),
            &raw mut published,
        )
    });
    let published = Keys(published);

    for threads in [0, 1, 2, 3] {
        let mut matches = ptr::null_mut();
        // SAFETY: live handles and a local.
        ok(unsafe { bz_match(index.0, published.0, threads, &raw mut matches) });
        assert_eq!(rows(&Matches(matches)), expected, "{threads} threads");
    }

    // The index and the keys are shared by threads matching at once.
    let (index_addr, keys_addr) = (index.0 as usize, published.0 as usize);
    let results: Vec<Vec<(u32, u32, u32)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                scope.spawn(move || {
                    let mut matches = ptr::null_mut();
                    // SAFETY: the handles stay alive until the scope ends,
                    // and are immutable (Send and Sync).
                    let result = unsafe {
                        bz_match(
                            index_addr as *const bz_index,
                            keys_addr as *const bz_keys,
                            t % 2,
                            &raw mut matches,
                        )
                    };
                    assert_eq!(result, OK);
                    rows(&Matches(matches))
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for result in results {
        assert_eq!(result, expected);
    }
}

#[test]
fn bluezone_keys_carry_their_files_slots_per_day() {
    let key: Vec<u8> = (0..32).collect();
    let start = 1_761_408;
    let mut set = bluezone::PublishedKeys::new(bluezone::SchemeKind::Bluezone);
    set.push(&key, start, 96).unwrap();
    let mut bzk = Vec::new();
    bluezone::formats::bzk::write(&set, 96, &mut bzk, "keys.bzk").unwrap();
    let keys = load_keys_bytes(&bzk, BZ_SCHEME_AUTO).unwrap();
    // SAFETY: a live handle.
    assert_eq!(unsafe { bz_keys_per_day(keys.0) }, 96);

    let id = derive(BLUEZONE, 96, &key, start, start + 1, 1);
    let time = i64::from(start + 1) * 900 + 10;
    let mut log = ptr::null_mut();
    // SAFETY: one row; a local.
    ok(unsafe {
        bz_log_new(
            id.as_ptr(),
            12,
            &raw const time,
            [-50_i8].as_ptr(),
            1,
            &raw mut log,
        )
    });
    let log = Log(log);
    for (per_day, expected) in [(96, OK), (0, bz_result::SchemeMismatch)] {
        let mut index = ptr::null_mut();
        let mut matches = ptr::null_mut();
        // SAFETY: live handles and locals.
        unsafe {
            ok(bz_index_new(log.0, BLUEZONE, per_day, 0, &raw mut index));
            let index = Index(index);
            assert_eq!(bz_match(index.0, keys.0, 0, &raw mut matches), expected);
        }
        if expected == OK {
            assert_eq!(rows(&Matches(matches)), vec![(0, start + 1, 0)]);
        } else {
            assert!(matches.is_null());
            assert_eq!(
                last_error(),
                "bz_match: the index has 144 slots per day, but the keys' file gives 96"
            );
        }
    }
}
