//! Verifying signatures, and the PEM keys.

use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

use super::*;
use crate::formats::gaen_export::proto::{TekSignature, TekSignatureList};
use crate::formats::gaen_export::signature::{signing_key, verifying_key};
use crate::formats::gaen_export::{Export, SignatureStatus};

/// Reads a zip of `bin` and `sig` and verifies it with the sample's key;
/// `None` when `bin` does not read.
fn verify(bin: &[u8], sig: &[u8]) -> Option<SignatureStatus> {
    let zip = zip_of(&[("export.bin", bin), ("export.sig", sig)]);
    let export = read_export_zip_bytes(&zip, "keys.zip", SchemeKind::Gaen).ok()?;
    Some(export.verify(&fixture_text("public.pem")).unwrap())
}

fn signed_export() -> Export {
    read_export_zip_bytes(&fixture(SIGNED), "keys.zip", SchemeKind::Gaen).unwrap()
}

#[test]
fn sample_verifies_with_its_key_only() {
    let export = signed_export();
    assert_eq!(
        export.verify(&fixture_text("public.pem")).unwrap(),
        SignatureStatus::Valid { index: 0 }
    );
    assert!(
        export
            .verify(&fixture_text("public.pem"))
            .unwrap()
            .is_valid()
    );
    let other = export.verify(&fixture_text("test-public.pem")).unwrap();
    assert_eq!(
        other,
        SignatureStatus::Invalid {
            signatures: 1,
            malformed: 0
        }
    );
    assert!(!other.is_valid());
    // Rewritten into a new zip, the same entries still verify.
    assert_eq!(
        verify(&signed_bin(), &signed_sig()),
        Some(SignatureStatus::Valid { index: 0 })
    );
}

#[test]
fn any_flipped_byte_of_export_bin_fails() {
    let bin = signed_bin();
    let sig = signed_sig();
    let mut read = 0;
    for position in 0..bin.len() {
        for bit in [0x01, 0x80] {
            let mut flipped = bin.clone();
            flipped[position] ^= bit;
            match verify(&flipped, &sig) {
                None => {}
                Some(status) => {
                    read += 1;
                    assert!(!status.is_valid(), "byte {position} ^ {bit:#x}: {status:?}");
                }
            }
        }
    }
    // Most flips still read (the key bytes, the timestamps…): the
    // signature, not the parser, refuses them.
    assert!(read > 100, "{read}");
}

#[test]
fn any_flipped_byte_of_the_signature_fails() {
    let bin = signed_bin();
    let export = signed_export();
    let signature = export.signatures[0].signature.clone().unwrap();
    assert_eq!(signature.len(), 72);
    for position in 0..signature.len() {
        let mut flipped = signature.clone();
        flipped[position] ^= 0x01;
        let list = TekSignatureList {
            signatures: vec![TekSignature {
                signature: Some(flipped),
                ..export.signatures[0].clone()
            }],
        };
        let status = verify(&bin, &encoded(&list)).unwrap();
        assert!(
            matches!(status, SignatureStatus::Invalid { signatures: 1, .. }),
            "byte {position}: {status:?}"
        );
    }
}

#[test]
fn one_good_signature_is_enough() {
    let good = signed_export().signatures[0].clone();
    let garbage = TekSignature {
        signature: Some(b"not DER".to_vec()),
        ..good.clone()
    };
    let missing = TekSignature {
        signature: None,
        ..good.clone()
    };
    let list = TekSignatureList {
        signatures: vec![garbage.clone(), missing.clone(), good],
    };
    assert_eq!(
        verify(&signed_bin(), &encoded(&list)),
        Some(SignatureStatus::Valid { index: 2 })
    );
    let list = TekSignatureList {
        signatures: vec![garbage, missing],
    };
    assert_eq!(
        verify(&signed_bin(), &encoded(&list)),
        Some(SignatureStatus::Invalid {
            signatures: 2,
            malformed: 2
        })
    );
    assert_eq!(
        verify(&signed_bin(), &[]),
        Some(SignatureStatus::Invalid {
            signatures: 0,
            malformed: 0
        })
    );
}

#[test]
fn bad_public_keys_are_errors() {
    let export = signed_export();
    let error = |pem: &str| export.verify(pem).unwrap_err().to_string();
    let prefix =
        "public key: expected a PEM block \"-----BEGIN PUBLIC KEY-----\" holding a P-256 key: ";
    assert_eq!(
        error(""),
        format!("{prefix}the text has no PEM block at all")
    );
    assert_eq!(
        error(&fixture_text("test-private-pkcs8.pem")),
        format!(
            "{prefix}ASN.1 error: PEM error: unexpected PEM type label: expecting \"BEGIN PUBLIC KEY\""
        )
    );
    let public = fixture_text("public.pem");
    assert_eq!(
        error(&public.replace("MFkw", "MFkx")),
        format!("{prefix}ASN.1 error: unexpected ASN.1 DER tag: expected SEQUENCE, got SET")
    );
    // Public keys of other curves and algorithms.
    let p384 = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE8YEackMSlkkNeTd6m8prgoOD8e59hyIT
5Q7f/g3X20IDemKcXPvzS7dtVG0Y0//uz8BVbL0Y9Dz5sB7YomqLIo9fljJ360hU
ZEMbfsR2wV5OMGVHqYf9RrepOoar3n7T
-----END PUBLIC KEY-----
";
    assert_eq!(
        error(p384),
        format!("{prefix}unknown/unsupported algorithm OID: 1.3.132.0.34")
    );
    let ed25519 = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEANfY2VB1xsqK3SRMPPjdWfu3n9+lbLh9Zl0QS8ey96iA=
-----END PUBLIC KEY-----
";
    assert_eq!(
        error(ed25519),
        format!("{prefix}unknown/unsupported algorithm OID: 1.3.101.112")
    );
    assert!(error(&public[..public.len() - 30]).starts_with(prefix));
}

#[test]
fn bad_signing_keys_are_errors() {
    let error = |pem: &str| signing_key(pem).unwrap_err().to_string();
    let prefix = "signing key: expected a PEM block \"-----BEGIN PRIVATE KEY-----\" or \
                  \"-----BEGIN EC PRIVATE KEY-----\" holding a P-256 key: ";
    assert_eq!(
        error("nothing"),
        format!("{prefix}the text has no PEM block at all")
    );
    assert_eq!(
        error(&fixture_text("test-public.pem")),
        format!(
            "{prefix}PKCS#8 ASN.1 error: PEM error: unexpected PEM type label: expecting \"BEGIN PRIVATE KEY\""
        )
    );
    let sec1 = fixture_text("test-private-sec1.pem");
    assert!(error(&sec1.replace("MHcC", "MHcD")).starts_with(prefix));
    assert!(verifying_key(&fixture_text("test-public.pem")).is_ok());
}

#[test]
fn the_test_key_pair_comes_from_its_seed() {
    let seed: [u8; 32] = Sha256::digest(b"bluezone gaen export test key").into();
    assert_eq!(
        crate::hex::encode(&seed),
        "79f8b63d02c8e8538c17d4f416426f4eaed9d5f7e12a5216abd30a4943624fe6"
    );
    let from_seed = SigningKey::from_slice(&seed).unwrap();
    for file in ["test-private-pkcs8.pem", "test-private-sec1.pem"] {
        let key = signing_key(&fixture_text(file)).unwrap();
        assert_eq!(key.to_bytes(), from_seed.to_bytes(), "{file}");
    }
    assert_eq!(
        verifying_key(&fixture_text("test-public.pem")).unwrap(),
        *from_seed.verifying_key()
    );
}
