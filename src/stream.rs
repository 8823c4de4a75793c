//! Density frames of data beyond memory: a Parquet file or dataset read row
//! group by row group, each group's values derived (the CPU twin) and binned
//! into one grid, then dropped — so what is held is a row group and the grid,
//! whatever the data's size. The grid is the in-memory CPU backend's, cell
//! for cell: counts add, maxima and minima merge, and sums add the same
//! fixed-point steps (over the data's value range, found by a first pass
//! when the aggregate is a sum or a mean). [`Context::render_grid`] shades it.

use crate::aggregate::{self, Agg, GridMap, Mode, Quantiser, SumCell};
use crate::camera::Camera;
use crate::context::Context;
use crate::data::{LoadOptions, Points};
use crate::derive::{values_parallel, DeriveStats};
use crate::error::{input, Result};
use crate::figure::Figure;
use crate::image::Grid;
use crate::plot::view_bounds;

/// What a streamed aggregation made and read.
#[derive(Debug, Clone)]
pub struct Streamed {
    /// The density grid (row 0 at the top), of [`Context::plot_area`]'s size.
    pub grid: Grid,
    /// The figure with its view: the given ranges, or those fitted to the data.
    pub figure: Figure,
    /// Points read (in the row groups read).
    pub points: u64,
    /// Points the filter kept.
    pub kept: u64,
    /// Kept points without a value (NaN, infinite, outside a log norm).
    pub no_value: u64,
    /// Parquet row groups read and skipped by their statistics (the last pass).
    pub row_groups: (usize, usize),
    /// Passes over the data: one; one more for the bounds (without a view,
    /// or where the values matter) and one for a sum's or mean's range.
    pub passes: usize,
}

/// What one thread of the binning pass holds: its grid, what it counted,
/// and the points near the view waiting to be binned.
struct Worker {
    partial: Partial,
    points: u64,
    stats: DeriveStats,
    xy: Vec<[f64; 2]>,
    values: Vec<f32>,
}

/// A grid in its unfinished form, to which batches add.
enum Partial {
    Count(Vec<u32>),
    Max(Vec<u32>),
    Min(Vec<u32>),
    Sums(Vec<SumCell>),
}

impl Partial {
    fn new(agg: Agg, cells: usize) -> Partial {
        match agg {
            Agg::Count => Partial::Count(vec![0; cells]),
            Agg::Max => Partial::Max(vec![0; cells]),
            Agg::Min => Partial::Min(vec![0; cells]),
            Agg::Sum | Agg::Mean => Partial::Sums(vec![SumCell::default(); cells]),
        }
    }

    /// One batch's points (their `values`) binned.
    fn of_batch(
        agg: Agg,
        input: &aggregate::Input,
        values: &[f32],
        map: &GridMap,
        q: &Quantiser,
    ) -> Partial {
        match agg {
            Agg::Count => Partial::Count(aggregate::count(input, Some(values), map)),
            Agg::Max => Partial::Max(aggregate::splat(input, values, map)),
            Agg::Min => Partial::Min(aggregate::min_splat(input, values, map)),
            Agg::Sum | Agg::Mean => Partial::Sums(aggregate::sums(input, values, map, q)),
        }
    }

    /// Fold `other` (the same aggregate and size) into this grid.
    fn merge(&mut self, other: Partial) {
        match (self, other) {
            (Partial::Count(g), Partial::Count(c)) => g
                .iter_mut()
                .zip(c)
                .for_each(|(a, b)| *a = a.saturating_add(b)),
            (Partial::Max(g), Partial::Max(c)) => {
                g.iter_mut().zip(c).for_each(|(a, b)| *a = (*a).max(b))
            }
            // 0 is empty: it wraps to the largest key, which any key beats.
            (Partial::Min(g), Partial::Min(c)) => g
                .iter_mut()
                .zip(c)
                .for_each(|(a, b)| *a = a.wrapping_sub(1).min(b.wrapping_sub(1)).wrapping_add(1)),
            (Partial::Sums(g), Partial::Sums(c)) => g.iter_mut().zip(c).for_each(|(a, b)| {
                a.n = a.n.saturating_add(b.n);
                a.steps = a.steps.wrapping_add(b.steps);
            }),
            _ => unreachable!("partial grids of one aggregate"),
        }
    }

    fn finish(self, agg: Agg, q: &Quantiser) -> Vec<u32> {
        match self {
            Partial::Count(g) | Partial::Max(g) | Partial::Min(g) => g,
            Partial::Sums(g) => aggregate::finalise_sums(&g, q, agg),
        }
    }
}

/// One pass over the points at `path`, its batches shared among the
/// threads: each folds its batches into its own `A` (from `init`, and
/// `finish`ed after its last batch), and the threads' are merged. Returns
/// it with the row groups read and skipped.
pub(crate) fn pass<A: Send>(
    path: &std::path::Path,
    options: &LoadOptions,
    init: impl Fn() -> A + Sync,
    each: impl Fn(&mut A, Points) -> Result<()> + Sync,
    finish: impl Fn(&mut A) -> Result<()> + Sync,
    merge: impl Fn(&mut A, A),
) -> Result<(A, (usize, usize))> {
    use rayon::prelude::*;
    let n = rayon::current_num_threads().max(1);
    let parts: Vec<Result<(A, (usize, usize))>> = (0..n)
        .into_par_iter()
        .map(|k| {
            let mut a = init();
            let groups = Points::stream_share(path, options, (k, n), |p| each(&mut a, p))?;
            finish(&mut a)?;
            Ok((a, groups))
        })
        .collect();
    let (mut out, mut groups) = (None::<A>, (0, 0));
    for part in parts {
        let (a, g) = part?;
        groups = (groups.0 + g.0, groups.1 + g.1);
        match &mut out {
            None => out = Some(a),
            Some(o) => merge(o, a),
        }
    }
    Ok((out.expect("at least one thread"), groups))
}

/// `index` is a point's row in the whole input: a batch does not know it.
fn no_index(look: &crate::plot::Look) -> Result<()> {
    use crate::expr::Var;
    let v = &look.values;
    if v.value.uses(Var::Index) || v.filter.as_ref().is_some_and(|f| f.uses(Var::Index)) {
        return Err(input(
            "index: a streamed frame reads the points a row group at a time and does not number them; give --memory to read them into memory",
        ));
    }
    Ok(())
}

/// Whether `figure` can be streamed: a density frame (or `auto`) of a value
/// or counts, without what needs every point at once.
pub fn check(figure: &Figure) -> Result<()> {
    let why = if !matches!(figure.mode, Mode::Density | Mode::Auto) {
        Some(format!("mode {}", figure.mode.name()))
    } else if figure.category.is_some() {
        Some("--category".into())
    } else if figure.size_by.is_some() {
        Some("--size-by".into())
    } else if figure.selection.is_some() {
        Some("a selection".into())
    } else if figure.probe.is_some() {
        Some("--probe".into())
    } else {
        None
    };
    match why {
        Some(w) => Err(input(format!(
            "{w} needs the points in memory; a streamed frame is a density image (--mode density, of counts or --agg of a value)"
        ))),
        None => Ok(()),
    }
}

/// The density grid of `figure` (`auto` becomes density) over the points at
/// `path`, loaded as `options` says, one batch at a time.
pub fn stream_density(
    path: &std::path::Path,
    options: &LoadOptions,
    figure: &Figure,
) -> Result<Streamed> {
    check(figure)?;
    figure.check()?;
    let mut figure = Figure {
        mode: Mode::Density,
        ..figure.clone()
    };
    let mut passes = 0;
    // The data's bounds, from a first pass over the same columns: the view
    // where none is given, and the origin the values of x and y are taken
    // from (a point's x is the origin plus its offset, in f32: in memory the
    // origin is the centre of every point's bounds, so each batch takes it too).
    let values_matter = figure.agg != Agg::Count || figure.filter.is_some();
    let mut origin = None;
    if figure.x_range.is_none() || figure.y_range.is_none() || values_matter {
        let mut bounds = crate::points::Bounds::EMPTY;
        let all_rows = LoadOptions {
            view: None,
            ..options.clone()
        };
        let (b, _) = pass(
            path,
            &all_rows,
            || crate::points::Bounds::EMPTY,
            |b, p| {
                *b = b.union(p.set.bounds);
                Ok(())
            },
            |_| Ok(()),
            |a, b| *a = a.union(b),
        )?;
        bounds = bounds.union(b);
        passes += 1;
        let fit = Camera::fit(&bounds);
        figure.x_range = figure.x_range.or(Some(fit.x_range()));
        figure.y_range = figure.y_range.or(Some(fit.y_range()));
        origin = (!bounds.is_empty()).then(|| bounds.center());
    }
    let (x_range, y_range) = (figure.x_range.expect("set"), figure.y_range.expect("set"));
    let camera = Camera::from_ranges(x_range, y_range);
    let size = Context::plot_area(&figure)?;
    let agg = figure.agg;
    // One batch's points on the whole data's origin, and their values.
    let derive = |p: Points| -> Result<(crate::points::PointSet, Vec<f32>, DeriveStats)> {
        let (mut set, look) = figure.resolve(&p)?;
        no_index(&look)?;
        set.origin = origin.unwrap_or(set.origin);
        let mut values = vec![0f32; set.len()];
        let stats = values_parallel(&set, &look.values, &mut values);
        Ok((set, values, stats))
    };
    // A sum's steps span the values of every point: a pass finds their range.
    let mut all = DeriveStats::EMPTY;
    if matches!(agg, Agg::Sum | Agg::Mean) {
        let all_rows = LoadOptions {
            view: None,
            ..options.clone()
        };
        (all, _) = pass(
            path,
            &all_rows,
            || DeriveStats::EMPTY,
            |all, p| {
                let (_, _, stats) = derive(p)?;
                *all = all.merge(stats);
                Ok(())
            },
            |_| Ok(()),
            |a, b| *a = a.merge(b),
        )?;
        passes += 1;
    }
    let q = Quantiser::new(all.range());
    // Counts and extremes need only the points in view: skip the row groups outside.
    let view = (!matches!(agg, Agg::Sum | Agg::Mean)).then(|| {
        let b = view_bounds(
            &camera,
            camera
                .per_pixel(&crate::camera::Viewport::full(size.0, size.1))
                .max_element(),
        );
        [b.min.x, b.max.x, b.min.y, b.max.y]
    });
    let cells = size.0 as usize * size.1 as usize;
    let viewed = LoadOptions {
        view: view.or(options.view),
        ..options.clone()
    };
    // Small row groups are binned together: a grid costs its size in work per binning.
    const BIN_AT: usize = 1 << 19;
    let near = view_bounds(
        &camera,
        camera
            .per_pixel(&crate::camera::Viewport::full(size.0, size.1))
            .max_element(),
    );
    let bin = |w: &mut Worker| {
        if w.xy.is_empty() {
            return;
        }
        let set = crate::points::PointSet::from_points(std::mem::take(&mut w.xy), None);
        let map = GridMap::new(&camera, set.origin, size);
        let input = aggregate::Input {
            positions: aggregate::Positions::Exact(&set.xy),
            runs: std::iter::once(0..set.len()).collect(),
        };
        w.partial
            .merge(Partial::of_batch(agg, &input, &w.values, &map, &q));
        w.values.clear();
    };
    let (worker, row_groups) = pass(
        path,
        &viewed,
        || Worker {
            partial: Partial::new(agg, cells),
            points: 0,
            stats: DeriveStats::EMPTY,
            xy: Vec::new(),
            values: Vec::new(),
        },
        |w, p| {
            let (set, values, stats) = derive(p)?;
            w.stats = w.stats.merge(stats);
            w.points += set.len() as u64;
            let runs = set.visible_runs(near);
            if w.xy.is_empty() && set.len() >= BIN_AT {
                // A large row group is binned as it is.
                let map = GridMap::new(&camera, set.origin, size);
                let input = aggregate::Input {
                    positions: aggregate::Positions::Exact(&set.xy),
                    runs,
                };
                w.partial
                    .merge(Partial::of_batch(agg, &input, &values, &map, &q));
                return Ok(());
            }
            // The points near the view wait to be binned.
            for run in runs {
                w.xy.extend_from_slice(&set.xy[run.clone()]);
                w.values.extend_from_slice(&values[run]);
            }
            if w.xy.len() >= BIN_AT {
                bin(w);
            }
            Ok(())
        },
        |w| {
            bin(w);
            Ok(())
        },
        |a, b| {
            a.partial.merge(b.partial);
            a.points += b.points;
            a.stats = a.stats.merge(b.stats);
        },
    )?;
    let Worker {
        partial,
        points,
        stats,
        ..
    } = worker;
    passes += 1;
    let cells = partial.finish(agg, &q);
    Ok(Streamed {
        grid: Grid::from_cells(size.0, size.1, agg, cells),
        figure,
        points,
        kept: points - stats.filtered,
        no_value: stats.no_value,
        row_groups,
        passes,
    })
}
