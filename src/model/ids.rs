//! The stable hash that names things across runs, versions and machines (std's hasher changes
//! between runs), and the ids it gives sessions whose files name none.

/// FNV-1a: stable across runs, versions and platforms, unlike std's hasher.
pub fn stable_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// How the id of a session begins when its file names none (no `session_meta` id and no UUID
/// in the file name): `path-` and a stable hash of the path. Every such file is a session of
/// its own; Codex cannot resume it, so `resume` never prints one.
pub const PATH_ID_PREFIX: &str = "path-";

/// The id of a rollout that names no session: derived from its path.
pub fn path_id(path: &str) -> String {
    format!("{PATH_ID_PREFIX}{:016x}", stable_hash(path))
}
