//! The language on its own (no GPU): parsing and precedence, the checks,
//! every function and operator against the f64 reference, and random trees
//! that print, parse back and evaluate alike on the tree walk and the blocks.
//! The GPU half of the parity lives in src/tests/expr.rs.

use super::ast::{BinOp, Func, Node, Printer, UnOp, Var};
use super::eval::{run_block, scalar, BlockInput, Program, Scratch};
use super::tolerance::{reference, Ref};
use super::*;

pub(crate) use super::check::fold;

fn value(src: &str) -> Expr {
    Expr::value(src, &["speed", "mass"]).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn err(src: &str) -> ExprError {
    Expr::value(src, &["speed", "mass"]).expect_err(src)
}

fn text(src: &str) -> String {
    value(src).to_text()
}

/// Evaluates a closed expression (literals only, no folding allowed to hide it).
fn eval_at(src: &str, x: f32, y: f32) -> f32 {
    let e = value(src);
    scalar(&e.node, &|v| match v {
        Var::X => x,
        Var::Y => y,
        _ => 0.0,
    })
}

#[test]
fn precedence_is_pythons() {
    // (expression, the tree printed fully bracketed); names keep them unfolded.
    let table = [
        ("x + y * speed", "(x + (y * speed))"),
        ("x - y - speed", "((x - y) - speed)"),
        ("x / y / speed", "((x / y) / speed)"),
        ("-x ** 2", "(-(x ** 2.0))"),
        ("x ** -y", "(x ** (-y))"),
        ("x ** y ** speed", "(x ** (y ** speed))"),
        ("-x * y", "((-x) * y)"),
        ("x % y * speed", "((x % y) * speed)"),
        ("x // y + 1", "((x // y) + 1.0)"),
        ("x < y < speed", "((x < y) & (y < speed))"),
        (
            "(x < 1) & (y > 2) | (speed == 3)",
            "(((x < 1.0) & (y > 2.0)) | (speed == 3.0))",
        ),
        (
            "x < 1 and y > 2 or not speed > 3",
            "(((x < 1.0) & (y > 2.0)) | (~(speed > 3.0)))",
        ),
        ("~(x > y)", "(~(x > y))"),
        ("where(x > 0, y, -y)", "where((x > 0.0), y, (-y))"),
        ("+x", "x"),
        ("(x > 0) + 1", "((x > 0.0) + 1.0)"),
        ("atan2(y, x)", "arctan2(y, x)"),
        ("1e-3 * x", "(0.001 * x)"),
        (".5 * x", "(0.5 * x)"),
        ("data", "speed"),
    ];
    for (src, want) in table {
        assert_eq!(text(src), want, "{src}");
    }
}

#[test]
fn pythons_corner_cases_have_pythons_values() {
    // Folded to constants with the CPU twin's arithmetic.
    let cases = [
        ("-2**2", -4.0),
        ("2**-1", 0.5),
        ("7 % -3", -2.0),
        ("-7 % 3", 2.0),
        ("-7 // 2", -4.0),
        ("7 // -2", -4.0),
        ("2 ** 3 ** 2", 512.0),
        ("(-8) ** 2", 64.0),
        ("(-2) ** 3", -8.0),
        ("1 < 2 < 3", 1.0),
        ("3 > 2 > 2", 0.0),
        ("round(2.5)", 2.0),
        ("round(3.5)", 4.0),
        ("round(-0.5)", 0.0),
        ("sign(-3)", -1.0),
        ("clip(5, 0, 2)", 2.0),
        ("where(1 > 2, 10, 20)", 20.0),
        ("pi", std::f32::consts::PI),
        ("hypot(3, 4)", 5.0),
        ("True + True", 2.0),
    ];
    for (src, want) in cases {
        let e = value(src);
        assert_eq!(e.node, Node::Lit(want), "{src} folds to {want}");
    }
    // Folded into the constant "no value" (NaN), and no value at any point.
    for src in [
        "log(-1)",
        "1 / 0",
        "sqrt(-1)",
        "0 ** -1",
        "(-8) ** (1/3)",
        "arcsin(2)",
        "exp(134.0)",
        "x + exp(134.0) * 2",
    ] {
        let e = value(src);
        assert!(eval_at(src, 0.0, 0.0).is_nan(), "{src}");
        if !src.contains('x') {
            assert!(matches!(e.node, Node::Lit(v) if v.is_nan()), "{src}");
        }
    }
}

/// A constant with no value never reaches the shader as arithmetic naga
/// would evaluate while compiling (it rejects `exp(134.0)`: "f32 cannot
/// represent 1.57e58"; case 3,157 of the 100,000-case run).
#[test]
fn constants_without_a_value_compile() {
    for src in [
        "exp(134.0)",
        "x + exp(134.0)",
        "where(x > 0, exp(100) * 1e10, y)",
        "1e38 * 10 + x",
        "log(-1) < x",
        "where(log(-1) < 1, x, y)",
        "-(3e38 + 3e38) + x",
    ] {
        let e = value(src);
        let source = crate::render::shaders::derive_source(&e.node, &Node::Bool(true));
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{src}: {}\n{source}", e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("{src}: {e:?}\n{source}"));
        assert!(eval_at(src, 1.0, 1.0).is_nan(), "{src}");
    }
}

#[test]
fn no_value_goes_through_everything_but_the_branch_not_taken() {
    assert!(eval_at("log(x) > 0", -1.0, 0.0).is_nan());
    assert!(eval_at("where(log(x) > 0, 1, 2)", -1.0, 0.0).is_nan());
    assert_eq!(eval_at("where(x > 0, log(x), 7)", -1.0, 0.0), 7.0);
    assert_eq!(eval_at("where(x > 0, 7, log(x))", 1.0, 0.0), 7.0);
    assert!(eval_at("1 / (1 / x)", 0.0, 0.0).is_nan());
    assert!(
        eval_at("exp(x) * 0", 100.0, 0.0).is_nan(),
        "overflow is no value"
    );
    assert!(eval_at("minimum(sqrt(x), 1)", -1.0, 0.0).is_nan());
    assert!(eval_at("(x > 0) & (sqrt(y) > 1)", 1.0, -1.0).is_nan());
}

#[test]
fn errors_point_at_the_column() {
    let cases = [
        ("x + ", 4, "ends"),
        ("x + * y", 4, "before '*'"),
        ("speeed * 2", 0, "did you mean 'speed'"),
        ("radus", 0, "did you mean 'radius'"),
        ("sin(x, y)", 0, "takes 1 argument, not 2"),
        ("clip(x)", 0, "takes 3 arguments"),
        ("sine(x)", 0, "did you mean 'sin'"),
        ("x > 0 & y > 0", 4, "'&'"),
        ("where(x, 1, 2)", 6, "condition"),
        ("~x", 1, "condition"),
        ("(x + 1", 0, "not closed"),
        ("x + 1)", 5, "closes nothing"),
        ("x y", 2, "expected an operator"),
        ("x ! y", 2, "!="),
        ("x); } fn f() {", 2, "unexpected character ';'"),
        ("x) + 1", 1, "closes nothing"),
        ("x // comment", 5, "comment"),
        ("ｘ + 1", 0, "U+FF58"),
        ("x + 1e999", 4, "too large"),
        ("12abc", 0, "not a number"),
        ("", 0, "empty"),
        ("sin", 0, "is a function"),
        ("x(1)", 0, "value, not a function"),
    ];
    for (src, column, says) in cases {
        let e = err(src);
        assert_eq!(e.column, column, "{src}: {e}");
        let shown = e.to_string();
        assert!(shown.contains(says), "{src}: '{shown}' should say '{says}'");
        // Three lines: the message, the expression, the caret under the column.
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert_eq!(lines[2].find('^'), Some(2 + column), "{shown}");
    }
    let names = err("speeed").message;
    assert!(names.contains("x, y, index, t, radius") && names.contains("speed, mass"));
    assert!(Expr::filter("x + 1", &[])
        .unwrap_err()
        .message
        .contains("condition"));
    assert!(Expr::filter("x > 1", &[]).is_ok());
}

#[test]
fn limits_are_errors() {
    let long = format!("x{}", " + x".repeat(MAX_LEN / 4));
    assert!(err(&long).message.contains("longer than 4096"));
    let deep = format!(
        "{}x{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(err(&deep).message.contains("nested deeper than 64"));
    let ok = format!(
        "{}x{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert!(Expr::value(&ok, &[]).is_ok());
    let many = vec!["x"; 600].join(" + ");
    assert!(err(&many).message.contains("nodes, more than the 1024"));
    let deep_minus = format!("{}x", "-".repeat(MAX_DEPTH + 1));
    assert!(err(&deep_minus).message.contains("nested deeper"));
}

/// Points around the edges of each domain.
fn edge_values() -> Vec<f32> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        1.5,
        2.5,
        -2.5,
        3.0,
        0.1,
        1e-3,
        1e-7,
        1e-30,
        10.0,
        88.0,
        89.0,
        100.0,
        1e4,
        -1e4,
        1e20,
        -1e20,
        std::f32::consts::PI,
        -std::f32::consts::PI,
        std::f32::consts::FRAC_PI_2,
        7.0,
        -7.0,
        0.9999999,
        1.0000001,
        -0.9999999,
        -1.0000001,
        1e38,
        -1e38,
    ];
    for x in [0.0f32, 1.0, -1.0] {
        v.push(f32::from_bits(x.to_bits() + 1));
        v.push(f32::from_bits(x.to_bits().wrapping_sub(1)));
    }
    v.retain(|x| x.is_finite());
    v
}

fn check_against_reference(src: &str, xs: &[f32], ys: &[f32]) -> (usize, usize) {
    let e = value(src);
    let (mut compared, mut unsure) = (0, 0);
    for &x in xs {
        for &y in ys {
            let cpu = scalar(&e.node, &|v| match v {
                Var::X => x,
                Var::Y => y,
                _ => 0.0,
            });
            let r = reference(&e.node, &|v| match v {
                Var::X => (x as f64, 0.0),
                Var::Y => (y as f64, 0.0),
                _ => (0.0, 0.0),
            });
            match r {
                Ref::Unsure => unsure += 1,
                Ref::NoValue => assert!(cpu.is_nan(), "{src} at ({x}, {y}): {cpu}, want none"),
                Ref::Num(v, tol) => {
                    assert!(
                        (cpu as f64 - v).abs() <= tol,
                        "{src} at ({x}, {y}): {cpu}, want {v} +- {tol}"
                    );
                    compared += 1;
                }
                Ref::Bool(b) => {
                    assert_eq!(cpu, b as u8 as f32, "{src} at ({x}, {y})");
                    compared += 1;
                }
            }
        }
    }
    (compared, unsure)
}

#[test]
fn every_function_and_operator_matches_an_f64_reference_at_its_edges() {
    let xs = edge_values();
    let ys = [0.0f32, 1.0, -1.0, 2.0, -3.0, 0.5, 1e-7, 7.0, 100.0];
    let mut sources: Vec<String> = Func::ALL
        .iter()
        .filter(|f| f.arity() == 1)
        .map(|f| format!("{}(x)", f.name()))
        .collect();
    sources.extend(
        [
            "arctan2(x, y)",
            "minimum(x, y)",
            "maximum(x, y)",
            "hypot(x, y)",
            "clip(x, -1, y)",
        ]
        .map(String::from),
    );
    sources.extend(
        [
            "+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=",
        ]
        .map(|op| format!("x {op} y")),
    );
    sources.extend(
        [
            "where(x > y, x, y)",
            "(x > 0) & (y > 0)",
            "(x > 0) | (y > 0)",
            "-x",
        ]
        .map(String::from),
    );
    let mut total = 0;
    for src in &sources {
        let (compared, _) = check_against_reference(src, &xs, &ys);
        assert!(
            compared > xs.len() * ys.len() / 4,
            "{src}: only {compared} compared"
        );
        total += compared;
    }
    assert!(total > 10_000, "{total}");
}

/// A random checked tree over x, y and speed (non-negative literals: the
/// printer writes a negative one as a negation, which folds back).
pub(crate) fn random_tree(rng: &mut impl rand::RngExt, depth: u32, boolean: bool) -> Node {
    if boolean {
        return match rng.random_range(0..4) {
            0 if depth > 0 => Node::Binary(
                if rng.random_bool(0.5) {
                    BinOp::And
                } else {
                    BinOp::Or
                },
                Box::new(random_tree(rng, depth - 1, true)),
                Box::new(random_tree(rng, depth - 1, true)),
            ),
            1 if depth > 0 => Node::Unary(UnOp::Not, Box::new(random_tree(rng, depth - 1, true))),
            _ => {
                let ops = [
                    BinOp::Lt,
                    BinOp::Le,
                    BinOp::Gt,
                    BinOp::Ge,
                    BinOp::Eq,
                    BinOp::Ne,
                ];
                Node::Binary(
                    ops[rng.random_range(0..ops.len())],
                    Box::new(random_tree(rng, depth.saturating_sub(1), false)),
                    Box::new(random_tree(rng, depth.saturating_sub(1), false)),
                )
            }
        };
    }
    if depth == 0 || rng.random_bool(0.2) {
        return match rng.random_range(0..5) {
            0 => Node::Var(Var::X),
            1 => Node::Var(Var::Y),
            2 => Node::Var(Var::Column(0)),
            3 => Node::Lit(rng.random_range(0..20) as f32 * 0.25),
            _ => Node::Lit(rng.random_range(0.0f32..10.0)),
        };
    }
    let d = depth - 1;
    match rng.random_range(0..10) {
        0..=3 => {
            let ops = [
                BinOp::Add,
                BinOp::Sub,
                BinOp::Mul,
                BinOp::Div,
                BinOp::FloorDiv,
                BinOp::Mod,
                BinOp::Pow,
            ];
            Node::Binary(
                ops[rng.random_range(0..ops.len())],
                Box::new(random_tree(rng, d, false)),
                Box::new(random_tree(rng, d, false)),
            )
        }
        4 => Node::Unary(UnOp::Neg, Box::new(random_tree(rng, d, false))),
        5 => Node::Num(Box::new(random_tree(rng, d, true))),
        6 => where_of(
            random_tree(rng, d, true),
            random_tree(rng, d, false),
            random_tree(rng, d, false),
        ),
        _ => {
            let f = Func::ALL[rng.random_range(0..Func::ALL.len())];
            if f == Func::Where {
                return random_tree(rng, depth, false);
            }
            let args = (0..f.arity()).map(|_| random_tree(rng, d, false)).collect();
            Node::Call(f, args)
        }
    }
}

/// `where` as the checker builds it: two booleans in a number's place make a
/// boolean `where`, used as a number.
fn where_of(c: Node, a: Node, b: Node) -> Node {
    match (a, b) {
        (Node::Num(a), Node::Num(b)) => {
            Node::Num(Box::new(Node::Call(Func::Where, vec![c, *a, *b])))
        }
        (a, b) => Node::Call(Func::Where, vec![c, a, b]),
    }
}

#[test]
fn random_trees_print_parse_back_and_evaluate_alike_in_blocks() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(11);
    let columns = vec!["speed".to_string()];
    let xs: Vec<f32> = (0..64).map(|i| (i as f32 - 32.0) * 0.37).collect();
    let offsets: Vec<[f32; 2]> = xs.iter().map(|&x| [x, 1.5 - x * 0.5]).collect();
    let speed: Vec<f32> = (0..64).map(|i| i as f32 * 0.1).collect();
    let speed_column = [std::sync::Arc::new(speed.clone())];
    let cases = 3000;
    for case in 0..cases {
        let tree = check::fold(random_tree(&mut rng, 4, false));
        let printed = Printer {
            node: &tree,
            columns: &columns,
        }
        .to_string();
        let e = Expr::value(&printed, &["speed"]).unwrap_or_else(|e| panic!("{printed}: {e}"));
        // (Printed: a tree holding the no-value NaN is never `==` itself.)
        let again = Printer {
            node: &e.node,
            columns: &columns,
        }
        .to_string();
        assert_eq!(again, printed, "case {case}");
        // Blocks and the tree walk: the same f32 semantics, bit for bit.
        let program = Program::new(&e.node);
        let mut scratch = Scratch::new(&program, 64);
        let mut out = vec![0.0; 64];
        let input = BlockInput {
            origin: [0.0, 0.0],
            wave_freq: [1.0, 1.0],
            t: 0.0,
            offsets: &offsets,
            base: 0,
            columns: &speed_column,
        };
        run_block(&program, &input, &mut scratch, &mut out);
        for (i, o) in offsets.iter().enumerate() {
            let want = scalar(&e.node, &|v| match v {
                Var::X => o[0],
                Var::Y => o[1],
                Var::Column(_) => speed[i],
                _ => 0.0,
            });
            assert!(
                want.to_bits() == out[i].to_bits() || (want.is_nan() && out[i].is_nan()),
                "case {case} {printed} at {i}: block {} tree {want}",
                out[i]
            );
        }
    }
}

#[test]
fn generated_wgsl_is_valid_for_random_trees() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
    for case in 0..300 {
        let value = check::fold(random_tree(&mut rng, 4, false));
        let filter = check::fold(random_tree(&mut rng, 3, true));
        let source = crate::render::shaders::derive_source(&value, &filter);
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("case {case}: {}\n{source}", e.emit_to_string(&source)));
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .unwrap_or_else(|e| panic!("case {case}: {e:?}\n{source}"));
    }
}

#[test]
fn no_user_text_reaches_the_shader() {
    // A column named like code is a slot number in WGSL, never its name.
    let e = Expr::value("evil_name * 2", &["evil_name"]).unwrap();
    let source = crate::render::shaders::derive_source(&e.node, &Node::Bool(true));
    assert!(!source.contains("evil_name"));
    assert!(source.contains("data[0u * params.count + i]"));
}

/// Constants one non-constant apart merge (as GPU compilers merge them), in
/// f32, whatever the signs; the result means what the expression means.
#[test]
fn constant_chains_fold_into_one_constant() {
    let col = Node::Var(Var::Column(0));
    let lit = |v: f32| Node::Lit(v);
    let add = |a: Node, b: Node| Node::Binary(BinOp::Add, Box::new(a), Box::new(b));
    let sub = |a: Node, b: Node| Node::Binary(BinOp::Sub, Box::new(a), Box::new(b));
    let mul = |a: Node, b: Node| Node::Binary(BinOp::Mul, Box::new(a), Box::new(b));
    let (a, c) = (1.1415241f32, 5.9729776f32);
    for (src, want) in [
        (
            "1.1415241 + (speed + 5.9729776)",
            add(col.clone(), lit(a + c)),
        ),
        (
            "(speed + 5.9729776) + 1.1415241",
            add(col.clone(), lit(c + a)),
        ),
        (
            "1.1415241 - (speed + 5.9729776)",
            sub(lit(a - c), col.clone()),
        ),
        (
            "1.1415241 + (5.9729776 - speed)",
            sub(lit(a + c), col.clone()),
        ),
        (
            "(speed - 5.9729776) - 1.1415241",
            add(col.clone(), lit(-c - a)),
        ),
        (
            "1.1415241 - -(speed + 5.9729776)",
            add(col.clone(), lit(a + c)),
        ),
        (
            "1.1415241 * (speed * 5.9729776)",
            mul(col.clone(), lit(a * c)),
        ),
        ("speed + 5.9729776", add(col.clone(), lit(c))),
        ("(speed + 1) * 2", mul(add(col.clone(), lit(1.0)), lit(2.0))),
    ] {
        let e = Expr::value(src, &["speed"]).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(e.node, want, "{src}");
        // Folding again changes nothing, and the values are the expression's.
        assert_eq!(check::fold(e.node.clone()), e.node, "{src}");
        for v in [-3.0f32, 0.0, 0.5, 1e3] {
            let speed = v as f64;
            let exact = match src {
                s if s.starts_with("1.1415241 + (speed") => 1.1415241 + (speed + 5.9729776),
                s if s.starts_with("(speed + 5.9729776) +") => speed + 5.9729776 + 1.1415241,
                s if s.starts_with("1.1415241 - (speed") => 1.1415241 - (speed + 5.9729776),
                s if s.starts_with("1.1415241 + (5.97") => 1.1415241 + (5.9729776 - speed),
                s if s.starts_with("(speed - 5.97") => speed - 5.9729776 - 1.1415241,
                s if s.starts_with("1.1415241 - -(") => 1.1415241 + (speed + 5.9729776),
                s if s.starts_with("1.1415241 * (") => 1.1415241 * speed * 5.9729776,
                s if s.starts_with("speed +") => speed + 5.9729776,
                _ => (speed + 1.0) * 2.0,
            };
            let got = scalar(&e.node, &|_| v) as f64;
            assert!(
                (got - exact).abs() <= 1e-5 * exact.abs().max(1.0),
                "{src} at {v}: {got} vs {exact}"
            );
        }
    }
}
