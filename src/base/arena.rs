//! Typed indices and the arena they index.
//!
//! Files, bodies and nodes are numbered, and analyses key their tables by those numbers. A raw
//! `u32` lets a body index slip into a file table, so each kind of thing gets its own index type,
//! `Idx<T>`, after rust-analyzer's `la-arena` (a hand-written copy: forty lines, no dependency).
//! Only this module turns an index into a `usize`; everything else calls [`Idx::index`].

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The index of a `T` in its arena (or in a table parallel to it).
pub struct Idx<T> {
    raw: u32,
    // `fn() -> T`: the index neither owns a `T` nor inherits its auto traits.
    _ty: PhantomData<fn() -> T>,
}

impl<T> Idx<T> {
    /// The index of the `index`-th element; saturates at `u32::MAX` (a file table or a body
    /// list never comes near it: the inputs are bounded in size).
    pub fn from_index(index: usize) -> Self {
        Idx {
            raw: u32::try_from(index).unwrap_or(u32::MAX),
            _ty: PhantomData,
        }
    }

    pub const fn from_raw(raw: u32) -> Self {
        Idx {
            raw,
            _ty: PhantomData,
        }
    }

    /// The position in the arena or table.
    pub fn index(self) -> usize {
        self.raw as usize
    }

    /// The raw number, for stable encodings (the cache) and output.
    pub fn raw(self) -> u32 {
        self.raw
    }
}

// Derives would require `T: Clone` (and so on); an index is plain data whatever it points to.
impl<T> Clone for Idx<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Idx<T> {}
impl<T> PartialEq for Idx<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<T> Eq for Idx<T> {}
impl<T> PartialOrd for Idx<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Idx<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}
impl<T> Hash for Idx<T> {
    // Hashes like the `u32` it replaces, so fact fingerprints are unchanged.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}
impl<T> Default for Idx<T> {
    fn default() -> Self {
        Idx::from_raw(0)
    }
}
impl<T> fmt::Debug for Idx<T> {
    // Prints like the `u32` it replaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}
impl<T> fmt::Display for Idx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

/// A vector of `T`s indexed by `Idx<T>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arena<T> {
    items: Vec<T>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena { items: Vec::new() }
    }
}

impl<T: Hash> Hash for Arena<T> {
    // Hashes like the `Vec<T>` it replaces.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.items.hash(state)
    }
}

impl<T> Arena<T> {
    /// Adds `item`, returning its index.
    pub fn alloc(&mut self, item: T) -> Idx<T> {
        let id = Idx::from_index(self.items.len());
        self.items.push(item);
        id
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: Idx<T>) -> Option<&T> {
        self.items.get(id.index())
    }

    /// The index the next `alloc` returns.
    pub fn next_idx(&self) -> Idx<T> {
        Idx::from_index(self.items.len())
    }

    /// Every index, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = Idx<T>> + ExactSizeIterator {
        (0..self.items.len()).map(Idx::from_index)
    }

    /// Every element with its index, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Idx<T>, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (Idx::from_index(i), item))
    }

    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    pub fn capacity(&self) -> usize {
        self.items.capacity()
    }

    pub fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit()
    }
}

impl<T> std::ops::Index<Idx<T>> for Arena<T> {
    type Output = T;
    fn index(&self, id: Idx<T>) -> &T {
        &self.items[id.index()]
    }
}

impl<T> std::ops::IndexMut<Idx<T>> for Arena<T> {
    fn index_mut(&mut self, id: Idx<T>) -> &mut T {
        &mut self.items[id.index()]
    }
}
