//! A list of byte strings in one buffer: the usage file keeps each session's encoded rows as
//! one, so an update moves the sessions it did not read as bytes (one copy, no decoding, no
//! allocation per session) and encodes only the sessions it read.

use serde::{Deserialize, Serialize};

/// Byte strings back to back; string `i` ends at `ends[i]`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub(super) struct Blobs {
    ends: Vec<u64>,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

/// The stored form, checked before it becomes [`Blobs`].
#[derive(Deserialize)]
struct Stored {
    ends: Vec<u64>,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

impl TryFrom<Stored> for Blobs {
    type Error = &'static str;

    /// Ends that go backwards, or past the bytes, are damage.
    fn try_from(stored: Stored) -> Result<Blobs, &'static str> {
        let ordered = stored.ends.windows(2).all(|w| w[0] <= w[1]);
        let last = stored.ends.last().copied().unwrap_or(0);
        if !ordered || last != stored.bytes.len() as u64 {
            return Err("blob ends do not match their bytes");
        }
        Ok(Blobs {
            ends: stored.ends,
            bytes: stored.bytes,
        })
    }
}

impl Blobs {
    /// An empty list with room for as much as `like` holds and `more` bytes.
    pub(super) fn with_room_of(like: &Blobs, more: usize) -> Blobs {
        Blobs {
            ends: Vec::with_capacity(like.ends.len() + 16),
            bytes: Vec::with_capacity(like.bytes.len() + more + (1 << 16)),
        }
    }

    /// Appends one string.
    pub(super) fn push(&mut self, blob: &[u8]) {
        self.bytes.extend_from_slice(blob);
        self.ends.push(self.bytes.len() as u64);
    }

    /// String `i` (empty past the end).
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let Some(&end) = self.ends.get(i) else {
            return &[];
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start as usize..end as usize]
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

        let bad = Stored {
            ends: vec![3, 2, 8],
            bytes: b"onethree".to_vec(),
        };
        assert!(Blobs::try_from(bad).is_err());
        let short = Stored {
            ends: vec![3, 9],
            bytes: b"onethree".to_vec(),
        };
        assert!(Blobs::try_from(short).is_err());
    }
}
