//! Bounds-checked reading and writing of TLS's wire format (RFC 8446, 3): big-endian
//! integers and vectors with 1-, 2- or 3-byte length prefixes. Every read that would run
//! past the end is `Err(Malformed)`; every write that would run past the buffer is
//! `Err(Full)`. Nothing here can panic.

/// A read ran past the end of its input, or a length prefix did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// A cursor over received bytes.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.rest.len() {
            return Err(Malformed);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u24(&mut self) -> Result<usize, Malformed> {
        let [a, b, c] = self.array()?;
        Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    /// A vector with a one-byte length.
    pub(crate) fn vec8(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    /// A vector with a two-byte length.
    pub(crate) fn vec16(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// A vector with a three-byte length.
    pub(crate) fn vec24(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u24()?;
        self.take(n)
    }

    /// Fails unless everything was read.
    pub(crate) fn end(&self) -> Result<(), Malformed> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }
}

/// The output buffer is too small for what was to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// A cursor writing into a caller's buffer.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[cfg(test)]
    pub(crate) fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), Full> {
        let end = self.len.checked_add(bytes.len()).ok_or(Full)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(Full)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    pub(crate) fn u8(&mut self, v: u8) -> Result<(), Full> {
        self.bytes(&[v])
    }

    pub(crate) fn u16(&mut self, v: u16) -> Result<(), Full> {
        self.bytes(&v.to_be_bytes())
    }

    /// Writes a length prefix of `width` bytes (1, 2 or 3) around what `body` writes.
    pub(crate) fn prefixed(
        &mut self,
        width: usize,
        body: impl FnOnce(&mut Self) -> Result<(), Full>,
    ) -> Result<(), Full> {
        let start = self.len;
        self.bytes([0; 3].get(..width).ok_or(Full)?)?;
        body(self)?;
        let length = self.len - start - width;
        let max = (1usize << (8 * width)) - 1;
        if length > max {
            return Err(Full);
        }
        let be = (length as u32).to_be_bytes();
        let prefix = be.get(4 - width..).ok_or(Full)?;
        self.buf
            .get_mut(start..start + width)
            .ok_or(Full)?
            .copy_from_slice(prefix);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let mut r = Reader::new(&[0, 3, 1, 2]);
        assert_eq!(r.vec16(), Err(Malformed));
        let mut r = Reader::new(&[0, 2, 1, 2, 9]);
        assert_eq!(r.vec16(), Ok(&[1u8, 2][..]));
        assert_eq!(r.end(), Err(Malformed));
        assert_eq!(r.u16(), Err(Malformed));
        assert_eq!(r.u8(), Ok(9));
        assert_eq!(r.end(), Ok(()));
        assert_eq!(Reader::new(&[1, 2, 3]).u24(), Ok(0x010203));
    }

    #[test]
    fn prefixes_are_backpatched_and_writes_stop_at_the_end() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        w.prefixed(3, |w| w.prefixed(1, |w| w.bytes(b"ab")))
            .unwrap();
        assert_eq!(w.written(), &[0, 0, 3, 2, b'a', b'b']);
        assert_eq!(w.bytes(b"xyz"), Err(Full));
        assert_eq!(w.len(), 6);
        let mut small = [0u8; 2];
        let mut w = Writer::new(&mut small);
        assert_eq!(w.prefixed(2, |w| w.u8(1)), Err(Full));
    }
}
