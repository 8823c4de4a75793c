//! How far the GPU and the CPU twin may each be from the true value of an
//! expression at one point, derived from WGSL's accuracy rules
//! (`../shared/EXPRESSIONS.md`): the tree is evaluated in f64 from the same
//! f32 inputs, and each node carries an error bound — what its operands'
//! errors can do to it (the function's slope over the operand's interval)
//! plus what the operation itself may add (exact-rounded `+ - *`, 2.5 ULP
//! division, absolute 2^-11 `sin`/`cos` after reduction, `exp` 3 + 2|x| ULP,
//! `log` 3 ULP or 2^-21 near 1, `atan2` 4096 ULP, the rest from the
//! formulas wgsl.rs prints). Where a comparison, a rounding step or a domain
//! edge lies within the bound, either answer is allowed: the point is
//! "unsure" and left out of the comparison (and counted).

use super::ast::{BinOp, Func, Node, UnOp, Var};

/// The reference of one node at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ref {
    /// The true value and how far a result may be from it.
    Num(f64, f64),
    Bool(bool),
    /// Certainly no value.
    NoValue,
    /// Near an edge: either backend may answer either way.
    Unsure,
}

const F32_MAX: f64 = f32::MAX as f64;
const MIN_NORMAL: f64 = f32::MIN_POSITIVE as f64;
/// sin and cos on [-pi, pi].
const SIN_ABS: f64 = 1.0 / 2048.0;
/// log near 1.
const LOG_ABS: f64 = 1.0 / 2097152.0;
/// What `6.2831855` (the f32 tau wgsl.rs reduces by) is off by.
const TAU_ERR: f64 = 1.75e-7;

/// One unit in the last place of an f32 near `v`.
pub fn ulp(v: f64) -> f64 {
    let v = v.abs().min(F32_MAX);
    if v < MIN_NORMAL {
        return f32::from_bits(1) as f64;
    }
    let exp = v.log2().floor();
    2f64.powf(exp - 23.0)
}

/// WGSL's error of `log` (or `log2`) at `x`, whose result is `r`: absolute
/// 2^-21 on [0.5, 2], else 3 ULP.
fn log_err(x: f64, r: f64) -> f64 {
    if (0.5..=2.0).contains(&x) {
        LOG_ABS
    } else {
        3.0 * ulp(r)
    }
}

/// A number with its bound, or what overflow and flushing make of it.
fn num(v: f64, e: f64) -> Ref {
    if !v.is_finite() || !e.is_finite() || v.abs() + e >= F32_MAX {
        return if v.abs() - e > F32_MAX || v.is_nan() {
            Ref::NoValue
        } else {
            Ref::Unsure
        };
    }
    // Subnormal results may be flushed to zero.
    let flush = if v.abs() < MIN_NORMAL { v.abs() } else { 0.0 };
    Ref::Num(v, e + flush)
}

/// How far `f` moves over [v - e, v + e] (f monotone or convex there).
fn spread(f: impl Fn(f64) -> f64, v: f64, e: f64) -> f64 {
    let r = f(v);
    (f(v - e) - r).abs().max((f(v + e) - r).abs())
}

/// Whether a step function `f` may differ across [v - e, v + e].
fn may_step(f: impl Fn(f64) -> f64, v: f64, e: f64) -> bool {
    f(v - e) != f(v + e)
}

/// The reference of `node`; `leaf` gives each variable's value and bound.
pub fn reference(node: &Node, leaf: &dyn Fn(Var) -> (f64, f64)) -> Ref {
    match node {
        Node::Lit(v) if !v.is_finite() => Ref::NoValue,
        Node::Lit(v) => Ref::Num(*v as f64, 0.0),
        Node::Bool(b) => Ref::Bool(*b),
        Node::Var(var) => {
            let (v, e) = leaf(*var);
            num(v, e)
        }
        Node::Num(a) => match reference(a, leaf) {
            Ref::Bool(b) => Ref::Num(b as u8 as f64, 0.0),
            other => other,
        },
        Node::Unary(op, a) => match (op, reference(a, leaf)) {
            (UnOp::Neg, Ref::Num(v, e)) => Ref::Num(-v, e),
            (UnOp::Not, Ref::Bool(b)) => Ref::Bool(!b),
            (_, other) => other,
        },
        Node::Binary(op, a, b) => {
            let (a, b) = (reference(a, leaf), reference(b, leaf));
            match (a, b) {
                (Ref::NoValue, _) | (_, Ref::NoValue) => Ref::NoValue,
                (Ref::Unsure, _) | (_, Ref::Unsure) => Ref::Unsure,
                (Ref::Bool(x), Ref::Bool(y)) => Ref::Bool(match op {
                    BinOp::And => x && y,
                    _ => x || y,
                }),
                (Ref::Num(x, ex), Ref::Num(y, ey)) => binary(*op, x, ex, y, ey),
                _ => unreachable!("types are checked"),
            }
        }
        Node::Call(Func::Where, args) => match reference(&args[0], leaf) {
            Ref::Bool(true) => reference(&args[1], leaf),
            Ref::Bool(false) => reference(&args[2], leaf),
            other => other,
        },
        Node::Call(f, args) => {
            let refs: Vec<Ref> = args.iter().map(|a| reference(a, leaf)).collect();
            if refs.contains(&Ref::NoValue) {
                return Ref::NoValue;
            }
            if refs.contains(&Ref::Unsure) {
                return Ref::Unsure;
            }
            let nums: Vec<(f64, f64)> = refs
                .iter()
                .map(|r| match r {
                    Ref::Num(v, e) => (*v, *e),
                    _ => unreachable!("function arguments are numbers"),
                })
                .collect();
            match nums.as_slice() {
                [(a, ea)] => unary(*f, *a, *ea),
                [(a, ea), (b, eb)] => binary_func(*f, *a, *ea, *b, *eb),
                [(x, ex), (lo, elo), (hi, ehi)] => {
                    // clip(x, lo, hi) = min(max(x, lo), hi)
                    let m = x.max(*lo);
                    num(m.min(*hi), ex.max(*elo).max(*ehi))
                }
                _ => unreachable!("arity is checked"),
            }
        }
    }
}

fn compare(op: BinOp, x: f64, ex: f64, y: f64, ey: f64) -> Ref {
    let exact = ex == 0.0 && ey == 0.0;
    if !exact && (x - y).abs() <= ex + ey {
        return Ref::Unsure;
    }
    Ref::Bool(match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        BinOp::Eq => x == y,
        _ => x != y,
    })
}

/// a / b with both bounds; None when b may be zero.
fn divide(x: f64, ex: f64, y: f64, ey: f64) -> Result<(f64, f64), Ref> {
    if y == 0.0 && ey == 0.0 {
        return Err(Ref::NoValue);
    }
    if y.abs() <= ey {
        return Err(Ref::Unsure);
    }
    let r = x / y;
    Ok((r, (ex + r.abs() * ey) / (y.abs() - ey) + 2.5 * ulp(r)))
}

fn binary(op: BinOp, x: f64, ex: f64, y: f64, ey: f64) -> Ref {
    match op {
        BinOp::Add => num(x + y, ex + ey + ulp(x + y)),
        BinOp::Sub => num(x - y, ex + ey + ulp(x - y)),
        BinOp::Mul => num(x * y, x.abs() * ey + y.abs() * ex + ex * ey + ulp(x * y)),
        BinOp::Div => match divide(x, ex, y, ey) {
            Ok((r, e)) => num(r, e),
            Err(r) => r,
        },
        BinOp::FloorDiv | BinOp::Mod => match divide(x, ex, y, ey) {
            Err(r) => r,
            Ok((q, eq)) if may_step(f64::floor, q, eq + ulp(q)) => Ref::Unsure,
            Ok((q, _)) if op == BinOp::FloorDiv => num(q.floor(), 0.0),
            Ok((q, _)) => {
                let k = q.floor();
                let r = x - y * k;
                num(r, ex + k.abs() * ey + ulp(y * k) + ulp(r) + ulp(x))
            }
        },
        BinOp::Pow => pow(x, ex, y, ey),
        BinOp::And | BinOp::Or => unreachable!("booleans"),
        cmp => compare(cmp, x, ex, y, ey),
    }
}

fn pow(a: f64, ea: f64, b: f64, eb: f64) -> Ref {
    if a.abs() <= ea && ea > 0.0 {
        return Ref::Unsure;
    }
    if a == 0.0 {
        return if b > eb {
            Ref::Num(0.0, 0.0)
        } else if b == 0.0 && eb == 0.0 {
            Ref::Num(1.0, 0.0)
        } else if b < -eb {
            Ref::NoValue
        } else {
            Ref::Unsure
        };
    }
    // A negative base needs a whole exponent: near one, either answer.
    if a < 0.0 && eb > 0.0 {
        let whole_within = (b - eb).ceil() <= b + eb;
        return if whole_within {
            Ref::Unsure
        } else {
            Ref::NoValue
        };
    }
    if a < 0.0 && b != b.floor() {
        return Ref::NoValue;
    }
    let r = a.abs().powf(b) * if a < 0.0 && b % 2.0 != 0.0 { -1.0 } else { 1.0 };
    // exp2(b * log2(|a|)): the operands' errors, log2's, the product's, exp2's.
    let l = a.abs().log2();
    let z = b * l;
    let log_err = log_err(a.abs(), l);
    // The operands' errors: |a|^b is monotone in each operand (for |a| away from
    // 0, checked above), so the corners of the box bound it.
    let m = a.abs();
    let mut spread_ab = 0f64;
    for da in [-ea, ea] {
        for db in [-eb, eb] {
            spread_ab = spread_ab.max(((m + da).max(0.0).powf(b + db) - r.abs()).abs());
        }
    }
    // What log2, the product and exp2 add: exp2 of an input off by dz.
    let dz = b.abs() * log_err + ulp(z);
    let own = r.abs() * ((std::f64::consts::LN_2 * dz * 1.01).exp() - 1.0);
    num(
        r,
        spread_ab * 1.01 + own + (3.0 + 2.0 * z.abs()) * ulp(r) + 2.0 * ulp(r),
    )
}

/// A bound made of the slope over the interval and an own error.
fn smooth(f: impl Fn(f64) -> f64, a: f64, ea: f64, own: f64) -> Ref {
    let r = f(a);
    num(r, spread(&f, a, ea) + own)
}

/// Error of wgsl.rs's p_reduce at `a` (the argument sin and cos see).
fn reduce_err(a: f64) -> f64 {
    let k = (a / std::f64::consts::TAU).round().abs() + 1.0;
    k * TAU_ERR + 2.0 * ulp(a) + ulp(k * std::f64::consts::TAU)
}

fn unary(f: Func, a: f64, ea: f64) -> Ref {
    // Domain edges: certainly outside, near the edge, or inside.
    // `margin`: how far `a` is from the domain's edge.
    let domain = |inside: bool, margin: f64| -> Option<Ref> {
        if ea > 0.0 && margin <= ea {
            Some(Ref::Unsure)
        } else if !inside {
            Some(Ref::NoValue)
        } else {
            None
        }
    };
    match f {
        Func::Sin | Func::Cos => {
            let e = ea + reduce_err(a);
            let r = if f == Func::Sin { a.sin() } else { a.cos() };
            num(r, e.min(2.0) + SIN_ABS)
        }
        Func::Tan => {
            let e = ea + reduce_err(a);
            let c = a.cos();
            if c.abs() <= e + 2.0 * SIN_ABS {
                return Ref::Unsure;
            }
            let r = a.tan();
            let slope = e / (c.abs() - e).powi(2);
            num(
                r,
                slope + (1.0 + r.abs()) * SIN_ABS / (c.abs() - SIN_ABS) + 3.0 * ulp(r),
            )
        }
        Func::Arcsin | Func::Arccos => {
            if let Some(r) = domain(a.abs() <= 1.0, (a.abs() - 1.0).abs()) {
                return r;
            }
            if a.abs() + ea >= 1.0 {
                return Ref::Unsure;
            }
            let g = if f == Func::Arcsin {
                f64::asin
            } else {
                f64::acos
            };
            smooth(g, a, ea, 4096.0 * ulp(g(a)) + 4.0 * ulp(1.0))
        }
        Func::Arctan => smooth(f64::atan, a, ea, 4096.0 * ulp(a.atan())),
        Func::Sinh | Func::Cosh => {
            // WGSL's formula overflows in exp(|a|) before the result does.
            if (a.abs() + ea).exp() > F32_MAX && (a.abs() - ea).cosh() <= F32_MAX {
                return Ref::Unsure;
            }
            let g = if f == Func::Sinh {
                f64::sinh
            } else {
                f64::cosh
            };
            let own = (4.0 + 2.0 * a.abs()) * ulp(a.cosh());
            smooth(g, a, ea, own)
        }
        Func::Tanh => smooth(f64::tanh, a, ea, (8.0 + 4.0 * a.abs().min(15.0)) * ulp(1.0)),
        Func::Arcsinh => {
            let r = a.asinh();
            smooth(f64::asinh, a, ea, 6.0 * ulp(r) + 2.0 * LOG_ABS)
        }
        Func::Arccosh => {
            if let Some(r) = domain(a >= 1.0, (a - 1.0).abs()) {
                return r;
            }
            if a - ea <= 1.0 {
                return Ref::Unsure;
            }
            let r = a.acosh();
            smooth(
                f64::acosh,
                a,
                ea,
                6.0 * ulp(r) + 2.0 * LOG_ABS + 4.0 * ulp(a) / r,
            )
        }
        Func::Arctanh => {
            if let Some(r) = domain(a.abs() < 1.0, (a.abs() - 1.0).abs()) {
                return r;
            }
            if a.abs() + ea >= 1.0 {
                return Ref::Unsure;
            }
            let r = a.atanh();
            smooth(
                f64::atanh,
                a,
                ea,
                6.0 * ulp(r) + 2.0 * LOG_ABS / (1.0 - a.abs()),
            )
        }
        Func::Exp => smooth(f64::exp, a, ea, (3.0 + 2.0 * a.abs()) * ulp(a.exp())),
        Func::Expm1 => {
            let own = (4.0 + 2.0 * a.abs()) * ulp(a.exp()) + 4.0 * ulp(a.exp_m1());
            smooth(f64::exp_m1, a, ea, own)
        }
        Func::Log | Func::Log2 | Func::Log10 => {
            if let Some(r) = domain(a > 0.0, a.abs()) {
                return r;
            }
            if a - ea <= 0.0 {
                return Ref::Unsure;
            }
            let (g, scale): (fn(f64) -> f64, f64) = match f {
                Func::Log => (f64::ln, 1.0),
                Func::Log2 => (f64::log2, 1.0),
                _ => (f64::log10, std::f64::consts::LOG10_2),
            };
            let r = g(a);
            let base = if f == Func::Log { r } else { a.log2() };
            smooth(g, a, ea, log_err(a, base) * scale + 2.0 * ulp(r))
        }
        Func::Log1p => {
            if let Some(r) = domain(a > -1.0, (a + 1.0).abs()) {
                return r;
            }
            if a - ea <= -1.0 {
                return Ref::Unsure;
            }
            let r = a.ln_1p();
            smooth(f64::ln_1p, a, ea, 2.0 * LOG_ABS + 6.0 * ulp(r))
        }
        Func::Sqrt => {
            if let Some(r) = domain(a >= 0.0, a.abs()) {
                return r;
            }
            if a - ea < 0.0 {
                return Ref::Unsure;
            }
            let r = a.sqrt();
            smooth(f64::sqrt, a, ea, 5.0 * ulp(r))
        }
        Func::Abs => num(a.abs(), ea),
        Func::Floor | Func::Ceil | Func::Round | Func::Sign => {
            let g: fn(f64) -> f64 = match f {
                Func::Floor => f64::floor,
                Func::Ceil => f64::ceil,
                Func::Round => f64::round_ties_even,
                _ => |v| if v == 0.0 { 0.0 } else { v.signum() },
            };
            if ea > 0.0 && may_step(g, a, ea) {
                return Ref::Unsure;
            }
            if ea > 0.0 && f == Func::Round && (a - a.floor() - 0.5).abs() <= ea {
                return Ref::Unsure;
            }
            num(g(a), 0.0)
        }
        _ => unreachable!("{f:?} takes one argument"),
    }
}

fn binary_func(f: Func, a: f64, ea: f64, b: f64, eb: f64) -> Ref {
    match f {
        Func::Minimum => num(a.min(b), ea.max(eb)),
        Func::Maximum => num(a.max(b), ea.max(eb)),
        Func::Hypot => {
            let r = a.hypot(b);
            num(r, ea + eb + 12.0 * ulp(r))
        }
        Func::Arctan2 => {
            let h = a.hypot(b);
            if a == 0.0 && b == 0.0 && ea == 0.0 && eb == 0.0 {
                return Ref::Num(0.0, 0.0);
            }
            // Near the origin or across the branch cut (b < 0, a ~ 0): unsure.
            if h <= 2.0 * (ea + eb) || (b < 0.0 && a.abs() <= ea) {
                return Ref::Unsure;
            }
            let r = a.atan2(b);
            let slope = (b.abs() * ea + a.abs() * eb) / (h - ea - eb).powi(2);
            num(r, slope + 4096.0 * ulp(r))
        }
        _ => unreachable!("{f:?} does not take two arguments"),
    }
}

/// The bound on a leaf (see wgsl.rs for how each is computed); `x` and `y`
/// are the f32 origin and offset of the point.
pub fn leaf(
    var: Var,
    origin: [f32; 2],
    off: [f32; 2],
    wave_freq: [f32; 2],
    index: f64,
    t: f32,
    column: impl Fn(u16) -> f32,
) -> (f64, f64) {
    let (ox, oy) = (off[0] as f64, off[1] as f64);
    match var {
        Var::X => {
            let v = origin[0] as f64 + ox;
            (v, ulp(v))
        }
        Var::Y => {
            let v = origin[1] as f64 + oy;
            (v, ulp(v))
        }
        Var::Index => (
            index,
            if index > 16_777_216.0 {
                ulp(index)
            } else {
                0.0
            },
        ),
        Var::T => (t as f64, 0.0),
        Var::Radius => {
            let r = ox.hypot(oy);
            (r, 8.0 * ulp(r))
        }
        Var::Angle => {
            let r = oy.atan2(ox);
            (r, 4096.0 * ulp(r) + f32::from_bits(1) as f64)
        }
        Var::Wave => {
            let (u, v) = (ox * wave_freq[0] as f64, oy * wave_freq[1] as f64);
            let (eu, ev) = (ulp(u) + reduce_err(u), ulp(v) + reduce_err(v));
            let r = u.sin() * v.cos();
            (r, eu + ev + 2.0 * SIN_ABS + ulp(r))
        }
        Var::Column(k) => (column(k) as f64, 0.0),
    }
}
