//! Which columns of a file a [`ColumnSpec`] picks: by name (exact, then
//! trimmed and case-blind), by index, or by default.

use super::*;

/// Column indices picked from a [`ColumnSpec`], with their display names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Picked {
    pub(super) x: usize,
    pub(super) y: usize,
    pub(super) value: Option<usize>,
    /// Further value columns, none of them `value` and none twice.
    pub(super) more: Vec<usize>,
    /// The column (one of the value columns) read as text labels.
    pub(super) labels: Option<usize>,
}

impl Picked {
    /// Every value column: `value` (if any), then `more`.
    pub(super) fn values(&self) -> Vec<usize> {
        self.value.iter().chain(&self.more).copied().collect()
    }

    /// The labels column's place among [`Picked::values`].
    pub(super) fn labels_slot(&self) -> Option<usize> {
        let l = self.labels?;
        self.values().iter().position(|&c| c == l)
    }
}

/// `"column N"`, the name of an unnamed column.
pub(super) fn column_name(i: usize) -> String {
    format!("column {i}")
}

/// Resolve `spec` against a file whose columns are `names` (`named` false
/// when those are just `"column N"` because the file has no names).
pub(super) fn resolve(
    path: &Path,
    spec: &ColumnSpec,
    names: &[String],
    named: bool,
) -> Result<Picked, LoadError> {
    let lookup = |n: &str| {
        names.iter().position(|m| m == n).or_else(|| {
            let n = n.trim();
            names.iter().position(|m| m.trim().eq_ignore_ascii_case(n))
        })
    };
    let missing = |n: &str| {
        if named {
            LoadError::NoSuchColumn {
                path: path.to_path_buf(),
                name: n.to_string(),
                available: names.to_vec(),
            }
        } else {
            LoadError::NoHeader {
                path: path.to_path_buf(),
                name: n.to_string(),
                count: names.len(),
            }
        }
    };
    resolve_by(path, spec, names.len(), lookup, missing)
}

/// [`resolve`] for a file of `count` columns without names, which answer to
/// `"column N"`, without making a name for each column first: a corrupt
/// header can claim billions of columns (with no rows, so no data to check
/// the claim against).
pub(super) fn resolve_unnamed(
    path: &Path,
    spec: &ColumnSpec,
    count: usize,
) -> Result<Picked, LoadError> {
    let lookup = |n: &str| {
        let n = n.trim();
        let digits = n
            .get(..7)?
            .eq_ignore_ascii_case("column ")
            .then(|| &n[7..])?;
        let i: usize = digits.parse().ok()?;
        (i < count && column_name(i).eq_ignore_ascii_case(n)).then_some(i)
    };
    let missing = |n: &str| LoadError::NoHeader {
        path: path.to_path_buf(),
        name: n.to_string(),
        count,
    };
    resolve_by(path, spec, count, lookup, missing)
}

/// Resolve `spec` against `count` columns, finding names with `lookup`;
/// `missing` is the error for a name not found.
pub(super) fn resolve_by(
    path: &Path,
    spec: &ColumnSpec,
    count: usize,
    lookup: impl Fn(&str) -> Option<usize>,
    missing: impl Fn(&str) -> LoadError,
) -> Result<Picked, LoadError> {
    let find = |c: &Column| -> Result<usize, LoadError> {
        match c {
            Column::Index(i) if *i < count => Ok(*i),
            Column::Index(i) => Err(LoadError::ColumnOutOfRange {
                path: path.to_path_buf(),
                index: *i,
                count,
            }),
            Column::Name(n) => lookup(n).ok_or_else(|| missing(n)),
        }
    };
    if (spec.x.is_none() || spec.y.is_none()) && count < 2 {
        return Err(LoadError::TooFewColumns {
            path: path.to_path_buf(),
            count,
        });
    }
    let x = spec.x.as_ref().map_or(Ok(0), find)?;
    let y = spec.y.as_ref().map_or(Ok(1), find)?;
    let value = match &spec.value {
        Some(c) => Some(find(c)?),
        None if spec.x.is_none() && spec.y.is_none() && count >= 3 => Some(2),
        None => None,
    };
    let mut more: Vec<usize> = Vec::with_capacity(spec.more.len());
    for c in spec.more.iter().chain(&spec.labels) {
        let i = find(c)?;
        if value != Some(i) && !more.contains(&i) {
            more.push(i);
        }
    }
    let labels = spec.labels.as_ref().map(find).transpose()?;
    Ok(Picked {
        x,
        y,
        value,
        more,
        labels,
    })
}
