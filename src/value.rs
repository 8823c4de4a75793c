//! [`Value`]: where each point's value (its colour) comes from — the user's
//! own expression, or a column by name — and how a figure's value and filter
//! are compiled against the columns of the points it draws.

use std::str::FromStr;
use std::sync::Arc;

use crate::data::Points;
use crate::derive::ValueSettings;
use crate::error::{input, Error, Result};
use crate::expr::ast::{Node, Var};
use crate::expr::{Expr, ExprError};

/// Where each point's value (its colour) comes from.
///
/// ```
/// use pointillist::Value;
/// let v: Value = "sqrt(x**2 + y**2)".parse().unwrap();
/// assert_eq!(v, Value::Expr("sqrt(x**2 + y**2)".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// The points' first value column when they have one, else `x + y`.
    #[default]
    Auto,
    /// An expression with Python's syntax and numpy's function names over
    /// `x`, `y`, `index` (the row in the input), `t` (seconds), `radius`,
    /// `angle`, `wave`, `data` (the first column) and every column by name:
    /// `"x + y"`, `"log(speed)"`, `"where(mass > 0, speed / mass, 0)"`.
    /// Computed in f32 on the GPU (or its CPU twin); where it has no value
    /// (`log(-1)`, `1/0`) the point is not drawn.
    Expr(String),
    /// A column by name, whatever its name (`"speed (km/h)"`).
    Column(String),
}

impl Value {
    /// An expression.
    pub fn expr(source: impl Into<String>) -> Value {
        Value::Expr(source.into())
    }
}

impl FromStr for Value {
    type Err = std::convert::Infallible;

    /// `auto`, else an expression (a column's name is an expression).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s.trim() {
            "auto" => Value::Auto,
            other => Value::Expr(other.to_string()),
        })
    }
}

/// Where an expression was given, for its error.
fn expression_error(role: &'static str, error: ExprError) -> Error {
    Error::Expression { role, error }
}

/// A figure's value and filter compiled for some points.
pub(crate) struct Compiled {
    pub settings: ValueSettings,
    /// The columns the settings read, by slot, and their names.
    pub columns: Vec<Arc<Vec<f32>>>,
    pub names: Vec<String>,
    /// The colourbar's label.
    pub label: String,
}

/// The figure's value and filter compiled for `points`.
pub(crate) fn compile(
    points: &Points,
    value: &Value,
    filter: Option<&str>,
    range: Option<(f32, f32)>,
    t: f32,
) -> Result<Compiled> {
    let names: Vec<&str> = points.column_names().collect();
    let (node, mut used, label) = match value {
        Value::Auto => match points.first_column() {
            Some((name, _)) => (
                Node::Var(Var::Column(0)),
                vec![name.to_string()],
                name.to_string(),
            ),
            None => {
                let e = Expr::value("x + y", &[]).expect("x + y compiles");
                (e.node, e.columns, "x+y".to_string())
            }
        },
        Value::Column(name) => match points.column_entry(name) {
            Some(_) => (Node::Var(Var::Column(0)), vec![name.clone()], name.clone()),
            None => {
                return Err(input(format!(
                    "no column '{name}': {}",
                    if names.is_empty() {
                        "these points have no value columns".to_string()
                    } else {
                        format!("the points' columns are {}", names.join(", "))
                    }
                )))
            }
        },
        Value::Expr(source) => {
            let e = Expr::value(source, &names).map_err(|e| expression_error("value", e))?;
            (e.node, e.columns, e.source)
        }
    };
    let filter = match filter {
        Some(source) => {
            let e = Expr::filter_after(source, &names, used)
                .map_err(|e| expression_error("filter", e))?;
            used = e.columns;
            Some(e.node)
        }
        None => None,
    };
    let mut columns: Vec<Arc<Vec<f32>>> = used
        .iter()
        .map(|n| {
            points
                .column_entry(n)
                .expect("compiled against these names")
                .1
                .clone()
        })
        .collect();
    let mut settings = ValueSettings {
        value: node,
        filter,
        range,
        t,
        extremes: Default::default(),
        norm: Default::default(),
        categories: None,
    };
    // After a Morton sort, `index` is each point's input row: it travels as a column.
    if let Some(order) = &points.original_index {
        if settings.value.uses(Var::Index)
            || settings.filter.as_ref().is_some_and(|f| f.uses(Var::Index))
        {
            let slot = Var::Column(columns.len() as u16);
            used.push("index".into());
            columns.push(Arc::new(order.iter().map(|&i| i as f32).collect()));
            settings.value = settings.value.replace(Var::Index, slot);
            settings.filter = settings.filter.map(|f| f.replace(Var::Index, slot));
        }
    }
    Ok(Compiled {
        settings,
        columns,
        names: used,
        label,
    })
}
