//! The bytes of a file as the reader takes them: through a fixed buffer,
//! counted, and hashed with SHA-256 as they arrive.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// The size of the read buffer.
const BUFFER_BYTES: usize = 64 << 10;

/// The bytes of a file as they are read: buffered, counted and hashed.
pub(super) struct Source<R> {
    reader: R,
    buf: Box<[u8]>,
    /// The next byte to use.
    start: usize,
    /// The end of the bytes read into `buf`.
    end: usize,
    /// The file offset of `buf[0]`.
    base: u64,
    /// The digest of every byte read so far.
    hasher: Sha256,
    /// Whether the reader has ended.
    eof: bool,
}

impl<R: Read> Source<R> {
    pub(super) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: vec![0; BUFFER_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            base: 0,
            hasher: Sha256::new(),
            eof: false,
        }
    }

    /// The file offset of the next byte.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The file offset of the end of the bytes read so far, where a
    /// failed read failed.
    pub(super) fn read_offset(&self) -> u64 {
        self.base + self.end as u64
    }

    /// The bytes read and not yet used.
    pub(super) fn available(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Uses `count` available bytes.
    pub(super) fn consume(&mut self, count: usize) {
        debug_assert!(count <= self.end - self.start);
        self.start += count;
    }

    /// Makes `want` bytes (at most the buffer's size) available, or all the
    /// rest of the file when it ends first; returns how many are.
    pub(super) fn fill(&mut self, want: usize) -> io::Result<usize> {
        if self.end - self.start >= want || self.eof {
            return Ok(self.end - self.start);
        }
        if self.start + want > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        while self.end - self.start < want {
            let space = &mut self.buf[self.end..];
            match self.reader.read(space) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(count) => {
                    let count = count.min(space.len());
                    self.hasher.update(&space[..count]);
                    self.end += count;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(self.end - self.start)
    }

    /// Reads the next `len` bytes into `out`; `false` when the file ends
    /// first.
    pub(super) fn read_into(&mut self, out: &mut Vec<u8>, len: usize) -> io::Result<bool> {
        out.clear();
        while out.len() < len {
            let available = self.fill(1)?;
            if available == 0 {
                return Ok(false);
            }
            let count = (len - out.len()).min(available);
            out.extend_from_slice(&self.available()[..count]);
            self.consume(count);
        }
        Ok(true)
    }

    /// Skips the next `len` bytes; `false` when the file ends first.
    pub(super) fn skip(&mut self, mut len: u64) -> io::Result<bool> {
        while len > 0 {
            let available = self.fill(1)?;
            if available == 0 {
                return Ok(false);
            }
            let count = usize::try_from(len).unwrap_or(usize::MAX).min(available);
            self.consume(count);
            len -= count as u64;
        }
        Ok(true)
    }

    /// The digest of the whole file, once it has all been read.
    pub(super) fn digest(self) -> [u8; 32] {
        self.hasher.finalize().into()
    }
}
