//! Text to a syntax tree with spans: a lexer and a recursive-descent parser
//! with Python's grammar and precedence, lowest first:
//!
//! ```text
//! or_test    := and_test ('or' and_test)*
//! and_test   := not_test ('and' not_test)*
//! not_test   := 'not' not_test | comparison
//! comparison := bitor (('<' | '<=' | '>' | '>=' | '==' | '!=') bitor)*   (chains: a < b < c)
//! bitor      := bitand ('|' bitand)*
//! bitand     := arith ('&' arith)*
//! arith      := term (('+' | '-') term)*
//! term       := factor (('*' | '/' | '//' | '%') factor)*
//! factor     := ('-' | '+' | '~') factor | power
//! power      := atom ('**' factor)?                                     (right-associative)
//! atom       := NUMBER | NAME | NAME '(' args ')' | '(' or_test ')'
//! ```
//!
//! Names are not resolved here (`check.rs` does that); nothing of the text
//! survives past the tree but numbers (as parsed values) and names (looked
//! up in fixed tables).

use super::{ExprError, Span, MAX_DEPTH, MAX_LEN};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(f64),
    Name(String),
    /// An operator or bracket, as written.
    Op(&'static str),
    End,
}

const OPS: [&str; 20] = [
    "**", "//", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "~", "(", ")",
    ",", "!",
];

/// The tokens of `src`, each with its span.
pub fn lex(src: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    if src.chars().count() > MAX_LEN {
        return Err(ExprError::new(
            format!("the expression is longer than {MAX_LEN} characters"),
            Span::new(MAX_LEN, MAX_LEN + 1),
        ));
    }
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            let span = Span::new(start, i);
            let value: f64 = text
                .parse()
                .map_err(|_| ExprError::new(format!("'{text}' is not a number"), span))?;
            if i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                return Err(ExprError::new(
                    format!("'{text}' is not a number"),
                    Span::new(start, i + 1),
                ));
            }
            toks.push((Tok::Num(value), span));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push((
                Tok::Name(chars[start..i].iter().collect()),
                Span::new(start, i),
            ));
            continue;
        }
        let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
            if *op == "!" {
                return Err(ExprError::new(
                    "'!' is not an operator: write ~a (or 'not a') for not, != for unequal",
                    Span::new(i, i + 1),
                ));
            }
            i += op.len();
            toks.push((Tok::Op(op), Span::new(start, i)));
            continue;
        }
        let what = if c.is_ascii() {
            format!("unexpected character '{c}'")
        } else {
            format!(
                "unexpected character '{c}' (U+{:04X}): only ASCII letters, digits and operators",
                c as u32
            )
        };
        return Err(ExprError::new(what, Span::new(i, i + 1)));
    }
    toks.push((Tok::End, Span::new(chars.len(), chars.len() + 1)));
    Ok(toks)
}

/// The syntax tree: what was written, with where.
#[derive(Debug, Clone, PartialEq)]
pub struct Syn {
    pub kind: SynKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SynKind {
    Num(f64),
    Name(String),
    /// A prefix operator: `-`, `+`, `~` or `not`.
    Prefix(&'static str, Box<Syn>),
    /// A binary operator (`and`, `or` included), as written.
    Infix(&'static str, Box<Syn>, Box<Syn>),
    /// A comparison chain: operands and the operators between them.
    Compare(Vec<Syn>, Vec<&'static str>),
    Call(String, Span, Vec<Syn>),
}

/// Parse `src` to a syntax tree.
pub fn parse(src: &str) -> Result<Syn, ExprError> {
    let toks = lex(src)?;
    if toks.len() == 1 {
        return Err(ExprError::new("the expression is empty", toks[0].1));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.or_test()?;
    match p.peek() {
        Tok::End => Ok(e),
        Tok::Op(")") => Err(p.error("this ')' closes nothing")),
        _ => Err(p.error("expected an operator or the end here")),
    }
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Span {
        self.toks[self.pos].1
    }

    fn error(&self, msg: impl Into<String>) -> ExprError {
        ExprError::new(msg, self.span())
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == word)
    }

    /// Guards the recursion: nesting deeper than MAX_DEPTH is an error.
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn infix(op: &'static str, a: Syn, b: Syn) -> Syn {
        let span = a.span.to(b.span);
        Syn {
            kind: SynKind::Infix(op, Box::new(a), Box::new(b)),
            span,
        }
    }

    fn or_test(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.and_test()?;
        while self.at_word("or") {
            self.bump();
            let b = self.and_test()?;
            a = Self::infix("or", a, b);
        }
        Ok(a)
    }

    fn and_test(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.not_test()?;
        while self.at_word("and") {
            self.bump();
            let b = self.not_test()?;
            a = Self::infix("and", a, b);
        }
        Ok(a)
    }

    fn not_test(&mut self) -> Result<Syn, ExprError> {
        if self.at_word("not") {
            let (_, span) = self.bump();
            self.enter()?;
            let a = self.not_test()?;
            self.depth -= 1;
            let span = span.to(a.span);
            return Ok(Syn {
                kind: SynKind::Prefix("not", Box::new(a)),
                span,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Syn, ExprError> {
        let first = self.bitor()?;
        let mut operands = vec![first];
        let mut ops = Vec::new();
        while let Tok::Op(op @ ("<" | "<=" | ">" | ">=" | "==" | "!=")) = *self.peek() {
            self.bump();
            ops.push(op);
            operands.push(self.bitor()?);
        }
        if ops.is_empty() {
            return Ok(operands.pop().expect("one operand"));
        }
        let span = operands[0].span.to(operands[operands.len() - 1].span);
        Ok(Syn {
            kind: SynKind::Compare(operands, ops),
            span,
        })
    }

    fn bitor(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.bitand()?;
        while self.at_op("|") {
            self.bump();
            let b = self.bitand()?;
            a = Self::infix("|", a, b);
        }
        Ok(a)
    }

    fn bitand(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.arith()?;
        while self.at_op("&") {
            self.bump();
            let b = self.arith()?;
            a = Self::infix("&", a, b);
        }
        Ok(a)
    }

    fn arith(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.term()?;
        while let Tok::Op(op @ ("+" | "-")) = *self.peek() {
            self.bump();
            let b = self.term()?;
            a = Self::infix(op, a, b);
        }
        Ok(a)
    }

    fn term(&mut self) -> Result<Syn, ExprError> {
        let mut a = self.factor()?;
        while let Tok::Op(op @ ("*" | "/" | "//" | "%")) = *self.peek() {
            self.bump();
            let b = self.factor()?;
            a = Self::infix(op, a, b);
        }
        Ok(a)
    }

    fn factor(&mut self) -> Result<Syn, ExprError> {
        if let Tok::Op(op @ ("-" | "+" | "~")) = *self.peek() {
            let (_, span) = self.bump();
            self.enter()?;
            let a = self.factor()?;
            self.depth -= 1;
            let span = span.to(a.span);
            return Ok(Syn {
                kind: SynKind::Prefix(op, Box::new(a)),
                span,
            });
        }
        self.power()
    }

    fn power(&mut self) -> Result<Syn, ExprError> {
        let base = self.atom()?;
        if self.at_op("**") {
            self.bump();
            self.enter()?;
            // The exponent is a factor: 2**-1 is fine, and a**b**c is a**(b**c).
            let exp = self.factor()?;
            self.depth -= 1;
            return Ok(Self::infix("**", base, exp));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Syn, ExprError> {
        let (tok, span) = self.bump();
        match tok {
            Tok::Num(v) => Ok(Syn {
                kind: SynKind::Num(v),
                span,
            }),
            Tok::Name(name) if self.at_op("(") => {
                self.bump();
                self.enter()?;
                let mut args = Vec::new();
                if !self.at_op(")") {
                    loop {
                        args.push(self.or_test()?);
                        if self.at_op(",") {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                self.depth -= 1;
                if !self.at_op(")") {
                    return Err(self.error(format!("expected ',' or ')' in the call of {name}")));
                }
                let (_, close) = self.bump();
                Ok(Syn {
                    kind: SynKind::Call(name, span, args),
                    span: span.to(close),
                })
            }
            Tok::Name(name) => Ok(Syn {
                kind: SynKind::Name(name),
                span,
            }),
            Tok::Op("(") => {
                self.enter()?;
                let inner = self.or_test()?;
                self.depth -= 1;
                if !self.at_op(")") {
                    return Err(ExprError::new("this '(' is not closed", span));
                }
                let (_, close) = self.bump();
                Ok(Syn {
                    kind: inner.kind,
                    span: span.to(close),
                })
            }
            Tok::End => Err(ExprError::new(
                "the expression ends where a number, name or '(' should come",
                span,
            )),
            Tok::Op(op) => Err(ExprError::new(
                format!("expected a number, name or '(' before '{op}'"),
                span,
            )),
        }
    }
}

/// Every name `syn` reads as a value (not the functions it calls), in order.
pub fn names(syn: &Syn, out: &mut Vec<String>) {
    match &syn.kind {
        SynKind::Num(_) => {}
        SynKind::Name(n) => out.push(n.clone()),
        SynKind::Prefix(_, a) => names(a, out),
        SynKind::Infix(_, a, b) => {
            names(a, out);
            names(b, out);
        }
        SynKind::Compare(operands, _) => operands.iter().for_each(|o| names(o, out)),
        SynKind::Call(_, _, args) => args.iter().for_each(|a| names(a, out)),
    }
}
