//! The signatures of exports: ECDSA over P-256 with SHA-256, DER-encoded,
//! with keys in PEM.

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey};

use super::Export;
use super::proto::TekSignature;
use crate::{Error, Position, Result};

/// The outcome of [`Export::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// A signature verifies: the first that does, at `index` of
    /// [`Export::signatures`].
    Valid {
        /// The signature's index in `export.sig`.
        index: usize,
    },
    /// No signature verifies with the key (or there is none).
    Invalid {
        /// The number of signatures in `export.sig`.
        signatures: usize,
        /// How many of them are not DER-encoded ECDSA P-256 signatures at
        /// all.
        malformed: usize,
    },
}

impl SignatureStatus {
    /// Whether a signature verifies.
    #[must_use]
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

impl Export {
    /// Verifies the signatures of `export.sig` over the whole of
    /// `export.bin` with a P-256 public key given in PEM (`SubjectPublicKeyInfo`,
    /// `-----BEGIN PUBLIC KEY-----`). The export is authentic when any one of
    /// its signatures verifies; the algorithm that a signature's
    /// `SignatureInfo` names is not consulted, only the ECDSA P-256 /
    /// SHA-256 verification itself.
    ///
    /// ```
    /// use bluezone::SchemeKind;
    /// use bluezone::formats::gaen_export::{read_export_zip_bytes, SignatureStatus};
    ///
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gaen");
    /// let zip = std::fs::read(format!("{dir}/testExport-2-records-1-of-1.zip")).unwrap();
    /// let export = read_export_zip_bytes(&zip, "export.zip", SchemeKind::Gaen)?;
    /// let other_key = std::fs::read_to_string(format!("{dir}/test-public.pem")).unwrap();
    /// assert_eq!(
    ///     export.verify(&other_key)?,
    ///     SignatureStatus::Invalid { signatures: 1, malformed: 0 }
    /// );
    /// assert_eq!(
    ///     export.verify("not a key").unwrap_err().to_string(),
    ///     "public key: expected a PEM block \"-----BEGIN PUBLIC KEY-----\" \
    ///      holding a P-256 key: the text has no PEM block at all"
    /// );
    /// # Ok::<(), bluezone::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Parse`] when the PEM is not a P-256 public key; a signature
    /// that does not verify is not an error but
    /// [`SignatureStatus::Invalid`].
    pub fn verify(&self, public_key_pem: &str) -> Result<SignatureStatus> {
        let key = verifying_key(public_key_pem)?;
        Ok(verify_digest(&key, &self.bin.sha256, &self.signatures))
    }
}

/// Checks `signatures` over a SHA-256 `digest`.
fn verify_digest(
    key: &VerifyingKey,
    digest: &[u8; 32],
    signatures: &[TekSignature],
) -> SignatureStatus {
    let mut malformed = 0;
    for (index, signature) in signatures.iter().enumerate() {
        let Ok(signature) = Signature::from_der(signature.signature.as_deref().unwrap_or_default())
        else {
            malformed += 1;
            continue;
        };
        if key.verify_prehash(digest, &signature).is_ok() {
            return SignatureStatus::Valid { index };
        }
    }
    SignatureStatus::Invalid {
        signatures: signatures.len(),
        malformed,
    }
}

/// The public key of a PEM `SubjectPublicKeyInfo` block.
pub(super) fn verifying_key(pem: &str) -> Result<VerifyingKey> {
    if !pem.contains("-----BEGIN ") {
        return Err(key_error(
            "public key",
            "\"-----BEGIN PUBLIC KEY-----\"",
            "the text has no PEM block at all",
        ));
    }
    VerifyingKey::from_public_key_pem(pem).map_err(|err| {
        key_error(
            "public key",
            "\"-----BEGIN PUBLIC KEY-----\"",
            &err.to_string(),
        )
    })
}

/// The private key of a PEM PKCS#8 block (`BEGIN PRIVATE KEY`) or SEC1 block
/// (`BEGIN EC PRIVATE KEY`).
pub(super) fn signing_key(pem: &str) -> Result<SigningKey> {
    let key = if !pem.contains("-----BEGIN ") {
        Err("the text has no PEM block at all".to_owned())
    } else if pem.contains("-----BEGIN EC PRIVATE KEY-----") {
        p256::SecretKey::from_sec1_pem(pem)
            .map(SigningKey::from)
            .map_err(|err| err.to_string())
    } else {
        SigningKey::from_pkcs8_pem(pem).map_err(|err| err.to_string())
    };
    key.map_err(|reason| {
        key_error(
            "signing key",
            "\"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN EC PRIVATE KEY-----\"",
            &reason,
        )
    })
}

fn key_error(what: &str, blocks: &str, reason: &str) -> Error {
    Error::Parse {
        file: what.to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("expected a PEM block {blocks} holding a P-256 key: {reason}"),
    }
}

/// Signs a SHA-256 `digest` (deterministically, as RFC 6979 specifies) and
/// returns the DER encoding of the signature.
pub(super) fn sign(key: &SigningKey, digest: &[u8; 32]) -> Result<Vec<u8>> {
    let signature: Signature = key.sign_prehash(digest).map_err(|err| Error::Parse {
        file: "signing key".to_owned(),
        position: Position::Whole,
        column: None,
        message: format!("cannot sign: {err}"),
    })?;
    Ok(signature.to_der().as_bytes().to_vec())
}
