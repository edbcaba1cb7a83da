//! A list of byte strings in one buffer, found by where each one ends: the usage file keeps
//! each session's encoded rows as one string per list, so a report reads a list in one piece
//! and decodes it session by session. (An update never reads the lists: see
//! [`super::spliced`] for how it carries them over.)

/// Byte strings back to back; string `i` ends at `ends[i]`.
#[derive(Debug, Default, Clone)]
pub(super) struct Blobs {
    ends: Vec<u64>,
    bytes: Vec<u8>,
}

/// Checks the ends of a list of `len` bytes: they never go backwards and the last is `len`.
pub(super) fn check_ends(ends: &[u64], len: u64) -> Result<(), &'static str> {
    let ordered = ends.windows(2).all(|w| w[0] <= w[1]);
    if !ordered || ends.last().copied().unwrap_or(0) != len {
        return Err("blob ends do not match their bytes");
    }
    Ok(())
}

/// Where string `i` of a list cut at `ends` starts and ends (an empty range at the end past
/// the last string).
pub(super) fn span(ends: &[u64], i: usize) -> std::ops::Range<u64> {
    let last = ends.last().copied().unwrap_or(0);
    let end = ends.get(i).copied().unwrap_or(last);
    let start = i.checked_sub(1).and_then(|p| ends.get(p)).copied();
    start.unwrap_or(0).min(end)..end
}

impl Blobs {
    /// The list of `bytes` cut at `ends` (checked by [`check_ends`]).
    pub(super) fn from_parts(ends: Vec<u64>, bytes: Vec<u8>) -> Result<Blobs, &'static str> {
        check_ends(&ends, bytes.len() as u64)?;
        Ok(Blobs { ends, bytes })
    }

    /// String `i` (empty past the end).
    pub(super) fn get(&self, i: usize) -> &[u8] {
        let range = span(&self.ends, i);
        &self.bytes[range.start as usize..range.end as usize]
    }

    /// How many strings there are.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
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
    fn strings_come_back_as_cut_and_damage_is_refused() {
        let blobs = Blobs::from_parts(vec![3, 3, 8], b"onethree".to_vec()).expect("valid");
        let strings: Vec<&[u8]> = blobs.iter().collect();
        assert_eq!(strings, [&b"one"[..], b"", b"three"]);
        assert_eq!(blobs.get(3), b"");
        assert!(Blobs::from_parts(vec![3, 2, 8], b"onethree".to_vec()).is_err());
        assert!(Blobs::from_parts(vec![3, 9], b"onethree".to_vec()).is_err());
        assert!(Blobs::from_parts(vec![3, 7], b"onethree".to_vec()).is_err());
        assert!(Blobs::from_parts(Vec::new(), Vec::new()).is_ok());
        assert!(Blobs::from_parts(Vec::new(), b"x".to_vec()).is_err());
    }
}
