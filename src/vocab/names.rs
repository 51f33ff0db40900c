//! Name matching shared by the vocabulary and its users: splitting a path at its last segment,
//! the names a receiver origin answers to, and the libc calls known not to be async-signal-safe.

use crate::ir::Origin;

/// `path.rsplit_once("::")` without a substring searcher: vocabulary lookups split the path of
/// every call lowered, and `rfind(':')` is a byte scan.
pub fn split_last(path: &str) -> Option<(&str, &str)> {
    let bytes = path.as_bytes();
    let mut i = path.rfind(':')?;
    loop {
        if i >= 1 && bytes[i - 1] == b':' {
            return Some((&path[..i - 1], &path[i + 1..]));
        }
        i = path[..i].rfind(':')?;
    }
}

/// The paths an origin denotes, for exact matching: the base (plus the type `T` of a constructor
/// `T::new`), each extended by the chain's methods (`redis::Client::open` + `get_connection` ->
/// `redis::Client::open::get_connection`, `redis::Client::get_connection`).
pub fn origin_names(origin: &Origin) -> Vec<String> {
    let mut names = vec![origin.base.clone()];
    if origin.ctor {
        if let Some((parent, _)) = origin.base.rsplit_once("::") {
            let is_type = parent
                .rsplit("::")
                .next()
                .and_then(|s| s.chars().next())
                .is_some_and(|c| c.is_ascii_uppercase());
            if is_type {
                names.push(parent.to_string());
            }
        }
    }
    for method in &origin.methods {
        for name in &mut names {
            name.push_str("::");
            name.push_str(method);
        }
    }
    names
}

pub(super) fn hint_matches_name(hint: &str, name: &str, chained: bool) -> bool {
    match hint.strip_suffix("::*") {
        Some(prefix) => {
            !chained
                && name.len() > prefix.len()
                && name.starts_with(prefix)
                && name[prefix.len()..].starts_with("::")
        }
        None => hint == name,
    }
}

/// Whether a receiver hint from the vocabulary matches what lowering knows of a receiver.
///
/// `*` matches anything (even an unknown receiver); `prefix::*` matches an origin under `prefix`;
/// a path matches an origin with that base, and a constructor origin `Type::new` matches the hint
/// `Type` (constructors are how most receivers are known).
pub fn receiver_matches(hint: &str, origin: Option<&Origin>) -> bool {
    if hint == "*" {
        return true;
    }
    let Some(origin) = origin else {
        return false;
    };
    let base = origin.base.as_str();
    if let Some(prefix) = hint.strip_suffix("::*") {
        return base.len() > prefix.len()
            && base.starts_with(prefix)
            && base[prefix.len()..].starts_with("::");
    }
    if base == hint {
        return true;
    }
    origin.ctor
        && base.len() > hint.len() + 2
        && base.starts_with(hint)
        && base[hint.len()..].starts_with("::")
        && !base[hint.len() + 2..].contains("::")
}

/// Whether a `libc::` function the `as-safe` list does not name is treated as not
/// async-signal-safe. C macros that libc exposes as `const fn`s (`BPF_STMT`, `CMSG_LEN`,
/// `WIFEXITED`, `FD_SET`: SCREAMING_CASE names) only compute on their arguments, so they are not.
pub fn libc_call_not_as_safe(path: &str) -> bool {
    let Some(name) = path.strip_prefix("libc::") else {
        return false;
    };
    let is_c_macro = name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    !is_c_macro
}

#[cfg(test)]
mod split_tests {
    use super::split_last;

    #[test]
    fn split_last_is_rsplit_once() {
        for path in [
            "a::b",
            "std::thread::sleep",
            "a",
            "",
            "::",
            "a::",
            "::b",
            "a:::b",
            "a:b::c",
            ":",
        ] {
            assert_eq!(split_last(path), path.rsplit_once("::"), "{path:?}");
        }
    }
}
