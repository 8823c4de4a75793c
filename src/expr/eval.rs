//! The CPU twin of the generated WGSL: the same f32 semantics, evaluated the
//! way numexpr does it — the tree is compiled once into a short program of
//! whole-block instructions over scratch registers, and each instruction is
//! one tight loop over a block of points (rayon spreads the blocks).
//!
//! "No value" is NaN here: a domain error (`log(-1)`, `1/0`, `sqrt(-1)`) or a
//! result that is not finite gives NaN at that step, and NaN goes through
//! every operation — comparisons, `&`, `|`, `where`'s condition — except the
//! branch that `where` does not take. wgsl.rs keeps the same rules with
//! explicit guards and validity flags (WGSL may not keep NaN).

use super::ast::{BinOp, Func, Node, UnOp, Var};

/// NaN and infinity are no value.
#[inline(always)]
pub fn fin(v: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        f32::NAN
    }
}

#[inline(always)]
fn truth(b: bool) -> f32 {
    b as u8 as f32
}

#[inline(always)]
fn guard(ok: bool, v: f32) -> f32 {
    if ok {
        v
    } else {
        f32::NAN
    }
}

/// `a ** b` with numpy's rules for a negative or zero base, NaN in, NaN out.
#[inline]
pub fn pow(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a == 0.0 {
        if b > 0.0 {
            0.0
        } else if b == 0.0 {
            1.0
        } else {
            f32::NAN
        }
    } else if a < 0.0 && b != b.floor() {
        f32::NAN
    } else {
        a.powf(b)
    }
}

/// One binary operator on f32 (booleans are 1 and 0).
#[inline(always)]
pub fn binary(op: BinOp, a: f32, b: f32) -> f32 {
    let undefined = a.is_nan() || b.is_nan();
    match op {
        BinOp::Add => fin(a + b),
        BinOp::Sub => fin(a - b),
        BinOp::Mul => fin(a * b),
        BinOp::Div => fin(guard(b != 0.0, a / b)),
        BinOp::FloorDiv => fin(guard(b != 0.0, (a / b).floor())),
        BinOp::Mod => fin(guard(b != 0.0, a - b * (a / b).floor())),
        BinOp::Pow => fin(pow(a, b)),
        BinOp::Lt => guard(!undefined, truth(a < b)),
        BinOp::Le => guard(!undefined, truth(a <= b)),
        BinOp::Gt => guard(!undefined, truth(a > b)),
        BinOp::Ge => guard(!undefined, truth(a >= b)),
        BinOp::Eq => guard(!undefined, truth(a == b)),
        BinOp::Ne => guard(!undefined, truth(a != b)),
        BinOp::And => guard(!undefined, truth(a != 0.0 && b != 0.0)),
        BinOp::Or => guard(!undefined, truth(a != 0.0 || b != 0.0)),
    }
}

/// One function of one argument.
#[inline(always)]
pub fn unary(f: Func, a: f32) -> f32 {
    fin(match f {
        Func::Sin => a.sin(),
        Func::Cos => a.cos(),
        Func::Tan => a.tan(),
        Func::Arcsin => guard(a.abs() <= 1.0, a.asin()),
        Func::Arccos => guard(a.abs() <= 1.0, a.acos()),
        Func::Arctan => a.atan(),
        Func::Sinh => a.sinh(),
        Func::Cosh => a.cosh(),
        Func::Tanh => a.tanh(),
        // std's asinh overflows too (|a| + |a| near f32::MAX): wgsl.rs's
        // p_asinh switches to log(|a|) + ln 2 from 1e18 on.
        Func::Arcsinh if a.abs() >= 1e18 => (a.abs().ln() + std::f32::consts::LN_2).copysign(a),
        Func::Arcsinh => a.asinh(),
        // std's acosh overflows in a + a near f32::MAX; wgsl.rs's p_acosh switches too.
        Func::Arccosh if a >= 1e18 => a.ln() + std::f32::consts::LN_2,
        Func::Arccosh => guard(a >= 1.0, a.acosh()),
        Func::Arctanh => guard(a.abs() < 1.0, a.atanh()),
        Func::Exp => a.exp(),
        Func::Expm1 => a.exp_m1(),
        Func::Log => guard(a > 0.0, a.ln()),
        Func::Log1p => guard(a > -1.0, a.ln_1p()),
        Func::Log2 => guard(a > 0.0, a.log2()),
        Func::Log10 => guard(a > 0.0, a.log10()),
        Func::Sqrt => guard(a >= 0.0, a.sqrt()),
        Func::Abs => a.abs(),
        Func::Floor => a.floor(),
        Func::Ceil => a.ceil(),
        Func::Round => a.round_ties_even(),
        Func::Sign => {
            if a > 0.0 {
                1.0
            } else if a < 0.0 {
                -1.0
            } else {
                a
            }
        }
        _ => unreachable!("{f:?} takes one argument"),
    })
}

/// One function of two arguments.
#[inline(always)]
pub fn binary_func(f: Func, a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        return f32::NAN;
    }
    fin(match f {
        // arctan2(0, 0) is 0 whatever the zeros' signs (wgsl.rs does the same).
        Func::Arctan2 if a == 0.0 && b == 0.0 => 0.0,
        Func::Arctan2 => a.atan2(b),
        Func::Minimum => a.min(b),
        Func::Maximum => a.max(b),
        Func::Hypot => a.hypot(b),
        _ => unreachable!("{f:?} does not take two arguments"),
    })
}

#[inline(always)]
pub fn select(c: f32, a: f32, b: f32) -> f32 {
    if c.is_nan() {
        f32::NAN
    } else if c != 0.0 {
        a
    } else {
        b
    }
}

#[inline(always)]
pub fn clip(x: f32, lo: f32, hi: f32) -> f32 {
    binary_func(Func::Minimum, binary_func(Func::Maximum, x, lo), hi)
}

/// One point's value by walking the tree (constant folding and tests; the
/// blocks below are what runs over the points). `leaf` gives each variable.
pub fn scalar(node: &Node, leaf: &dyn Fn(Var) -> f32) -> f32 {
    match node {
        Node::Lit(v) => *v,
        Node::Bool(b) => truth(*b),
        Node::Var(v) => fin(leaf(*v)),
        Node::Num(a) => scalar(a, leaf),
        Node::Unary(UnOp::Neg, a) => -scalar(a, leaf),
        Node::Unary(UnOp::Not, a) => {
            let a = scalar(a, leaf);
            guard(!a.is_nan(), truth(a == 0.0))
        }
        Node::Binary(op, a, b) => binary(*op, scalar(a, leaf), scalar(b, leaf)),
        Node::Call(f, args) => {
            let v: Vec<f32> = args.iter().map(|a| scalar(a, leaf)).collect();
            match (f, v.as_slice()) {
                (Func::Where, [c, a, b]) => select(*c, *a, *b),
                (Func::Clip, [x, lo, hi]) => clip(*x, *lo, *hi),
                (_, [a]) => unary(*f, *a),
                (_, [a, b]) => binary_func(*f, *a, *b),
                _ => unreachable!("arity is checked"),
            }
        }
    }
}

/// Where an operand comes from: a scratch register or a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Src {
    Reg(usize),
    Const(f32),
}

/// One whole-block instruction; `dst` is also the first operand (in place).
#[derive(Debug, Clone, PartialEq)]
pub enum Instr {
    Fill(usize, f32),
    Leaf(usize, Var),
    Neg(usize),
    Not(usize),
    Binary(BinOp, usize, Src),
    Unary(Func, usize),
    Binary2(Func, usize, Src),
    /// dst = where(dst, a, b)
    Where(usize, Src, Src),
    /// dst = clip(dst, lo, hi)
    Clip(usize, Src, Src),
}

/// A tree compiled to block instructions; the result lands in register 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub instrs: Vec<Instr>,
    pub registers: usize,
}

impl Program {
    pub fn new(node: &Node) -> Program {
        let mut p = Program {
            instrs: Vec::new(),
            registers: 1,
        };
        p.emit(node, 0);
        p
    }

    /// An operand at register `r` (or a constant, emitting nothing).
    fn operand(&mut self, node: &Node, r: usize) -> Src {
        match node {
            Node::Lit(v) => Src::Const(*v),
            Node::Bool(b) => Src::Const(truth(*b)),
            _ => {
                self.emit(node, r);
                Src::Reg(r)
            }
        }
    }

    /// Evaluate `node` into register `dst`, using registers above it as scratch.
    fn emit(&mut self, node: &Node, dst: usize) {
        self.registers = self.registers.max(dst + 1);
        match node {
            Node::Lit(v) => self.instrs.push(Instr::Fill(dst, *v)),
            Node::Bool(b) => self.instrs.push(Instr::Fill(dst, truth(*b))),
            Node::Var(v) => self.instrs.push(Instr::Leaf(dst, *v)),
            Node::Num(a) => self.emit(a, dst),
            Node::Unary(UnOp::Neg, a) => {
                self.emit(a, dst);
                self.instrs.push(Instr::Neg(dst));
            }
            Node::Unary(UnOp::Not, a) => {
                self.emit(a, dst);
                self.instrs.push(Instr::Not(dst));
            }
            Node::Binary(op, a, b) => {
                self.emit(a, dst);
                let b = self.operand(b, dst + 1);
                self.instrs.push(Instr::Binary(*op, dst, b));
            }
            Node::Call(f, args) => {
                self.emit(&args[0], dst);
                match (f, args.as_slice()) {
                    (Func::Where, [_, a, b]) | (Func::Clip, [_, a, b]) => {
                        let a = self.operand(a, dst + 1);
                        let b = self.operand(b, dst + 2);
                        self.instrs.push(if *f == Func::Where {
                            Instr::Where(dst, a, b)
                        } else {
                            Instr::Clip(dst, a, b)
                        });
                    }
                    (_, [_, b]) => {
                        let b = self.operand(b, dst + 1);
                        self.instrs.push(Instr::Binary2(*f, dst, b));
                    }
                    _ => self.instrs.push(Instr::Unary(*f, dst)),
                }
            }
        }
    }
}

/// What the leaves of one block read.
pub struct BlockInput<'a> {
    pub origin: [f32; 2],
    pub wave_freq: [f32; 2],
    pub t: f32,
    /// The block's offsets.
    pub offsets: &'a [[f32; 2]],
    /// Index of the block's first point.
    pub base: usize,
    /// Each used column, whole (the block reads from `base`).
    pub columns: &'a [std::sync::Arc<Vec<f32>>],
}

/// Scratch registers for one thread.
pub struct Scratch {
    regs: Vec<Vec<f32>>,
}

impl Scratch {
    pub fn new(program: &Program, block: usize) -> Scratch {
        Scratch {
            regs: vec![vec![0.0; block]; program.registers],
        }
    }
}

/// Apply `f` in place over `d`, with a second operand from `s`.
#[inline(always)]
fn zip_in_place(
    regs: &mut [Vec<f32>],
    dst: usize,
    src: Src,
    n: usize,
    f: impl Fn(f32, f32) -> f32,
) {
    match src {
        Src::Const(c) => regs[dst][..n].iter_mut().for_each(|d| *d = f(*d, c)),
        Src::Reg(r) => {
            debug_assert!(r > dst);
            let (lo, hi) = regs.split_at_mut(r);
            for (d, s) in lo[dst][..n].iter_mut().zip(&hi[0][..n]) {
                *d = f(*d, *s);
            }
        }
    }
}

#[inline(always)]
fn map_in_place(d: &mut [f32], f: impl Fn(f32) -> f32) {
    d.iter_mut().for_each(|v| *v = f(*v));
}

/// Evaluate `program` over one block into `out` (one value per offset).
pub fn run_block(program: &Program, input: &BlockInput, scratch: &mut Scratch, out: &mut [f32]) {
    let n = input.offsets.len();
    let regs = &mut scratch.regs;
    for instr in &program.instrs {
        match *instr {
            Instr::Fill(d, v) => regs[d][..n].fill(v),
            Instr::Leaf(d, var) => leaf(var, input, &mut regs[d][..n]),
            Instr::Neg(d) => map_in_place(&mut regs[d][..n], |a| -a),
            Instr::Not(d) => {
                map_in_place(&mut regs[d][..n], |a| guard(!a.is_nan(), truth(a == 0.0)))
            }
            Instr::Binary(op, d, s) => {
                // One loop per operator, the operator a constant inside it.
                macro_rules! go {
                    ($op:expr) => {
                        zip_in_place(regs, d, s, n, |a, b| binary($op, a, b))
                    };
                }
                match op {
                    BinOp::Add => go!(BinOp::Add),
                    BinOp::Sub => go!(BinOp::Sub),
                    BinOp::Mul => go!(BinOp::Mul),
                    BinOp::Div => go!(BinOp::Div),
                    BinOp::FloorDiv => go!(BinOp::FloorDiv),
                    BinOp::Mod => go!(BinOp::Mod),
                    BinOp::Pow => go!(BinOp::Pow),
                    BinOp::Lt => go!(BinOp::Lt),
                    BinOp::Le => go!(BinOp::Le),
                    BinOp::Gt => go!(BinOp::Gt),
                    BinOp::Ge => go!(BinOp::Ge),
                    BinOp::Eq => go!(BinOp::Eq),
                    BinOp::Ne => go!(BinOp::Ne),
                    BinOp::And => go!(BinOp::And),
                    BinOp::Or => go!(BinOp::Or),
                }
            }
            Instr::Unary(f, d) => map_in_place(&mut regs[d][..n], |a| unary(f, a)),
            Instr::Binary2(f, d, s) => zip_in_place(regs, d, s, n, |a, b| binary_func(f, a, b)),
            Instr::Where(d, a, b) | Instr::Clip(d, a, b) => {
                let is_where = matches!(instr, Instr::Where(..));
                let get = |regs: &[Vec<f32>], s: Src, i: usize| match s {
                    Src::Const(c) => c,
                    Src::Reg(r) => regs[r][i],
                };
                for i in 0..n {
                    let (x, a, b) = (regs[d][i], get(regs, a, i), get(regs, b, i));
                    regs[d][i] = if is_where {
                        select(x, a, b)
                    } else {
                        clip(x, a, b)
                    };
                }
            }
        }
    }
    out.copy_from_slice(&regs[0][..n]);
}

/// Fill `d` with a variable for the block's points (the leaves of derive.wgsl's
/// generated function, line for line).
fn leaf(var: Var, input: &BlockInput, d: &mut [f32]) {
    let offs = input.offsets;
    let [ox, oy] = input.origin;
    match var {
        Var::X => d
            .iter_mut()
            .zip(offs)
            .for_each(|(v, o)| *v = fin(ox + o[0])),
        Var::Y => d
            .iter_mut()
            .zip(offs)
            .for_each(|(v, o)| *v = fin(oy + o[1])),
        Var::Index => d
            .iter_mut()
            .enumerate()
            .for_each(|(j, v)| *v = (input.base + j) as u32 as f32),
        Var::T => d.fill(input.t),
        Var::Radius => d
            .iter_mut()
            .zip(offs)
            .for_each(|(v, o)| *v = fin((o[0] * o[0] + o[1] * o[1]).sqrt())),
        Var::Angle => d
            .iter_mut()
            .zip(offs)
            .for_each(|(v, o)| *v = fin(o[1].atan2(o[0]))),
        Var::Wave => {
            let [fx, fy] = input.wave_freq;
            d.iter_mut()
                .zip(offs)
                .for_each(|(v, o)| *v = fin((o[0] * fx).sin() * (o[1] * fy).cos()))
        }
        Var::Column(k) => d
            .iter_mut()
            .zip(&input.columns[k as usize][input.base..])
            .for_each(|(v, c)| *v = fin(*c)),
    }
}
