//! Hex parsing with errors that say what is wrong and where.
//!
//! Keys and IDs travel as lowercase or uppercase hex without separators. The
//! decoding itself is the `hex` crate's; this module checks the input first
//! so that an error names the offending character and its position.

use crate::{Error, Result};

/// Decodes exactly `N` bytes from `text`.
///
/// ```
/// let bytes: [u8; 2] = bluezone::hex::decode_array("0aFf")?;
/// assert_eq!(bytes, [0x0a, 0xff]);
///
/// let err = bluezone::hex::decode_array::<2>("0aFx").unwrap_err();
/// assert_eq!(err.to_string(), "invalid hex digit 'x' at position 4 (counting from 1)");
/// # Ok::<(), bluezone::Error>(())
/// ```
///
/// # Errors
/// [`Error::HexLength`] when `text` does not have `2 * N` characters,
/// [`Error::HexDigit`] at the first character that is not a hex digit.
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    decode_into(text, &mut out)?;
    Ok(out)
}

/// Decodes `text` into `out`, which it must fill exactly.
///
/// # Errors
/// As [`decode_array`].
pub fn decode_into(text: &str, out: &mut [u8]) -> Result<()> {
    check(text, out.len() * 2)?;
    hex::decode_to_slice(text, out).map_err(|_| Error::HexLength {
        expected: out.len() * 2,
        found: text.chars().count(),
    })
}

/// Decodes a hex string of any even length.
///
/// # Errors
/// [`Error::HexDigit`] at the first character that is not a hex digit,
/// [`Error::HexLength`] when the number of digits is odd.
pub fn decode_vec(text: &str) -> Result<Vec<u8>> {
    let digits = check_digits(text)?;
    if digits % 2 != 0 {
        return Err(Error::HexLength {
            expected: digits + 1,
            found: digits,
        });
    }
    let mut out = vec![0u8; digits / 2];
    decode_into(text, &mut out)?;
    Ok(out)
}

/// Encodes bytes as lowercase hex.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Checks that `text` is `expected` hex digits, reporting a bad digit first
/// (it is the more precise message) and then a wrong length.
fn check(text: &str, expected: usize) -> Result<()> {
    let found = check_digits(text)?;
    if found == expected {
        Ok(())
    } else {
        Err(Error::HexLength { expected, found })
    }
}

/// Returns the number of characters of `text` when they all are hex digits.
fn check_digits(text: &str) -> Result<usize> {
    let mut count = 0;
    for (index, found) in text.chars().enumerate() {
        if !found.is_ascii_hexdigit() {
            return Err(Error::HexDigit {
                found,
                position: index + 1,
            });
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_both_cases() {
        assert_eq!(decode_array::<3>("00aBfF").unwrap(), [0x00, 0xab, 0xff]);
        assert_eq!(decode_array::<0>("").unwrap(), [0u8; 0]);
    }

    #[test]
    fn wrong_length_says_how_many_digits() {
        assert_eq!(
            decode_array::<2>("abc").unwrap_err(),
            Error::HexLength {
                expected: 4,
                found: 3
            }
        );
        assert_eq!(
            decode_array::<2>("abcdef").unwrap_err(),
            Error::HexLength {
                expected: 4,
                found: 6
            }
        );
        assert_eq!(
            decode_array::<1>("").unwrap_err().to_string(),
            "expected 2 hex digits, found 0"
        );
    }

    #[test]
    fn bad_digit_says_which_and_where() {
        assert_eq!(
            decode_array::<2>("0g00").unwrap_err(),
            Error::HexDigit {
                found: 'g',
                position: 2
            }
        );
        // Positions count characters, not bytes, and a bad digit is reported
        // even when the length is wrong too.
        assert_eq!(
            decode_array::<2>("éa").unwrap_err(),
            Error::HexDigit {
                found: 'é',
                position: 1
            }
        );
        assert_eq!(
            decode_array::<2>("ab cd").unwrap_err(),
            Error::HexDigit {
                found: ' ',
                position: 3
            }
        );
    }

    #[test]
    fn decode_vec_needs_an_even_count() {
        assert_eq!(decode_vec("0102").unwrap(), vec![1, 2]);
        assert_eq!(decode_vec("").unwrap(), Vec::<u8>::new());
        assert_eq!(
            decode_vec("010").unwrap_err(),
            Error::HexLength {
                expected: 4,
                found: 3
            }
        );
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = encode(&bytes);
            prop_assert_eq!(decode_vec(&text)?, bytes.clone());
            prop_assert_eq!(decode_vec(&text.to_uppercase())?, bytes);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = decode_vec(&text);
            let _ = decode_array::<16>(&text);
        }
    }
}
