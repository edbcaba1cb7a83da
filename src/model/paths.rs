//! Whether a session's directory lies under a `--cwd` filter: whole path components, with
//! paths recorded on Windows compared the way Windows does.

/// True when `path` equals `dir` or lies below it, comparing whole path components.
///
/// Two Windows paths (see [`is_windows_path`]; sessions recorded on Windows) compare as
/// Windows does: `\` and `/` alike and letters case-insensitively, so `--cwd 'D:\proj'`
/// finds a session in `d:/Proj/app`. POSIX paths stay byte-exact and case-sensitive.
pub fn path_is_under(path: &str, dir: &str) -> bool {
    if is_windows_path(dir) && is_windows_path(path) {
        let fold = |p: &str| p.replace('\\', "/").to_lowercase();
        return components_under(&fold(path), &fold(dir));
    }
    components_under(path, dir)
}

/// [`path_is_under`] on the bytes as they are.
fn components_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches(['/', '\\']);
    if dir.is_empty() {
        return true;
    }
    match path.strip_prefix(dir) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\'),
        None => false,
    }
}

/// True for a path written the Windows way: a drive letter (`D:`, `d:/x`) or a backslash
/// separator (`\\server\share`, `proj\app`).
pub fn is_windows_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes.get(2).is_none_or(|c| *c == b'\\' || *c == b'/');
    drive || path.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_under_compares_components() {
        assert!(path_is_under("/home/u/proj", "/home/u/proj"));
        assert!(path_is_under("/home/u/proj/app", "/home/u/proj/"));
        assert!(!path_is_under("/home/u/project", "/home/u/proj"));
        assert!(path_is_under(r"D:\work\x", r"D:\work"));
        assert!(path_is_under(r"d:/Work/X", r"D:\work"));
        assert!(path_is_under(r"D:\WORK", r"d:\work\"));
        assert!(path_is_under(r"D:\work", r"D:\"));
        assert!(!path_is_under(r"D:\workshop", r"D:\work"));
        assert!(!path_is_under(r"E:\work", r"D:\work"));
        assert!(!path_is_under("/home/U/proj", "/home/u"));
        assert!(!is_windows_path("/home/u/proj"));
        assert!(is_windows_path("C:"));
        assert!(!is_windows_path("ab:c"));
    }
}
