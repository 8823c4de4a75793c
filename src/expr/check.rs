//! Syntax tree to checked tree: names resolved against fixed tables, call
//! arities and types checked (a boolean used as a number becomes 1 or 0; a
//! number where a boolean belongs is an error), comparison chains expanded,
//! and constant subtrees folded with the CPU twin's own arithmetic.

use super::ast::{BinOp, Func, Node, Type, UnOp, Var};
use super::eval::scalar;
use super::parse::{Syn, SynKind};
use super::{ExprError, Span, MAX_NODES};

/// The names an expression may use besides functions and columns.
pub const BUILTIN_NAMES: [(&str, Var); 7] = [
    ("x", Var::X),
    ("y", Var::Y),
    ("index", Var::Index),
    ("t", Var::T),
    ("radius", Var::Radius),
    ("angle", Var::Angle),
    ("wave", Var::Wave),
];

pub struct Checker<'a> {
    /// Every column the points hold, by name.
    pub available: &'a [&'a str],
    /// The columns used so far, in slot order.
    pub used: Vec<String>,
}

impl Checker<'_> {
    /// The checked, folded tree of `syn`, as a number or as a boolean.
    pub fn check(&mut self, syn: &Syn, want: Type) -> Result<Node, ExprError> {
        let node = self.node(syn)?;
        let node =
            match (want, node.ty()) {
                (Type::Number, Type::Boolean) => Node::Num(Box::new(node)),
                (Type::Boolean, Type::Number) => return Err(ExprError::new(
                    "a filter is a condition such as 'x > 0' or '(x > 0) & (y < 1)', not a number",
                    syn.span,
                )),
                _ => node,
            };
        let node = fold(node);
        if node.size() > MAX_NODES {
            return Err(ExprError::new(
                format!(
                    "the expression has {} nodes, more than the {MAX_NODES} allowed",
                    node.size()
                ),
                syn.span,
            ));
        }
        Ok(node)
    }

    fn number(&mut self, syn: &Syn) -> Result<Node, ExprError> {
        let n = self.node(syn)?;
        Ok(match n.ty() {
            Type::Boolean => Node::Num(Box::new(n)),
            Type::Number => n,
        })
    }

    fn boolean(&mut self, syn: &Syn, what: &str) -> Result<Node, ExprError> {
        let n = self.node(syn)?;
        match n.ty() {
            Type::Boolean => Ok(n),
            Type::Number => Err(ExprError::new(
                format!("{what} needs a condition (such as 'x > 0') here, not a number"),
                syn.span,
            )),
        }
    }

    fn node(&mut self, syn: &Syn) -> Result<Node, ExprError> {
        Ok(match &syn.kind {
            SynKind::Num(v) => {
                let f = *v as f32;
                if f.is_infinite() {
                    return Err(ExprError::new(
                        "this number is too large for f32 (at most about 3.4e38)",
                        syn.span,
                    ));
                }
                Node::Lit(f)
            }
            SynKind::Name(name) => self.name(name, syn.span)?,
            SynKind::Prefix(op, a) => match *op {
                "-" => Node::Unary(UnOp::Neg, Box::new(self.number(a)?)),
                "+" => self.number(a)?,
                _ => Node::Unary(UnOp::Not, Box::new(self.boolean(a, &format!("'{op}'"))?)),
            },
            SynKind::Infix(op, a, b) => {
                let bin = match *op {
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    "//" => BinOp::FloorDiv,
                    "%" => BinOp::Mod,
                    "**" => BinOp::Pow,
                    "&" | "and" => BinOp::And,
                    _ => BinOp::Or,
                };
                if bin.is_logical() {
                    let what = format!(
                        "'{op}' (it binds tighter than comparisons, as in Python: write (a > 0) {op} (b > 0))"
                    );
                    let what = if op.len() == 1 {
                        what
                    } else {
                        format!("'{op}'")
                    };
                    Node::Binary(
                        bin,
                        Box::new(self.boolean(a, &what)?),
                        Box::new(self.boolean(b, &what)?),
                    )
                } else {
                    Node::Binary(bin, Box::new(self.number(a)?), Box::new(self.number(b)?))
                }
            }
            SynKind::Compare(operands, ops) => {
                let nodes = operands
                    .iter()
                    .map(|o| self.number(o))
                    .collect::<Result<Vec<_>, _>>()?;
                // a < b < c is (a < b) & (b < c), as in Python.
                let mut chain: Option<Node> = None;
                for (i, op) in ops.iter().enumerate() {
                    let bin = match *op {
                        "<" => BinOp::Lt,
                        "<=" => BinOp::Le,
                        ">" => BinOp::Gt,
                        ">=" => BinOp::Ge,
                        "==" => BinOp::Eq,
                        _ => BinOp::Ne,
                    };
                    let cmp = Node::Binary(
                        bin,
                        Box::new(nodes[i].clone()),
                        Box::new(nodes[i + 1].clone()),
                    );
                    chain = Some(match chain {
                        None => cmp,
                        Some(c) => Node::Binary(BinOp::And, Box::new(c), Box::new(cmp)),
                    });
                }
                chain.expect("a comparison has an operator")
            }
            SynKind::Call(name, name_span, args) => self.call(name, *name_span, args, syn.span)?,
        })
    }

    fn name(&mut self, name: &str, span: Span) -> Result<Node, ExprError> {
        if let Some((_, var)) = BUILTIN_NAMES.iter().find(|(n, _)| *n == name) {
            return Ok(Node::Var(*var));
        }
        match name {
            "pi" => return Ok(Node::Lit(std::f32::consts::PI)),
            "e" => return Ok(Node::Lit(std::f32::consts::E)),
            "True" | "true" => return Ok(Node::Bool(true)),
            "False" | "false" => return Ok(Node::Bool(false)),
            _ => {}
        }
        // `data` is the first column, as the old --value data was.
        let column = if name == "data" {
            self.available.first().copied()
        } else {
            self.available.iter().copied().find(|c| *c == name)
        };
        if let Some(column) = column {
            let slot = match self.used.iter().position(|u| u == column) {
                Some(slot) => slot,
                None => {
                    self.used.push(column.to_string());
                    self.used.len() - 1
                }
            };
            return Ok(Node::Var(Var::Column(slot as u16)));
        }
        if Func::by_name(name).is_some() {
            return Err(ExprError::new(
                format!("{name} is a function: call it as {name}(...)"),
                span,
            ));
        }
        Err(ExprError::new(self.unknown(name), span))
    }

    fn unknown(&self, name: &str) -> String {
        let mut names: Vec<&str> = BUILTIN_NAMES.iter().map(|(n, _)| *n).collect();
        names.extend(["pi", "e"]);
        names.extend(self.available.iter().copied());
        let all_names = names.clone();
        names.extend(Func::ALL.iter().map(|f| f.name()));
        let columns = if self.available.is_empty() {
            " (these points have no value columns)".to_string()
        } else {
            String::new()
        };
        format!(
            "unknown name '{name}'{} Names: {}{columns}",
            suggestion(name, &names),
            all_names.join(", ")
        )
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Syn],
        span: Span,
    ) -> Result<Node, ExprError> {
        let Some(func) = Func::by_name(name) else {
            let msg = if BUILTIN_NAMES.iter().any(|(n, _)| *n == name)
                || self.available.contains(&name)
            {
                format!("{name} is a value, not a function")
            } else {
                let names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown function '{name}'{} Functions: {}",
                    suggestion(name, &names),
                    names.join(", ")
                )
            };
            return Err(ExprError::new(msg, name_span));
        };
        if args.len() != func.arity() {
            let n = func.arity();
            return Err(ExprError::new(
                format!(
                    "{} takes {n} argument{}, not {}",
                    func.name(),
                    if n == 1 { "" } else { "s" },
                    args.len()
                ),
                span,
            ));
        }
        let args = if func == Func::Where {
            let cond = self.boolean(&args[0], "where's first argument")?;
            let a = self.node(&args[1])?;
            let b = self.node(&args[2])?;
            let (a, b) = match (a.ty(), b.ty()) {
                (Type::Boolean, Type::Boolean) | (Type::Number, Type::Number) => (a, b),
                (Type::Boolean, _) => (Node::Num(Box::new(a)), b),
                _ => (a, Node::Num(Box::new(b))),
            };
            vec![cond, a, b]
        } else {
            args.iter()
                .map(|a| self.number(a))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Node::Call(func, args))
    }
}

/// Two constants one non-constant apart in a chain of `+ -` (or of `*`)
/// become one: `a + (b + c)` is `b + (a + c)` with `a + c` folded in f32.
/// GPU compilers do this to the WGSL (Mesa's NIR: `#a + (b + #c)` becomes
/// `(a + c) + b`), so the CPU twin must compute the same sum or the two
/// round differently; done here, there is nothing left for a driver to move.
fn reassociate(node: Node) -> Node {
    use BinOp::{Add, Mul, Sub};
    let lit = |n: &Node| match n {
        Node::Lit(v) => Some(*v),
        _ => None,
    };
    // A chain link `x ± c`, `c ± x` or `-(x ± c)`: (the non-constant, its
    // sign, the constant's signed value).
    let link = |n: &Node| -> Option<(Node, bool, f32)> {
        match n {
            Node::Binary(op @ (Add | Sub), a, b) => match (lit(a), lit(b)) {
                (None, Some(c)) => Some(((**a).clone(), true, if *op == Add { c } else { -c })),
                (Some(c), None) => Some(((**b).clone(), *op == Add, c)),
                _ => None,
            },
            _ => None,
        }
    };
    let split = |n: &Node| match n {
        Node::Unary(UnOp::Neg, inner) => link(inner).map(|(x, p, c)| (x, !p, -c)),
        n => link(n),
    };
    let build = |x: Node, positive: bool, c: f32| -> Node {
        if positive {
            Node::Binary(Add, Box::new(x), Box::new(Node::Lit(c)))
        } else {
            Node::Binary(Sub, Box::new(Node::Lit(c)), Box::new(x))
        }
    };
    match &node {
        Node::Binary(op @ (Add | Sub), a, b) => {
            // c1 ± (x ± c2), and (x ± c2) ± c1.
            let (outer, inner, flip) = match (lit(a), lit(b)) {
                (Some(c1), None) => (c1, b, *op == Sub),
                (None, Some(c1)) => (if *op == Add { c1 } else { -c1 }, a, false),
                _ => return node,
            };
            let Some((x, positive, c2)) = split(inner) else {
                return node;
            };
            // outer + s * (sign x + c2), s = -1 when the chain is subtracted.
            let (positive, c2) = if flip {
                (!positive, -c2)
            } else {
                (positive, c2)
            };
            let c = outer + c2;
            if !c.is_finite() {
                return node;
            }
            build(x, positive, c)
        }
        Node::Binary(Mul, a, b) => {
            let (c1, inner) = match (lit(a), lit(b)) {
                (Some(c), None) => (c, b),
                (None, Some(c)) => (c, a),
                _ => return node,
            };
            let Node::Binary(Mul, p, q) = &**inner else {
                return node;
            };
            let (x, c2) = match (lit(p), lit(q)) {
                (None, Some(c)) => ((**p).clone(), c),
                (Some(c), None) => ((**q).clone(), c),
                _ => return node,
            };
            let c = c1 * c2;
            if !c.is_finite() {
                return node;
            }
            Node::Binary(Mul, Box::new(x), Box::new(Node::Lit(c)))
        }
        _ => node,
    }
}

/// "; did you mean 'n'?" for the closest of `names` (within a third of the
/// longer name's length in edits), else ".".
fn suggestion(name: &str, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| (super::edit_distance(name, n), *n))
        .filter(|(d, n)| *d <= (n.len().max(name.len()) / 3).max(1))
        .min()
        .map_or_else(|| ".".into(), |(_, n)| format!("; did you mean '{n}'?"))
}

/// Replace every subtree without a variable by its value, computed with the
/// CPU twin's scalar arithmetic (so folding never changes a result). A
/// number with no value (`log(-1)`, `exp(134)`) becomes the literal NaN,
/// which every later step reads as "no value": left as arithmetic, naga
/// would evaluate it while compiling and reject the shader.
pub fn fold(node: Node) -> Node {
    let node = match node {
        Node::Num(a) => Node::Num(Box::new(fold(*a))),
        Node::Unary(op, a) => Node::Unary(op, Box::new(fold(*a))),
        Node::Binary(op, a, b) => Node::Binary(op, Box::new(fold(*a)), Box::new(fold(*b))),
        Node::Call(f, args) => Node::Call(f, args.into_iter().map(fold).collect()),
        leaf => return leaf,
    };
    let constant = |n: &Node| matches!(n, Node::Lit(_) | Node::Bool(_));
    let all_constant = match &node {
        Node::Num(a) | Node::Unary(_, a) => constant(a),
        Node::Binary(_, a, b) => constant(a) && constant(b),
        Node::Call(_, args) => args.iter().all(constant),
        _ => false,
    };
    if !all_constant {
        return reassociate(node);
    }
    let v = scalar(&node, &|_| 0.0);
    match node.ty() {
        // A condition without a value keeps its (constant) operands.
        Type::Boolean if v.is_nan() => node,
        Type::Boolean => Node::Bool(v != 0.0),
        Type::Number if v.is_finite() => Node::Lit(v),
        Type::Number => Node::Lit(f32::NAN),
    }
}
