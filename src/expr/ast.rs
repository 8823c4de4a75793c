//! The typed tree an expression compiles to, the function table, and a
//! printer that writes a tree back as text the parser reads to the same tree.
//!
//! Numbers are f32 and booleans are their own type; a boolean used as a
//! number is wrapped in [`Node::Num`] (1 or 0, as numpy does). Both back
//! ends (WGSL in `wgsl.rs`, CPU blocks in `eval.rs`) read only this tree.

#[cfg(test)]
use std::fmt;

/// The value of a leaf that is not a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Var {
    /// The x coordinate (origin + offset, in f32).
    X,
    /// The y coordinate.
    Y,
    /// The row of the point in the input.
    Index,
    /// Time in seconds.
    T,
    /// Distance from the centre of the data.
    Radius,
    /// Angle about the centre of the data, in radians.
    Angle,
    /// A sine pattern over the data's extent.
    Wave,
    /// A value column, by its slot in [`super::Expr::columns`].
    Column(u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-a`
    Neg,
    /// `~a`, `not a` on a boolean.
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&",
            BinOp::Or => "|",
        }
    }

    /// Comparisons take numbers and give a boolean.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
        )
    }

    /// `&` and `|` take booleans.
    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }
}

macro_rules! functions {
    ($($variant:ident $name:literal $arity:literal,)*) => {
        /// The functions an expression may call (numpy's names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Func { $($variant,)* }

        impl Func {
            pub const ALL: &'static [Func] = &[$(Func::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name,)* }
            }

            /// How many arguments it takes.
            pub fn arity(self) -> usize {
                match self { $(Func::$variant => $arity,)* }
            }
        }
    };
}

functions! {
    Sin "sin" 1,
    Cos "cos" 1,
    Tan "tan" 1,
    Arcsin "arcsin" 1,
    Arccos "arccos" 1,
    Arctan "arctan" 1,
    Arctan2 "arctan2" 2,
    Sinh "sinh" 1,
    Cosh "cosh" 1,
    Tanh "tanh" 1,
    Arcsinh "arcsinh" 1,
    Arccosh "arccosh" 1,
    Arctanh "arctanh" 1,
    Exp "exp" 1,
    Expm1 "expm1" 1,
    Log "log" 1,
    Log1p "log1p" 1,
    Log2 "log2" 1,
    Log10 "log10" 1,
    Sqrt "sqrt" 1,
    Abs "abs" 1,
    Floor "floor" 1,
    Ceil "ceil" 1,
    Round "round" 1,
    Sign "sign" 1,
    Minimum "minimum" 2,
    Maximum "maximum" 2,
    Clip "clip" 3,
    Hypot "hypot" 2,
    Where "where" 3,
}

impl Func {
    /// A function by its name or an accepted alias.
    pub fn by_name(name: &str) -> Option<Func> {
        let name = match name {
            "asin" => "arcsin",
            "acos" => "arccos",
            "atan" => "arctan",
            "atan2" => "arctan2",
            "asinh" => "arcsinh",
            "acosh" => "arccosh",
            "atanh" => "arctanh",
            "absolute" => "abs",
            "min" => "minimum",
            "max" => "maximum",
            "clamp" => "clip",
            other => other,
        };
        Func::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// A checked expression: numbers are f32, booleans are booleans.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Lit(f32),
    Bool(bool),
    Var(Var),
    /// A boolean used as a number: 1 or 0.
    Num(Box<Node>),
    Unary(UnOp, Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `where(cond, a, b)` is `Call(Where, [cond, a, b])`: the condition is a
    /// boolean, and the two branches have one type (booleans, or numbers).
    Call(Func, Vec<Node>),
}

/// The two types of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Boolean,
}

impl Node {
    pub fn ty(&self) -> Type {
        match self {
            Node::Bool(_) => Type::Boolean,
            Node::Unary(UnOp::Not, _) => Type::Boolean,
            Node::Binary(op, ..) if op.is_comparison() || op.is_logical() => Type::Boolean,
            Node::Call(Func::Where, args) => args[1].ty(),
            _ => Type::Number,
        }
    }

    /// Every node of the tree, this one first.
    pub fn walk(&self, f: &mut impl FnMut(&Node)) {
        f(self);
        match self {
            Node::Lit(_) | Node::Bool(_) | Node::Var(_) => {}
            Node::Num(a) | Node::Unary(_, a) => a.walk(f),
            Node::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Node::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
        }
    }

    /// How many nodes the tree has.
    pub fn size(&self) -> usize {
        let mut n = 0;
        self.walk(&mut |_| n += 1);
        n
    }

    /// The tree with every `from` leaf made `to`.
    pub fn replace(self, from: Var, to: Var) -> Node {
        let r = |n: Box<Node>| Box::new(n.replace(from, to));
        match self {
            Node::Var(v) if v == from => Node::Var(to),
            Node::Num(a) => Node::Num(r(a)),
            Node::Unary(op, a) => Node::Unary(op, r(a)),
            Node::Binary(op, a, b) => Node::Binary(op, r(a), r(b)),
            Node::Call(f, args) => {
                Node::Call(f, args.into_iter().map(|a| a.replace(from, to)).collect())
            }
            leaf => leaf,
        }
    }

    /// Whether any leaf is `var`.
    pub fn uses(&self, var: Var) -> bool {
        let mut found = false;
        self.walk(&mut |n| found |= *n == Node::Var(var));
        found
    }
}

#[cfg(test)]
/// Prints a tree as text, fully parenthesised, with names from `names`
/// (column slots to column names).
pub struct Printer<'a> {
    pub node: &'a Node,
    pub columns: &'a [String],
}

#[cfg(test)]
impl fmt::Display for Printer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        print(self.node, self.columns, f)
    }
}

#[cfg(test)]
pub fn var_name(var: Var, columns: &[String]) -> &str {
    match var {
        Var::X => "x",
        Var::Y => "y",
        Var::Index => "index",
        Var::T => "t",
        Var::Radius => "radius",
        Var::Angle => "angle",
        Var::Wave => "wave",
        Var::Column(slot) => &columns[slot as usize],
    }
}

/// An f32 written so that parsing it (as f64, then rounded to f32) gives it back.
#[cfg(test)]
pub fn literal(v: f32) -> String {
    // `{:?}` prints the shortest text that reads back to the same f32.
    format!("{v:?}")
}

#[cfg(test)]
fn print(node: &Node, columns: &[String], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match node {
        // No value: what folds back into it.
        Node::Lit(v) if v.is_nan() => write!(f, "(0 / 0)"),
        Node::Lit(v) if *v < 0.0 || (*v == 0.0 && v.is_sign_negative()) => {
            write!(f, "(-{})", literal(-v))
        }
        Node::Lit(v) => write!(f, "{}", literal(*v)),
        Node::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
        Node::Var(v) => write!(f, "{}", var_name(*v, columns)),
        // A boolean in a number's place converts itself: nothing to print.
        Node::Num(a) => print(a, columns, f),
        Node::Unary(UnOp::Neg, a) => {
            write!(f, "(-")?;
            print(a, columns, f)?;
            write!(f, ")")
        }
        Node::Unary(UnOp::Not, a) => {
            write!(f, "(~")?;
            print(a, columns, f)?;
            write!(f, ")")
        }
        Node::Binary(op, a, b) => {
            write!(f, "(")?;
            print(a, columns, f)?;
            write!(f, " {} ", op.symbol())?;
            print(b, columns, f)?;
            write!(f, ")")
        }
        Node::Call(func, args) => {
            write!(f, "{}(", func.name())?;
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                print(a, columns, f)?;
            }
            write!(f, ")")
        }
    }
}
