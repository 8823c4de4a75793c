//! The user's own per-point function: a small language with Python's syntax
//! and numpy's function names, compiled once and run on either backend.
//!
//! - parse.rs: text -> syntax tree with spans (Python's precedence);
//! - check.rs: names, arities and types -> the checked tree of ast.rs, folded;
//! - wgsl.rs: the tree -> a WGSL function spliced into derive.wgsl;
//! - eval.rs: the tree -> block instructions, the CPU twin (numexpr's method);
//! - tolerance.rs: an f64 reference with the error bounds WGSL allows, which
//!   the parity checks hold the two back ends to.
//!
//! Every expression terminates (no loops, no assignment); a malformed one is
//! an [`ExprError`] pointing at the column, never a shader.

pub(crate) mod ast;
mod check;
pub(crate) mod eval;
mod parse;
pub(crate) mod tolerance;
pub(crate) mod wgsl;

#[cfg(test)]
pub(crate) mod tests;

use std::fmt;

pub(crate) use ast::{Node, Type, Var};
pub(crate) use check::BUILTIN_NAMES;

/// Longest expression, in characters.
pub const MAX_LEN: usize = 4096;
/// Deepest nesting of brackets, calls and prefix operators.
pub const MAX_DEPTH: usize = 64;
/// Most nodes in the checked tree.
pub const MAX_NODES: usize = 1024;

/// Characters `start..end` of the expression (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A malformed expression: what is wrong and where (shown with a caret under
/// the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// The expression as given.
    pub expression: String,
    /// 0-based character where the problem starts.
    pub column: usize,
    /// How many characters it covers (at least 1).
    pub width: usize,
}

impl ExprError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> ExprError {
        ExprError {
            message: message.into(),
            expression: String::new(),
            column: span.start,
            width: span.end.saturating_sub(span.start).max(1),
        }
    }

    fn in_expression(mut self, expression: &str) -> ExprError {
        self.expression = expression.to_string();
        self
    }
}

impl fmt::Display for ExprError {
    /// Three lines: the message, the expression, a caret under the column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Long expressions show the 60 characters around the problem.
        let chars: Vec<char> = self
            .expression
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let from = self.column.saturating_sub(40);
        let to = (self.column + 40).min(chars.len());
        let shown: String = chars[from.min(to)..to].iter().collect();
        let pre = if from > 0 { "..." } else { "" };
        let post = if to < chars.len() { "..." } else { "" };
        let pad = pre.len() + self.column - from;
        let width = self.width.min(to.saturating_sub(self.column).max(1));
        write!(
            f,
            "{}\n  {pre}{shown}{post}\n  {}{}",
            self.message,
            " ".repeat(pad),
            "^".repeat(width)
        )
    }
}

impl std::error::Error for ExprError {}

/// A compiled expression: the checked, folded tree and the columns it reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    /// The text it came from.
    pub source: String,
    pub node: Node,
    /// The columns the tree reads, by slot.
    pub columns: Vec<String>,
}

impl Expr {
    /// A value expression (a number; a condition counts 1 or 0) over the
    /// built-in names and the columns in `available`.
    pub fn value(source: &str, available: &[&str]) -> Result<Expr, ExprError> {
        Expr::compile(source, available, Type::Number, Vec::new())
    }

    /// A filter: a condition.
    #[cfg(test)]
    pub fn filter(source: &str, available: &[&str]) -> Result<Expr, ExprError> {
        Expr::compile(source, available, Type::Boolean, Vec::new())
    }

    /// A filter whose column slots follow on from `used` (a value
    /// expression's columns), so that the two share one set of slots.
    pub fn filter_after(
        source: &str,
        available: &[&str],
        used: Vec<String>,
    ) -> Result<Expr, ExprError> {
        Expr::compile(source, available, Type::Boolean, used)
    }

    fn compile(
        source: &str,
        available: &[&str],
        want: Type,
        used: Vec<String>,
    ) -> Result<Expr, ExprError> {
        let wrap = |e: ExprError| e.in_expression(source);
        let syn = parse::parse(source).map_err(wrap)?;
        let mut checker = check::Checker { available, used };
        let node = checker.check(&syn, want).map_err(wrap)?;
        Ok(Expr {
            source: source.trim().to_string(),
            node,
            columns: checker.used,
        })
    }

    /// The tree as fully bracketed text that compiles back to the same tree.
    #[cfg(test)]
    pub fn to_text(&self) -> String {
        ast::Printer {
            node: &self.node,
            columns: &self.columns,
        }
        .to_string()
    }
}

/// The names in `source` that are not built in (neither `x`, `y`, `index`,
/// `t`, `radius`, `angle`, `wave`, `data`, a constant nor a function): the
/// columns it needs, in order of first use. A front end loads these before
/// the expression is compiled against the points.
///
/// ```
/// let cols = pointillist::expression_columns("log(speed) * where(mass > 0, x, speed)").unwrap();
/// assert_eq!(cols, ["speed", "mass"]);
/// assert!(pointillist::expression_columns("x +").is_err());
/// ```
pub fn expression_columns(source: &str) -> Result<Vec<String>, ExprError> {
    let syn = parse::parse(source).map_err(|e| e.in_expression(source))?;
    let mut names = Vec::new();
    parse::names(&syn, &mut names);
    let fixed = ["pi", "e", "True", "true", "False", "false", "data"];
    names.retain(|n| !BUILTIN_NAMES.iter().any(|(b, _)| b == n) && !fixed.contains(&n.as_str()));
    let mut seen = Vec::new();
    for n in names {
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    Ok(seen)
}

/// Levenshtein distance, for "did you mean".
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + (ca != *cb) as usize)
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
