//! Fixed-size byte arrays: the keys and IDs of the schemes.

use std::fmt::Debug;
use std::hash::Hash;

mod sealed {
    pub trait Sealed {}
}

/// A fixed-size byte array, the type of every key and ID in this crate.
///
/// It is implemented for `[u8; 12]`, `[u8; 16]` and `[u8; 32]`, and sealed.
pub trait ByteArray:
    sealed::Sealed
    + Copy
    + Default
    + Eq
    + Ord
    + Hash
    + Debug
    + AsRef<[u8]>
    + AsMut<[u8]>
    + Send
    + Sync
    + 'static
{
    /// The length in bytes.
    const LEN: usize;

    /// Views a byte slice whose length is a multiple of [`Self::LEN`] as a
    /// slice of arrays, or `None` when the length is not a multiple.
    fn cast_slice(bytes: &[u8]) -> Option<&[Self]>;

    /// Views a mutable byte slice whose length is a multiple of
    /// [`Self::LEN`] as a slice of arrays, or `None` when the length is not
    /// a multiple.
    fn cast_slice_mut(bytes: &mut [u8]) -> Option<&mut [Self]>;

    /// Views a slice of arrays as one byte slice.
    fn flatten(arrays: &[Self]) -> &[u8];

    /// Views a mutable slice of arrays as one mutable byte slice.
    fn flatten_mut(arrays: &mut [Self]) -> &mut [u8];
}

macro_rules! byte_array {
    ($($n:literal),*) => {$(
        impl sealed::Sealed for [u8; $n] {}

        impl ByteArray for [u8; $n] {
            const LEN: usize = $n;

            fn cast_slice(bytes: &[u8]) -> Option<&[Self]> {
                match bytes.as_chunks::<$n>() {
                    (arrays, []) => Some(arrays),
                    _ => None,
                }
            }

            fn cast_slice_mut(bytes: &mut [u8]) -> Option<&mut [Self]> {
                match bytes.as_chunks_mut::<$n>() {
                    (arrays, []) => Some(arrays),
                    _ => None,
                }
            }

            fn flatten(arrays: &[Self]) -> &[u8] {
                arrays.as_flattened()
            }

            fn flatten_mut(arrays: &mut [Self]) -> &mut [u8] {
                arrays.as_flattened_mut()
            }
        }
    )*};
}

byte_array!(12, 16, 32);

#[cfg(test)]
mod tests {
    use super::ByteArray;

    #[test]
    fn cast_slice_accepts_only_whole_arrays() {
        let bytes = [7u8; 48];
        assert_eq!(<[u8; 16]>::cast_slice(&bytes).map(<[_]>::len), Some(3));
        assert_eq!(<[u8; 12]>::cast_slice(&bytes).map(<[_]>::len), Some(4));
        assert!(<[u8; 32]>::cast_slice(&bytes).is_none());
        assert_eq!(<[u8; 16]>::cast_slice(&[]).map(<[_]>::len), Some(0));
    }

    #[test]
    fn flatten_inverts_cast() {
        let mut bytes: Vec<u8> = (0..=47).collect();
        let arrays = <[u8; 12]>::cast_slice_mut(&mut bytes).unwrap();
        arrays[1][0] = 99;
        assert_eq!(<[u8; 12]>::flatten(arrays)[12], 99);
        assert_eq!(<[u8; 12]>::flatten_mut(arrays).len(), 48);
    }
}
