//! A parsed JSON value held flat in reusable arenas.
//!
//! Containers refer to their children by index instead of owning them, so that parsing,
//! writing and dropping a deeply nested value never recurse and cannot overflow the stack.
//! Nodes hold no borrow of the input, so one [`Tree`] is reused call after call and a small
//! document costs no allocation beyond its output.

/// Index of a node in [`Tree::nodes`].
pub(crate) type NodeId = u32;

/// Longest input accepted: every offset fits in 31 bits, leaving [`Text`] one flag bit.
pub(crate) const MAX_INPUT_LEN: usize = (u32::MAX >> 1) as usize;

/// A string of the document: a slice of the input text, or, when it had escapes, of
/// [`Tree::decoded`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text {
    /// Start offset, with [`Text::DECODED`] set when it indexes `Tree::decoded`.
    start: u32,
    len: u32,
}

impl Text {
    const DECODED: u32 = 1 << 31;

    /// A slice `input[start..start + len]`.
    pub(crate) fn in_input(start: usize, len: usize) -> Self {
        Self {
            start: start as u32,
            len: len as u32,
        }
    }

    /// A slice `decoded[start..start + len]`.
    pub(crate) fn in_decoded(start: usize, len: usize) -> Self {
        Self {
            start: start as u32 | Self::DECODED,
            len: len as u32,
        }
    }
}

/// An object member: its key and its value.
pub(crate) type Member = (Text, NodeId);

/// One JSON value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// Always finite; -0 is kept and written as `0`.
    Number(f64),
    String(Text),
    /// Elements `Tree::items[start..start + len]`.
    Array {
        start: u32,
        len: u32,
    },
    /// Members `Tree::members[start..start + len]`, sorted by the UTF-16 code units of their
    /// keys, keys unique.
    Object {
        start: u32,
        len: u32,
    },
}

/// A container whose closing bracket the parser has not seen yet. Its children so far are
/// the tail of `Tree::open_items` or `Tree::open_members` from `first` on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OpenContainer {
    Array {
        first: usize,
    },
    Object {
        first: usize,
        /// The key whose value is being parsed.
        pending_key: Text,
    },
}

/// A parsed document plus the scratch space of parsing and writing it.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
    /// Elements of closed arrays, each array contiguous.
    pub(crate) items: Vec<NodeId>,
    /// Members of closed objects, each object contiguous and sorted.
    pub(crate) members: Vec<Member>,
    /// Strings that contained escapes, decoded, one after another.
    pub(crate) decoded: String,
    /// Parser scratch: the containers still open, innermost last.
    pub(crate) open_containers: Vec<OpenContainer>,
    /// Parser scratch: elements of the arrays still open, innermost last.
    pub(crate) open_items: Vec<NodeId>,
    /// Parser scratch: members of the objects still open, innermost last.
    pub(crate) open_members: Vec<Member>,
    /// Writer scratch: open containers and the index of their next child.
    pub(crate) open_writes: Vec<(NodeId, u32)>,
    pub(crate) root: NodeId,
}

impl Tree {
    /// Empties every buffer, keeping its capacity.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.items.clear();
        self.members.clear();
        self.decoded.clear();
        self.open_containers.clear();
        self.open_items.clear();
        self.open_members.clear();
        self.open_writes.clear();
        self.root = 0;
    }

    /// The characters of `text`, a string of the document parsed from `input`.
    pub(crate) fn str<'s>(&'s self, input: &'s str, text: Text) -> &'s str {
        resolve(input, &self.decoded, text)
    }

    pub(crate) fn node(&self, id: NodeId) -> Node {
        self.nodes.get(id as usize).copied().unwrap_or(Node::Null)
    }
}

/// The characters of `text`, given the two buffers it may point into.
pub(crate) fn resolve<'s>(input: &'s str, decoded: &'s str, text: Text) -> &'s str {
    let (buffer, start) = if text.start & Text::DECODED == 0 {
        (input, text.start as usize)
    } else {
        (decoded, (text.start & !Text::DECODED) as usize)
    };
    buffer
        .get(start..start + text.len as usize)
        .unwrap_or_default()
}
