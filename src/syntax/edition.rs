//! Edition hints for syn errors: valid 2015-edition syntax that syn's 2018+ grammar rejects
//! (a bare trait object with `+` bounds, an anonymous trait method parameter, a 2018 keyword used
//! as an identifier), recognised at the error so that FL000 can say how to write it today.

/// Valid 2015-edition syntax that syn (2018+ grammar) rejects, recognised at a syn error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionHint {
    /// What the construct is, for the message and label (`bare trait object `Fn(&u8) + Send``).
    pub what: String,
    /// How to write it in 2018+ syntax.
    pub fix: String,
}

/// Looks at the tokens around a syn error at byte `offset` for a 2015-edition construct:
/// a bare trait object with `+` bounds (`Box<Fn(&u8) + Send>`: syn stops at the `+`), an
/// anonymous trait method parameter (`fn f(&self, u8);`: syn wants a `:`), or `async`, `await`,
/// `dyn` or `try` used as an identifier. `&Trait`, `Box<Trait>` and `try!(..)` parse, so they
/// never reach here.
pub fn edition_2015_hint(text: &str, offset: usize) -> Option<EditionHint> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    bare_trait_object(text, offset)
        .or_else(|| anonymous_parameter(text, offset))
        .or_else(|| keyword_identifier(text, offset))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Collapses runs of whitespace and shortens long snippets for a message.
fn snippet(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 60 {
        let cut: String = collapsed.chars().take(57).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

/// `Box<Fn(&u8) + Send>`, `&mut (FnMut() -> u8 + 'static)`: the error is at the `(` of the
/// `Fn(..)` sugar (or at the `+`), and a `+` follows the type path, which no `dyn`/`impl` introduces.
fn bare_trait_object(text: &str, error_offset: usize) -> Option<EditionHint> {
    let bytes = text.as_bytes();
    let offset = plus_after_fn_sugar(bytes, error_offset)?;
    if text[offset..].starts_with("+=") {
        return None;
    }
    // Back to the start of the type: an unbalanced opener or a separator at depth 0.
    let mut depth = 0usize;
    let mut i = offset;
    let start = loop {
        if i == 0 {
            break 0;
        }
        i -= 1;
        match bytes[i] {
            b'>' if i > 0 && bytes[i - 1] == b'-' => i -= 1,
            b')' | b']' | b'>' => depth += 1,
            b'(' | b'[' | b'<' if depth == 0 => break i + 1,
            b'(' | b'[' | b'<' => depth -= 1,
            b':' if i > 0 && bytes[i - 1] == b':' => i -= 1,
            b',' | b';' | b'{' | b'}' | b'=' | b':' | b'&' | b'\n' if depth == 0 => break i + 1,
            _ => {}
        }
    };
    // Forward to the end of the bounds list.
    let mut depth = 0usize;
    let mut end = text.len();
    let mut j = offset;
    while j < bytes.len() {
        match bytes[j] {
            b'-' if bytes.get(j + 1) == Some(&b'>') => j += 1,
            b'(' | b'[' | b'<' => depth += 1,
            b')' | b']' | b'>' | b',' | b';' | b'{' | b'}' | b'=' if depth == 0 => {
                end = j;
                break;
            }
            b')' | b']' | b'>' => depth -= 1,
            _ => {}
        }
        j += 1;
    }
    let head = text[start..offset].trim();
    let head = head.strip_prefix("mut ").unwrap_or(head).trim_start();
    let head = match head.strip_prefix('\'') {
        // `&'a Fn() + Send`: skip the reference's lifetime.
        Some(after) => after
            .trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            .trim_start(),
        None => head,
    };
    let first_word: String = head
        .trim_start_matches(':')
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if first_word.is_empty()
        || matches!(first_word.as_str(), "dyn" | "impl" | "mut")
        || head.contains([';', '{', '}'])
    {
        return None;
    }
    let shaped_like_a_trait = first_word == "for"
        || head.starts_with("::")
        || first_word.starts_with(|c: char| c.is_ascii_uppercase())
        || head.contains("::");
    if !shaped_like_a_trait {
        return None;
    }
    let head_start = text[..offset].trim_end().len() - head.len();
    let bounds = snippet(&text[head_start..end.max(offset)]);
    Some(EditionHint {
        what: format!("bare trait object `{bounds}`"),
        fix: format!("write `dyn {bounds}`"),
    })
}

/// The `+` of a bound list when the error is at it, or at the `(` of `Fn(..)` sugar right after
/// an identifier with a `+` after the group (and its `-> Ret`).
fn plus_after_fn_sugar(bytes: &[u8], offset: usize) -> Option<usize> {
    match bytes.get(offset)? {
        b'+' => return Some(offset),
        b'(' if offset > 0 && is_ident_byte(bytes[offset - 1]) => {}
        _ => return None,
    }
    let mut depth = 0usize;
    let mut j = offset;
    while j < bytes.len() {
        match bytes[j] {
            b'-' if bytes.get(j + 1) == Some(&b'>') => j += 1,
            b'(' | b'[' | b'<' => depth += 1,
            b')' | b']' | b'>' => depth = depth.checked_sub(1)?,
            b'+' if depth == 0 => return Some(j),
            b',' | b';' | b'{' | b'}' | b'=' if depth == 0 => return None,
            _ => {}
        }
        j += 1;
    }
    None
}

/// `fn visit(&self, u8);` in a trait: the error is in or right after a parameter with no name.
fn anonymous_parameter(text: &str, offset: usize) -> Option<EditionHint> {
    let bytes = text.as_bytes();
    // Forward to the end of the parameter: syn stops at its end (`u8`, `&[T]`) or inside it
    // (the `<` of `Vec<u8>`).
    let mut depth = 0usize;
    let mut param_end = offset;
    loop {
        match bytes.get(param_end)? {
            b'-' if bytes.get(param_end + 1) == Some(&b'>') => param_end += 1,
            b'(' | b'[' | b'<' => depth += 1,
            b')' | b',' if depth == 0 => break,
            b')' | b']' | b'>' => depth = depth.checked_sub(1)?,
            b';' | b'{' | b'}' => return None,
            _ => {}
        }
        param_end += 1;
    }
    let mut depth = 0usize;
    let mut i = offset;
    let mut param_start = None;
    let open = loop {
        if i == 0 {
            return None;
        }
        i -= 1;
        match bytes[i] {
            b'>' if i > 0 && bytes[i - 1] == b'-' => i -= 1,
            b')' | b']' | b'>' => depth += 1,
            b'(' if depth == 0 => break i,
            b'(' | b'[' | b'<' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                param_start.get_or_insert(i + 1);
            }
            b';' | b'{' | b'}' => return None,
            _ => {}
        }
    };
    let param = text[param_start.unwrap_or(open + 1)..param_end].trim();
    let bare_colon = param
        .as_bytes()
        .windows(3)
        .any(|w| w[1] == b':' && w[0] != b':' && w[2] != b':');
    if param.is_empty() || bare_colon || param.ends_with("self") {
        return None;
    }
    // Before the `(`: `fn name` or `fn name<..>`.
    let mut head = text[..open].trim_end();
    if head.ends_with('>') {
        let mut depth = 0usize;
        let hb = head.as_bytes();
        let mut k = hb.len();
        while k > 0 {
            k -= 1;
            match hb[k] {
                b'>' => depth += 1,
                b'<' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        head = head[..k].trim_end();
    }
    let name_len = head.bytes().rev().take_while(|b| is_ident_byte(*b)).count();
    if name_len == 0 {
        return None;
    }
    let before = head[..head.len() - name_len].trim_end();
    let fn_keyword = before.ends_with("fn")
        && !before[..before.len() - 2]
            .bytes()
            .next_back()
            .is_some_and(is_ident_byte);
    if !fn_keyword || !inside_trait(text, before.len() - 2) {
        return None;
    }
    let param = snippet(param);
    Some(EditionHint {
        what: format!("anonymous trait method parameter `{param}`"),
        fix: format!("name the parameter (`_: {param}`)"),
    })
}

/// Whether the item at `offset` is directly inside a `trait` body (2015 allowed anonymous
/// parameters only there): the unbalanced `{` before it follows a header naming `trait`.
fn inside_trait(text: &str, offset: usize) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = offset;
    let brace = loop {
        if i == 0 {
            return false;
        }
        i -= 1;
        match bytes[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => break i,
            b'{' => depth -= 1,
            _ => {}
        }
    };
    let header_start = text[..brace].rfind([';', '{', '}']).map_or(0, |i| i + 1);
    text[header_start..brace]
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| word == "trait")
}

/// `let async = 1;`, `fn try()`: a 2018 keyword used as an identifier.
fn keyword_identifier(text: &str, offset: usize) -> Option<EditionHint> {
    let rest = &text[offset..];
    let word_len = rest.bytes().take_while(|b| is_ident_byte(*b)).count();
    let word = &rest[..word_len];
    if !matches!(word, "async" | "await" | "dyn" | "try") {
        return None;
    }
    if offset > 0 && is_ident_byte(text.as_bytes()[offset - 1]) {
        return None;
    }
    // Only where a name goes: after a binding or item keyword, a path separator, or in a
    // parameter or pattern list.
    let before = text[..offset].trim_end();
    let prev_word_len = before
        .bytes()
        .rev()
        .take_while(|b| is_ident_byte(*b))
        .count();
    let prev_word = &before[before.len() - prev_word_len..];
    let name_position = matches!(
        prev_word,
        "let"
            | "fn"
            | "mut"
            | "ref"
            | "struct"
            | "enum"
            | "mod"
            | "trait"
            | "type"
            | "const"
            | "static"
            | "use"
            | "as"
            | "crate"
            | "macro_rules"
    ) || (prev_word.is_empty()
        && (before.ends_with("::") || before.ends_with(['(', ',', '|', '!'])));
    if !name_position {
        return None;
    }
    let next = rest[word_len..].trim_start().bytes().next();
    if !matches!(
        next,
        Some(b'=' | b':' | b',' | b')' | b';' | b'(' | b'.' | b'[' | b'<')
    ) {
        return None;
    }
    Some(EditionHint {
        what: format!("`{word}` used as an identifier"),
        fix: format!("rename it or write `r#{word}`"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::{parse_file, parse_text, ParseFailure};

    /// The hint for the syn error in `text`, if it fails to parse.
    fn hint(text: &str) -> Option<String> {
        match parse_file(text) {
            Err(ParseFailure::Syntax { range, .. }) => {
                edition_2015_hint(&parse_text(text), range.start as usize).map(|h| h.what)
            }
            _ => None,
        }
    }

    #[test]
    fn recognises_2015_edition_syntax() {
        let cases = [
            (
                "type A = Box<Fn(u8) -> u8 + Send>;",
                "bare trait object `Fn(u8) -> u8 + Send`",
            ),
            (
                "fn f(x: &(FnOnce() + 'static)) {}",
                "bare trait object `FnOnce() + 'static`",
            ),
            (
                "pub trait T: Send { fn f(&self, std::io::Error); }",
                "anonymous trait method parameter `std::io::Error`",
            ),
            ("fn f() { let dyn = 1; }", "`dyn` used as an identifier"),
            ("fn f() { g(async) }", "`async` used as an identifier"),
            (
                "struct S { f: Box<Fn(&u8) + Sync\n}",
                "bare trait object `Fn(&u8) + Sync`",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(hint(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn genuine_errors_get_no_hint() {
        for text in [
            "fn f() { let x = 1 + ; }",
            "fn f() { g(1 +) }",
            "fn f(x) {}",
            "impl S { fn f(u8) {} }",
            "struct S { a: u8 b: u8 }",
            "fn f() { async }",
            "await()o:p",
            "type A = Box<dyn Fn(u8) + + Send>;",
            "fn f(",
            "+",
        ] {
            assert_eq!(hint(text), None, "{text}");
        }
    }

    #[test]
    fn hint_never_panics_at_odd_offsets() {
        let text = "é(+ fn(, async) dyn";
        for offset in 0..=text.len() + 1 {
            let _ = edition_2015_hint(text, offset);
        }
    }
}
