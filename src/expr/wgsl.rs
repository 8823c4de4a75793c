//! The checked tree printed as WGSL: one `let` per node, each number with a
//! validity flag beside it, so that "no value" never depends on NaN surviving
//! the driver (WGSL may assume finite math). Every domain is guarded before
//! the operation (`select` feeds it a safe argument and the flag records the
//! error), and every arithmetic result is tested for being finite on its
//! bits. The CPU twin is eval.rs; the functions here mirror its semantics.
//!
//! Nothing of the user's text reaches the shader: names come from the fixed
//! tables of ast.rs, numbers are printed from their f32 value.

use std::fmt::Write;

use super::ast::{BinOp, Func, Node, Type, UnOp, Var};

/// Helpers the generated functions call (after common.wgsl, whose `has_value`
/// tests a result for being finite, and derive.wgsl).
pub const PRELUDE: &str = r#"
// ---- Helpers of generated expressions (src/expr/wgsl.rs; CPU twin src/expr/eval.rs).
fn no_value() -> f32 { return bitcast<f32>(0x7fc00000u); } // f32::NAN, as the CPU twin gives
// sin and cos are only accurate on [-pi, pi]: reduce first.
fn p_reduce(a: f32) -> f32 { return a - 6.2831855 * round(a * 0.15915494); }
fn p_sin(a: f32) -> f32 { return sin(p_reduce(a)); }
fn p_cos(a: f32) -> f32 { return cos(p_reduce(a)); }
fn p_expm1(x: f32) -> f32 {
    let u = exp(x);
    if abs(x) >= 0.5 || u == 1.0 { return select(u - 1.0, x, u == 1.0); }
    return (u - 1.0) * x / log(u); // Kahan: exact near 0
}
fn p_log1p(x: f32) -> f32 {
    let u = 1.0 + x;
    if u == 1.0 { return x; }
    // Kahan: exact near 0; the ratio first, so x near f32::MAX cannot overflow.
    return log(u) * (x / (u - 1.0));
}
// asinh and acosh without the overflow of x * x, and accurate near their zeros.
fn p_asinh(a: f32) -> f32 {
    let m = abs(a);
    var r = log(m) + 0.6931472;
    if m < 0.5 {
        r = p_log1p(m + m * m / (1.0 + sqrt(1.0 + m * m)));
    } else if m < 1e18 {
        r = log(m + sqrt(m * m + 1.0));
    }
    return select(r, -r, a < 0.0);
}
fn p_acosh(a: f32) -> f32 {
    if a >= 1e18 { return log(a) + 0.6931472; }
    return log(a + sqrt((a - 1.0) * (a + 1.0)));
}
fn p_hypot(a: f32, b: f32) -> f32 {
    let m = max(abs(a), abs(b));
    if m == 0.0 { return 0.0; }
    let p = a / m;
    let q = b / m;
    return m * sqrt(p * p + q * q);
}
// numpy's power for a negative or zero base; p_pow_ok says when it has a value.
fn p_pow_ok(a: f32, b: f32) -> bool {
    return (a > 0.0) || (a == 0.0 && b >= 0.0) || (a < 0.0 && b == floor(b));
}
fn p_pow(a: f32, b: f32) -> f32 {
    if a == 0.0 { return select(0.0, 1.0, b == 0.0); }
    let m = exp2(b * log2(abs(a)));
    let odd = a < 0.0 && abs(b - 2.0 * floor(b * 0.5)) == 1.0;
    return select(m, -m, odd);
}
"#;

/// A number or boolean in the generated code, with its validity (None: always valid).
struct Val {
    v: String,
    ok: Option<String>,
}

/// Prints WGSL for one tree.
pub struct Emitter {
    body: String,
    next: usize,
}

/// An f32 literal exactly: decimal when the decimal is that f32 exactly,
/// else its bits.
pub fn f32_literal(v: f32) -> String {
    let text = format!("{v:?}");
    if v.is_finite() && text.parse::<f64>() == Ok(v as f64) && !text.contains("e-") {
        if v < 0.0 {
            format!("({text})")
        } else {
            text
        }
    } else {
        format!("bitcast<f32>({:#010x}u)", v.to_bits())
    }
}

fn and(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (None, None) => None,
        (Some(a), None) | (None, Some(a)) => Some(a.clone()),
        (Some(a), Some(b)) => Some(format!("{a} && {b}")),
    }
}

impl Emitter {
    /// WGSL for a function `name(off, index, i) -> f32` computing `node`
    /// (a number), returning `no_value()` where it has none; `columns` is how
    /// many columns there are (each is `data[slot * params.count + i]`).
    pub fn value_function(name: &str, node: &Node) -> String {
        let mut e = Emitter {
            body: String::new(),
            next: 0,
        };
        let r = e.node(node);
        let ret = match r.ok {
            Some(ok) => format!(
                "    if !({ok}) {{ return no_value(); }}\n    return {};\n",
                r.v
            ),
            None => format!("    return {};\n", r.v),
        };
        format!(
            "fn {name}(off: vec2<f32>, index: u32, i: u32) -> f32 {{\n{}{ret}}}\n",
            e.body
        )
    }

    /// WGSL for a function `name(off, index, i) -> bool` true where the
    /// condition `node` holds (false where it has no value).
    pub fn condition_function(name: &str, node: &Node) -> String {
        let mut e = Emitter {
            body: String::new(),
            next: 0,
        };
        let r = e.node(node);
        let ret = match r.ok {
            Some(ok) => format!("    return ({ok}) && {};\n", r.v),
            None => format!("    return {};\n", r.v),
        };
        format!(
            "fn {name}(off: vec2<f32>, index: u32, i: u32) -> bool {{\n{}{ret}}}\n",
            e.body
        )
    }

    /// A `let` for `expr`; a finite check joins `ok` when `check` is set.
    fn bind(&mut self, ty: &str, expr: String, ok: Option<String>, check: bool) -> Val {
        let n = self.next;
        self.next += 1;
        let _ = writeln!(self.body, "    let v{n}: {ty} = {expr};");
        let ok = if check {
            and(&ok, &Some(format!("has_value(v{n})")))
        } else {
            ok
        };
        let ok = ok.map(|ok| {
            let _ = writeln!(self.body, "    let k{n} = {ok};");
            format!("k{n}")
        });
        Val {
            v: format!("v{n}"),
            ok,
        }
    }

    fn number(&mut self, expr: String, ok: Option<String>) -> Val {
        self.bind("f32", expr, ok, true)
    }

    fn node(&mut self, node: &Node) -> Val {
        match node {
            Node::Lit(v) if !v.is_finite() => Val {
                v: "0.0".into(),
                ok: Some("false".into()),
            },
            Node::Lit(v) => Val {
                v: f32_literal(*v),
                ok: None,
            },
            Node::Bool(b) => Val {
                v: b.to_string(),
                ok: None,
            },
            Node::Var(var) => {
                let expr = match var {
                    Var::X => "params.origin.x + off.x".to_string(),
                    Var::Y => "params.origin.y + off.y".to_string(),
                    Var::Index => "f32(index)".to_string(),
                    Var::T => "params.t".to_string(),
                    Var::Radius => "sqrt(off.x * off.x + off.y * off.y)".to_string(),
                    Var::Angle => "atan2(off.y, off.x)".to_string(),
                    Var::Wave => {
                        "p_sin(off.x * params.wave_freq.x) * p_cos(off.y * params.wave_freq.y)"
                            .to_string()
                    }
                    Var::Column(slot) => format!("data[{slot}u * params.count + i]"),
                };
                self.number(expr, None)
            }
            Node::Num(a) => {
                let a = self.node(a);
                self.bind("f32", format!("select(0.0, 1.0, {})", a.v), a.ok, false)
            }
            Node::Unary(UnOp::Neg, a) => {
                let a = self.node(a);
                self.bind("f32", format!("-{}", a.v), a.ok, false)
            }
            Node::Unary(UnOp::Not, a) => {
                let a = self.node(a);
                self.bind("bool", format!("!{}", a.v), a.ok, false)
            }
            Node::Binary(op, a, b) => {
                let (a, b) = (self.node(a), self.node(b));
                self.binary(*op, a, b)
            }
            Node::Call(f, args) => {
                let vals: Vec<Val> = args.iter().map(|a| self.node(a)).collect();
                self.call(*f, vals, node.ty())
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: Val, b: Val) -> Val {
        let ok = and(&a.ok, &b.ok);
        let (x, y) = (&a.v, &b.v);
        let nonzero = Some(format!("{y} != 0.0"));
        let safe = format!("select(1.0, {y}, {y} != 0.0)");
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                self.number(format!("{x} {} {y}", op.symbol()), ok)
            }
            BinOp::Div => self.number(format!("{x} / {safe}"), and(&ok, &nonzero)),
            BinOp::FloorDiv => self.number(format!("floor({x} / {safe})"), and(&ok, &nonzero)),
            BinOp::Mod => self.number(
                format!("{x} - {y} * floor({x} / {safe})"),
                and(&ok, &nonzero),
            ),
            BinOp::Pow => self.pow(a, b, ok),
            BinOp::And | BinOp::Or => self.bind(
                "bool",
                format!("{x} {} {y}", if op == BinOp::And { "&&" } else { "||" }),
                ok,
                false,
            ),
            cmp => self.bind("bool", format!("{x} {} {y}", cmp.symbol()), ok, false),
        }
    }

    fn pow(&mut self, a: Val, b: Val, ok: Option<String>) -> Val {
        let x = &a.v;
        // Small whole exponents are products (exact like the CPU's powf for 1 and 2).
        let small = [
            ("1.0", "{x}"),
            ("2.0", "{x} * {x}"),
            ("3.0", "{x} * {x} * {x}"),
        ];
        if let Some((_, form)) = small.iter().find(|(lit, _)| *lit == b.v) {
            return self.number(form.replace("{x}", x), ok);
        }
        let y = &b.v;
        self.number(
            format!("p_pow({x}, {y})"),
            and(&ok, &Some(format!("p_pow_ok({x}, {y})"))),
        )
    }

    fn call(&mut self, f: Func, args: Vec<Val>, ty: Type) -> Val {
        let ok = args.iter().fold(None, |acc, a| and(&acc, &a.ok));
        let a = &args[0].v;
        let guarded = |call: String, domain: String| (call, and(&ok, &Some(domain)));
        let (expr, ok) = match f {
            Func::Where => {
                let (c, x, y) = (&args[0], &args[1], &args[2]);
                let branch_ok = match (&x.ok, &y.ok) {
                    (None, None) => None,
                    (kx, ky) => Some(format!(
                        "select({}, {}, {})",
                        ky.as_deref().unwrap_or("true"),
                        kx.as_deref().unwrap_or("true"),
                        c.v
                    )),
                };
                let ty = match ty {
                    Type::Boolean => "bool",
                    Type::Number => "f32",
                };
                return self.bind(
                    ty,
                    format!("select({}, {}, {})", y.v, x.v, c.v),
                    and(&c.ok, &branch_ok),
                    false,
                );
            }
            Func::Clip => (format!("min(max({a}, {}), {})", args[1].v, args[2].v), ok),
            Func::Minimum => (format!("min({a}, {})", args[1].v), ok),
            Func::Maximum => (format!("max({a}, {})", args[1].v), ok),
            Func::Arctan2 => {
                let b = &args[1].v;
                (
                    format!("select(atan2({a}, {b}), 0.0, {a} == 0.0 && {b} == 0.0)"),
                    ok,
                )
            }
            Func::Hypot => (format!("p_hypot({a}, {})", args[1].v), ok),
            Func::Sin => (format!("p_sin({a})"), ok),
            Func::Cos => (format!("p_cos({a})"), ok),
            Func::Tan => (format!("p_sin({a}) / p_cos({a})"), ok),
            Func::Arcsin => guarded(
                format!("asin(clamp({a}, -1.0, 1.0))"),
                format!("abs({a}) <= 1.0"),
            ),
            Func::Arccos => guarded(
                format!("acos(clamp({a}, -1.0, 1.0))"),
                format!("abs({a}) <= 1.0"),
            ),
            Func::Arctan => (format!("atan({a})"), ok),
            Func::Sinh => (format!("sinh({a})"), ok),
            Func::Cosh => (format!("cosh({a})"), ok),
            Func::Tanh => (format!("tanh(clamp({a}, -15.0, 15.0))"), ok),
            Func::Arcsinh => (format!("p_asinh({a})"), ok),
            Func::Arccosh => guarded(format!("p_acosh(max({a}, 1.0))"), format!("{a} >= 1.0")),
            Func::Arctanh => guarded(
                format!("atanh(select(0.0, {a}, abs({a}) < 1.0))"),
                format!("abs({a}) < 1.0"),
            ),
            Func::Exp => (format!("exp({a})"), ok),
            Func::Expm1 => (format!("p_expm1({a})"), ok),
            Func::Log => guarded(
                format!("log(select(1.0, {a}, {a} > 0.0))"),
                format!("{a} > 0.0"),
            ),
            Func::Log2 => guarded(
                format!("log2(select(1.0, {a}, {a} > 0.0))"),
                format!("{a} > 0.0"),
            ),
            Func::Log10 => guarded(
                format!(
                    "log2(select(1.0, {a}, {a} > 0.0)) * {}",
                    f32_literal(std::f32::consts::LOG10_2)
                ),
                format!("{a} > 0.0"),
            ),
            Func::Log1p => guarded(
                format!("p_log1p(select(0.0, {a}, {a} > -1.0))"),
                format!("{a} > -1.0"),
            ),
            Func::Sqrt => guarded(format!("sqrt(max({a}, 0.0))"), format!("{a} >= 0.0")),
            Func::Abs => (format!("abs({a})"), ok),
            Func::Floor => (format!("floor({a})"), ok),
            Func::Ceil => (format!("ceil({a})"), ok),
            Func::Round => (format!("round({a})"), ok),
            Func::Sign => (format!("sign({a})"), ok),
        };
        self.number(expr, ok)
    }
}
