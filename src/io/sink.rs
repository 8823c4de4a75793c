//! Where every loader's rows go: kept points with (x, y) interleaved as
//! the points hold them, value columns, text labels as codes, skipped rows
//! counted.

use super::columns::Picked;
use super::*;

/// Collects kept points and counts skipped rows.
pub(super) struct Sink {
    /// Kept points' (x, y), interleaved as the points hold them: a batch
    /// becomes points without another copy.
    pub(super) xy: Vec<[f64; 2]>,
    /// One vector per value column: the value column first, when there is one.
    pub(super) values: Vec<Vec<f32>>,
    pub(super) skipped: usize,
    /// The row being pushed, as f32.
    pub(super) row: Vec<f32>,
    /// The labels of a text column: (its index in `values`, the labels met).
    pub(super) labels: Option<(usize, Labels)>,
}

/// Distinct labels in order of first appearance.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    index: std::collections::HashMap<Box<[u8]>, u32>,
    names: Vec<String>,
}

/// Most distinct labels a column may hold: as many as categories.
pub use crate::categories::MAX_CATEGORIES as MAX_LABELS;

impl Labels {
    /// The code of `label`; None once there would be more than [`MAX_LABELS`].
    pub fn code(&mut self, label: &[u8]) -> Option<u32> {
        if let Some(&c) = self.index.get(label) {
            return Some(c);
        }
        if self.names.len() >= MAX_LABELS {
            return None;
        }
        let c = self.names.len() as u32;
        self.index.insert(label.into(), c);
        self.names.push(String::from_utf8_lossy(label).into_owned());
        Some(c)
    }
}

impl Sink {
    /// A sink for x, y and `columns` value columns.
    pub(super) fn new(capacity: usize, columns: usize) -> Sink {
        Sink {
            xy: crate::mem::huge_capacity(capacity),
            values: (0..columns).map(|_| Vec::with_capacity(capacity)).collect(),
            skipped: 0,
            row: Vec::with_capacity(columns),
            labels: None,
        }
    }

    /// Where the sink is now: [`Sink::rewind`] goes back there.
    pub(super) fn mark(&self) -> (usize, usize) {
        (self.xy.len(), self.skipped)
    }

    /// Drop the rows pushed since `mark` (those of a bad row group).
    pub(super) fn rewind(&mut self, (rows, skipped): (usize, usize)) {
        self.xy.truncate(rows);
        self.values.iter_mut().for_each(|v| v.truncate(rows));
        self.skipped = skipped;
    }

    /// Codes of the `column`th value column are labels.
    pub(super) fn with_labels(mut self, column: Option<usize>) -> Sink {
        self.labels = column.map(|c| (c, Labels::default()));
        self
    }

    /// The code of `label` in the labels column.
    pub(super) fn label(&mut self, label: &[u8]) -> Option<u32> {
        self.labels.as_mut().and_then(|(_, l)| l.code(label))
    }

    /// Keep the point if x, y and every value (one per value column, in
    /// column order) are finite.
    #[inline]
    pub(super) fn push(&mut self, x: f64, y: f64, values: impl IntoIterator<Item = f64>) {
        self.row.clear();
        self.row.extend(values.into_iter().map(|v| v as f32));
        debug_assert_eq!(self.row.len(), self.values.len());
        if !x.is_finite() || !y.is_finite() || !self.row.iter().all(|v| v.is_finite()) {
            self.skipped += 1;
            return;
        }
        self.xy.push([x, y]);
        for (col, &v) in self.values.iter_mut().zip(&self.row) {
            col.push(v);
        }
    }

    pub(super) fn skip(&mut self) {
        self.skipped += 1;
    }

    /// [`Sink::push`] of rows `0..x.len()` given as columns (`values[k][r]`
    /// is row r's value of column k): where every row is finite, as whole
    /// slices.
    pub(super) fn push_rows(&mut self, x: &[f64], y: &[f64], values: &[&[f64]]) {
        debug_assert_eq!(values.len(), self.values.len());
        let n = x.len();
        // Folds without an early exit, which the compiler vectorises.
        let all = |s: &[f64], ok: fn(f64) -> bool| s.iter().fold(true, |all, &v| all & ok(v));
        let finite = all(x, f64::is_finite)
            && all(&y[..n], f64::is_finite)
            && values
                .iter()
                .all(|col| all(&col[..n], |v| (v as f32).is_finite()));
        if !finite {
            for r in 0..n {
                self.push(x[r], y[r], values.iter().map(|col| col[r]));
            }
            return;
        }
        self.xy.extend(x.iter().zip(&y[..n]).map(|(&x, &y)| [x, y]));
        for (col, from) in self.values.iter_mut().zip(values) {
            col.extend(from[..n].iter().map(|&v| v as f32));
        }
    }

    /// Room for `rows` more rows.
    pub(super) fn reserve(&mut self, rows: usize) {
        self.xy.reserve(rows);
        self.values.iter_mut().for_each(|v| v.reserve(rows));
    }

    /// Add `other`'s points after this one's.
    pub(super) fn append(&mut self, mut other: Sink) {
        if let (Some((k, mine)), Some((_, theirs))) = (&mut self.labels, &other.labels) {
            // Their codes in this sink's labels (none can overflow: both
            // together hold at most MAX_LABELS, or the parse stopped).
            let codes: Vec<u32> = theirs
                .names
                .iter()
                .map(|n| mine.code(n.as_bytes()).unwrap_or(u32::MAX))
                .collect();
            for v in &mut other.values[*k] {
                *v = codes[*v as usize] as f32;
            }
        }
        self.xy.append(&mut other.xy);
        for (a, b) in self.values.iter_mut().zip(&mut other.values) {
            a.append(b);
        }
        self.skipped += other.skipped;
    }

    pub(super) fn finish(self, names: &[String], picked: &Picked) -> Loaded {
        self.finish_with(|i| names[i].clone(), picked)
    }

    /// [`Sink::finish`] with the name of column `i` given by `name(i)`.
    pub(super) fn finish_with(self, name: impl Fn(usize) -> String, picked: &Picked) -> Loaded {
        let labels = self
            .labels
            .map(|(k, l)| (name(picked.values()[k]), l.names));
        let mut values = self.values.into_iter();
        let value = picked.value.and_then(|_| values.next());
        Loaded {
            xy: self.xy,
            value,
            x_name: name(picked.x),
            y_name: name(picked.y),
            value_name: picked.value.map(&name),
            more: picked.more.iter().map(|&i| name(i)).zip(values).collect(),
            labels,
            row_groups: (0, 0),
            skipped: self.skipped,
        }
    }
}
