//! A parsed JSON value held flat in an arena.
//!
//! Containers refer to their children by index instead of owning them, so that parsing,
//! writing and dropping a deeply nested value never recurse and cannot overflow the stack.

use std::borrow::Cow;

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = usize;

/// One JSON value; strings borrow from the input text unless they contained escapes.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    /// Always finite; -0 is kept and written as `0`.
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<NodeId>),
    /// Members sorted by UTF-16 code units of their keys, keys unique.
    Object(Vec<(Cow<'a, str>, NodeId)>),
}

/// A whole parsed document.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) root: NodeId,
}
