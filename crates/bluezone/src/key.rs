//! Secret daily keys: generated from the operating system, wiped on drop.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{Error, Result};

/// A secret key of `N` bytes: a phone's own daily key before it is published.
///
/// The bytes are overwritten with zeros when the key is dropped, `Debug`
/// does not show them, and `==` compares in constant time.
///
/// `SecretKey<16>` is a key of the [`Gaen`](crate::Gaen) and [`B3`](crate::B3)
/// schemes, `SecretKey<32>` one of the [`Bluezone`](crate::Bluezone) scheme.
///
/// ```
/// use bluezone::SecretKey;
///
/// let key = SecretKey::<16>::from_hex("75c734c6dd1a782de7a965da5eb93125")?;
/// assert_eq!(key.as_bytes()[0], 0x75);
/// assert_eq!(format!("{key:?}"), "SecretKey<16>(..)");
/// # Ok::<(), bluezone::Error>(())
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey<const N: usize>([u8; N]);

impl<const N: usize> SecretKey<N> {
    /// Generates a key from the operating system's cryptographically secure
    /// random number generator.
    ///
    /// # Errors
    /// [`Error::Random`] when the operating system cannot provide randomness.
    pub fn generate() -> Result<Self> {
        let mut key = Self([0; N]);
        getrandom::fill(&mut key.0).map_err(Error::Random)?;
        Ok(key)
    }

    /// Wraps existing key bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Parses `2 * N` hex digits.
    ///
    /// # Errors
    /// [`Error::HexLength`] or [`Error::HexDigit`], saying what is wrong and
    /// where.
    pub fn from_hex(text: &str) -> Result<Self> {
        let mut key = Self([0; N]);
        crate::hex::decode_into(text, &mut key.0)?;
        Ok(key)
    }

    /// The key's bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; N] {
        &self.0
    }

    /// The key as lowercase hex, in a string that is wiped on drop.
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::hex::encode(&self.0))
    }
}

impl<const N: usize> fmt::Debug for SecretKey<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey<{N}>(..)")
    }
}

impl<const N: usize> PartialEq for SecretKey<N> {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl<const N: usize> Eq for SecretKey<N> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_differ() {
        let a = SecretKey::<16>::generate().unwrap();
        let b = SecretKey::<16>::generate().unwrap();
        assert_ne!(a, b);
        assert_ne!(a.as_bytes(), &[0u8; 16]);
    }

    #[test]
    fn hex_round_trips() {
        let key = SecretKey::<32>::generate().unwrap();
        let text = key.to_hex();
        assert_eq!(text.len(), 64);
        assert_eq!(SecretKey::<32>::from_hex(&text).unwrap(), key);
    }

    #[test]
    fn hex_errors_name_the_problem() {
        assert_eq!(
            SecretKey::<16>::from_hex("00").unwrap_err(),
            Error::HexLength {
                expected: 32,
                found: 2
            }
        );
        assert_eq!(
            SecretKey::<16>::from_hex("75c734c6dd1a782de7a965da5eb9312z").unwrap_err(),
            Error::HexDigit {
                found: 'z',
                position: 32
            }
        );
    }

    #[test]
    fn zeroize_wipes_the_bytes() {
        let mut key = SecretKey::from_bytes([0xaa; 16]);
        key.zeroize();
        assert_eq!(key.as_bytes(), &[0u8; 16]);
    }

    #[test]
    fn debug_hides_the_bytes() {
        let key = SecretKey::from_bytes([0xab; 16]);
        assert!(!format!("{key:?}").contains("ab"));
    }
}
