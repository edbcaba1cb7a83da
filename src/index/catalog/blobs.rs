//! A list of byte strings in one buffer: the usage file keeps each session's encoded rows as
//! one, so an update moves the sessions it did not read as bytes (one copy, no decoding, no
//! allocation per session) and encodes only the sessions it read.
//!
//! A list is built in a buffer of its own, decoded in place (borrowing the bytes read), or
//! kept as a range of a file's bytes read once and shared with the other lists in it
//! ([`Shared`]): at 10 GB a usage file's lists are 11 MB, and copying them out of the read
//! doubled the memory an update touched before it began.

use std::ops::Range;
use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// Byte strings back to back; string `i` ends at `ends[i]`. The bytes are owned (what an
/// update builds and writes) or borrowed from the file read (what a report decodes once).
#[derive(Debug, Default, Clone, Serialize)]
#[serde(bound(serialize = "B: serde_bytes::Serialize"))]
pub(super) struct Blobs<B = Vec<u8>> {
    ends: Vec<u64>,
    #[serde(with = "serde_bytes")]
    bytes: B,
}

/// The stored form, checked before it becomes [`Blobs`].
#[derive(Deserialize)]
#[serde(bound(deserialize = "B: serde_bytes::Deserialize<'de>"))]
struct Stored<B> {
    ends: Vec<u64>,
    #[serde(with = "serde_bytes")]
    bytes: B,
}

impl<B: AsRef<[u8]>> Stored<B> {
    /// Ends that go backwards, or past the bytes, are damage.
    fn check(self) -> Result<Blobs<B>, &'static str> {
        let ordered = self.ends.windows(2).all(|w| w[0] <= w[1]);
        let last = self.ends.last().copied().unwrap_or(0);
        if !ordered || last != self.bytes.as_ref().len() as u64 {
            return Err("blob ends do not match their bytes");
        }
        Ok(Blobs {
            ends: self.ends,
            bytes: self.bytes,
        })
    }
}

impl<'de, B: AsRef<[u8]>> Deserialize<'de> for Blobs<B>
where
    Stored<B>: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Blobs<B>, D::Error> {
        Stored::<B>::deserialize(d)?
            .check()
            .map_err(D::Error::custom)
    }
}

/// A range of bytes read from a file once, shared by every list decoded from them.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    read: Arc<Vec<u8>>,
    range: Range<usize>,
}

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.read[self.range.clone()]
    }
}

impl Blobs<&[u8]> {
    /// The same list over `read`, the bytes it was decoded from, without copying them; `None`
    /// when its bytes are not a part of `read`.
    pub(super) fn within(self, read: &Arc<Vec<u8>>) -> Option<Blobs<Shared>> {
        let start = (self.bytes.as_ptr() as usize).checked_sub(read.as_ptr() as usize)?;
        let range = start..start + self.bytes.len();
        (range.end <= read.len()).then(|| Blobs {
            ends: self.ends,
            bytes: Shared {
                read: Arc::clone(read),
                range,
            },
        })
    }
}

impl Blobs {
    /// The list with its bytes shared from now on (no copy).
    pub(super) fn into_shared(self) -> Blobs<Shared> {
        let range = 0..self.bytes.len();
        Blobs {
            ends: self.ends,
            bytes: Shared {
                read: Arc::new(self.bytes),
                range,
            },
        }
    }

    /// An empty list with room for as much as `like` holds and `more` bytes.
    pub(super) fn with_room_of(like: &Blobs<impl AsRef<[u8]>>, more: usize) -> Blobs {
        Blobs {
            ends: Vec::with_capacity(like.ends.len() + 16),
            bytes: Vec::with_capacity(like.bytes.as_ref().len() + more + (1 << 16)),
        }
    }

    /// Appends one string.
    pub(super) fn push(&mut self, blob: &[u8]) {
        self.bytes.extend_from_slice(blob);
        self.ends.push(self.bytes.len() as u64);
    }
}

impl<B: AsRef<[u8]>> Blobs<B> {
    /// String `i` (empty past the end).
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let Some(&end) = self.ends.get(i) else {
            return &[];
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes.as_ref()[start as usize..end as usize]
    }

    /// How many strings there are.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every string, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_back_as_pushed_and_damage_is_refused() {
        let mut blobs = Blobs::default();
        blobs.push(b"one");
        blobs.push(b"");
        blobs.push(b"three");
        let bytes = postcard::to_stdvec(&blobs).expect("encodes");
        let back: Blobs = postcard::from_bytes(&bytes).expect("decodes");
        let strings: Vec<&[u8]> = back.iter().collect();
        assert_eq!(strings, [&b"one"[..], b"", b"three"]);
        assert_eq!(back.get(3), b"");
        // Read in place, the same strings, borrowed from the encoded bytes.
        let borrowed: Blobs<&[u8]> = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(borrowed.iter().collect::<Vec<_>>(), strings);
        let (start, end) = (
            bytes.as_ptr() as usize,
            bytes.as_ptr() as usize + bytes.len(),
        );
        assert!((start..end).contains(&(borrowed.get(2).as_ptr() as usize)));
        // Kept as a range of the bytes read: the same strings, no copy.
        let read = Arc::new(bytes.clone());
        let again: Blobs<&[u8]> = postcard::from_bytes(&read).expect("decodes");
        let shared = again.within(&read).expect("a part of the read");
        assert_eq!(shared.iter().collect::<Vec<_>>(), strings);
        assert_eq!(shared.get(2).as_ptr(), read[read.len() - 5..].as_ptr());
        assert!(borrowed.within(&read).is_none(), "decoded from other bytes");
        let owned = back.clone().into_shared();
        assert_eq!(owned.iter().collect::<Vec<_>>(), strings);

        let bad = Stored {
            ends: vec![3, 2, 8],
            bytes: b"onethree".to_vec(),
        };
        assert!(bad.check().is_err());
        let short = Stored {
            ends: vec![3, 9],
            bytes: b"onethree".to_vec(),
        };
        assert!(short.check().is_err());
        let cut = postcard::to_stdvec(&Blobs {
            ends: vec![3, 9],
            bytes: b"onethree".to_vec(),
        })
        .expect("encodes");
        assert!(postcard::from_bytes::<Blobs<&[u8]>>(&cut).is_err());
    }
}
