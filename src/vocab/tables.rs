//! Name tables of the vocabulary: categories whose entries are plain paths that lowering and the
//! interpreter look up by name (the prelude, smart pointers, wrapping constructors, lazy statics,
//! `drop`) and the methods whose result keeps its receiver's origin, as opposed to the categories the rules match calls against.
//!
//! They are kept apart from the call index on purpose: a name table says what a path *is* (a
//! type that derefs to its argument, a prelude name), so it must not make a call "known" to
//! glob resolution or to [`super::Vocab::categories`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Category, Entry};

/// The name tables, filled from entries of the table categories (see [`Category::is_table`]).
#[derive(Debug, Default)]
pub struct Tables {
    /// Prelude name (the path's last segment) -> canonical path.
    prelude: HashMap<String, String>,
    /// Every other table category -> its paths (method names for `transparent-method`).
    paths: HashMap<Category, HashSet<String>>,
}

impl Category {
    /// Whether this category is a name table (an exact `path` per entry, looked up by name).
    pub fn is_table(self) -> bool {
        matches!(
            self,
            Category::Prelude
                | Category::SmartPointer
                | Category::WrapperCtor
                | Category::Lazy
                | Category::Drop
                | Category::PatternMacro
                | Category::FieldMacro
                | Category::FieldWrapper
        ) || self.is_method_table()
    }

    /// Whether this name table holds method names (`methods` entries) rather than paths.
    pub fn is_method_table(self) -> bool {
        matches!(
            self,
            Category::TransparentMethod
                | Category::UnwrapMethod
                | Category::JoinMethod
                | Category::StoreMethod
        )
    }

    /// Whether a user's `[vocab]` may add entries to this category. The prelude is the
    /// language's: a user cannot add names to it.
    pub fn user_extensible(self) -> bool {
        self != Category::Prelude
    }
}

impl Entry {
    /// What is wrong with the shape of an entry of a table category, if anything.
    pub(super) fn table_shape_error(&self, category: Category) -> Option<&'static str> {
        if category.is_method_table() {
            let names = self.methods.as_ref().is_some_and(|m| {
                !m.is_empty() && m.iter().all(|n| !n.is_empty() && !n.contains("::"))
            });
            let only_methods = *self
                == Entry {
                    methods: self.methods.clone(),
                    ..Entry::default()
                };
            return (!names || !only_methods).then_some(
                "a method-table entry (`transparent-method`, `unwrap-method`, `join-method`, \
                 `store-method`) has `methods` (plain names) and nothing else",
            );
        }
        let exact_path = self.path.as_deref().is_some_and(|p| !p.ends_with("::*"));
        let only_path = self.macro_path.is_none()
            && self.methods.is_none()
            && self.receivers.is_none()
            && self.first_arg.is_none()
            && self.kind.is_none()
            && self.ty.is_none()
            && self.param.is_none()
            && self.clean.is_none()
            && self.replacement.is_none();
        (!exact_path || !only_path)
            .then_some("a name-table entry has an exact `path` and nothing else")
    }
}

impl Tables {
    pub(super) fn insert(&mut self, category: Category, path: &str) {
        if category == Category::Prelude {
            let name = path.rsplit("::").next().unwrap_or(path);
            self.prelude.insert(name.to_string(), path.to_string());
        } else {
            self.paths
                .entry(category)
                .or_default()
                .insert(path.to_string());
        }
    }

    /// The canonical path of a prelude name (`Box` -> `std::boxed::Box`).
    pub fn prelude(&self, name: &str) -> Option<&str> {
        self.prelude.get(name).map(String::as_str)
    }

    /// Whether a table category names this exact path.
    pub fn has(&self, category: Category, path: &str) -> bool {
        self.paths
            .get(&category)
            .is_some_and(|paths| paths.contains(path))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RawVocab, Vocab};
    use super::*;

    fn extension(category: &str, path: &str) -> Result<Vocab, Vec<super::super::VocabError>> {
        let entry = Entry {
            path: Some(path.to_string()),
            ..Entry::default()
        };
        let raw: RawVocab = [(category.to_string(), vec![entry])].into_iter().collect();
        Vocab::with_extensions(&[("test".to_string(), raw)])
    }

    #[test]
    fn the_builtin_tables_name_std_paths() {
        let vocab = Vocab::builtin();
        assert_eq!(vocab.tables().prelude("Box"), Some("std::boxed::Box"));
        assert_eq!(vocab.tables().prelude("drop"), Some("std::mem::drop"));
        assert!(vocab.tables().has(Category::SmartPointer, "std::sync::Arc"));
        assert!(vocab
            .tables()
            .has(Category::WrapperCtor, "std::boxed::Box::pin"));
        assert!(vocab.tables().has(Category::Lazy, "once_cell::sync::Lazy"));
        assert!(vocab.tables().has(Category::Drop, "std::mem::drop"));
        assert!(vocab.tables().has(Category::TransparentMethod, "unwrap"));
        assert!(vocab.tables().has(Category::PatternMacro, "std::matches"));
        assert_eq!(vocab.default_process_exit(), "std::process::exit");
        // A table says what a path is; it does not make it a known call.
        assert!(!vocab.knows("std::sync::Arc"));
    }

    #[test]
    fn users_extend_the_tables_but_not_the_prelude() {
        let vocab = extension("lazy", "my_cell::Lazy").unwrap();
        assert!(vocab.tables().has(Category::Lazy, "my_cell::Lazy"));
        let errors = extension("prelude", "my::Thing").unwrap_err();
        assert_eq!(errors[0].key, "prelude");
        assert!(errors[0]
            .message
            .contains("built in and cannot be extended"));
        let errors = extension("smart-pointer", "my::*").unwrap_err();
        assert_eq!(errors[0].key, "smart-pointer");
        assert!(errors[0]
            .message
            .contains("an exact `path` and nothing else"));
    }
}
