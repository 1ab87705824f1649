//! The syntax layer: lexer, lossless tree, parser with error recovery, line index.

mod dump;
pub mod error;
pub mod lexer;
pub mod line_index;
mod parser;
pub mod string;
pub mod token;
pub mod tree;

pub use dump::dump_tree;
pub use error::{SyntaxError, SyntaxErrorKind};
pub use line_index::{LineCol, LineIndex};
pub use parser::parse;
pub use token::{Span, Token, TokenKind, Tokens};
pub use tree::{
    Element, Node, NodeId, NodeKind, SyntaxTree, TokenId, WalkEvent, MAX_SYNTAX_ERRORS,
};
