//! Density frames of data beyond memory: a Parquet file or dataset read row
//! group by row group (a `.npy` or raw file slice by slice), each batch's
//! values derived (the CPU twin) and binned into one grid, then dropped — so
//! what is held is a batch and the grid,
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
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// or where the values matter, unless the Parquet footers' statistics
    /// give them) and one for a sum's or mean's range; a run on footer
    /// bounds that the points kept do not fill is run again on theirs.
    pub passes: usize,
}

/// A streamed aggregation watched from another thread (the viewer's): it
/// can be stopped, and now and then it shows the grid so far.
#[derive(Debug, Default)]
pub struct Watch {
    /// Set to stop the aggregation: it returns [`Error::Stopped`](crate::Error::Stopped).
    pub stop: AtomicBool,
    /// The grid so far and the points binned into it, when one is newer
    /// than the last taken.
    latest: Mutex<Option<(Grid, u64)>>,
}

impl Watch {
    /// The grid so far and its points, if one came since the last call.
    pub fn take(&self) -> Option<(Grid, u64)> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn stopped(&self) -> Result<()> {
        match self.stop.load(Relaxed) {
            true => Err(crate::Error::Stopped),
            false => Ok(()),
        }
    }
}

/// How often a watched aggregation shows its grid so far (the first as soon
/// as a thread has binned a batch).
const SHOW_EVERY: Duration = Duration::from_millis(120);

/// An instant SHOW_EVERY ago: the first hand-in and showing are due at once.
fn long_ago() -> Instant {
    Instant::now()
        .checked_sub(SHOW_EVERY)
        .unwrap_or_else(Instant::now)
}

/// The grids the threads of a watched pass have handed in so far.
struct Shown {
    partial: Partial,
    points: u64,
    at: Instant,
}

/// What one thread of the binning pass holds: its grid, to which each of
/// its batches adds, and what it counted.
struct Worker {
    /// When it last handed its grid in (watched passes).
    handed: Instant,
    partial: Partial,
    points: u64,
    stats: DeriveStats,
}

/// A grid in its unfinished form, to which batches add.
#[derive(Clone)]
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

    /// One batch's points (`values`: theirs; needed but for counts
    /// without a filter) added, on this thread.
    fn add(
        &mut self,
        input: &aggregate::Input,
        values: Option<&[f32]>,
        map: &GridMap,
        q: &Quantiser,
    ) {
        let given = || values.expect("the values of a maximum, minimum or sum");
        match self {
            Partial::Count(g) => aggregate::add_count(g, input, values, map),
            Partial::Max(g) => aggregate::add_max(g, input, given(), map),
            Partial::Min(g) => aggregate::add_min(g, input, given(), map),
            Partial::Sums(g) => aggregate::add_sums(g, input, given(), map, q),
        }
    }

    /// Fold `other` (the same aggregate and size) into this grid.
    fn merge(&mut self, other: Partial) {
        match (self, other) {
            (Partial::Count(g), Partial::Count(c)) => g
                .iter_mut()
                .zip(c)
                .for_each(|(a, b)| *a = a.saturating_add(b)),
            (Partial::Max(g), Partial::Max(c)) => g
                .iter_mut()
                .zip(c)
                .for_each(|(a, b)| aggregate::keep_max(a, b)),
            (Partial::Min(g), Partial::Min(c)) => g
                .iter_mut()
                .zip(c)
                .for_each(|(a, b)| aggregate::keep_min(a, b)),
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

/// The bounds of the points at `path` (the rows a load keeps) and the names
/// of their x and y columns (None without a batch), in one pass; `stop` is
/// asked after each batch.
pub(crate) fn bounds(
    path: &std::path::Path,
    options: &LoadOptions,
    stop: &(dyn Fn() -> Result<()> + Sync),
) -> Result<(crate::points::Bounds, Option<(String, String)>)> {
    use crate::points::Bounds;
    let all_rows = LoadOptions {
        view: None,
        ..options.clone()
    };
    let (b, _) = pass(
        path,
        &all_rows,
        || (Bounds::EMPTY, None),
        |(b, names), p| {
            *b = b.union(p.set.bounds);
            names.get_or_insert_with(|| (p.x_name().to_string(), p.y_name().to_string()));
            stop()
        },
        |_| Ok(()),
        |a, b| {
            a.0 = a.0.union(b.0);
            a.1 = a.1.take().or(b.1);
        },
    )?;
    Ok(b)
}

/// Whether a pass of `agg` needs the values: not for a count without a
/// filter (no point is left out) of a column's value, which is finite as
/// loaded (so no point lacks one). Deriving them was a fifth of the time of
/// a streamed billion-point count.
fn values_matter_to(agg: Agg, values: &crate::derive::ValueSettings) -> bool {
    use crate::expr::{Node, Var};
    let column = matches!(values.value, Node::Var(Var::Column(_)));
    !(agg == Agg::Count
        && values.filter.is_none()
        && column
        && values.norm == crate::colormap::Norm::Linear)
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
    stream_density_watched(path, options, figure, None)
}

/// [`stream_density`] watched by `(watch, shown)`: stopped when `watch.stop`
/// is set, and about every 120 ms of binning (the first time as soon as a
/// thread has binned a batch) the grid so far and the points binned by then
/// are left in `watch` ([`Watch::take`]) and `shown` is called. The finished
/// grid is the same as [`stream_density`]'s.
///
/// With glibc it sets the process's allocator to keep freed blocks up to
/// 32 MiB (and 512 MiB of free heap) for reuse: each batch then takes the
/// memory the last one freed, not fresh pages (a quarter faster).
pub fn stream_density_watched(
    path: &std::path::Path,
    options: &LoadOptions,
    figure: &Figure,
    watch: Option<(&Watch, &(dyn Fn() + Sync))>,
) -> Result<Streamed> {
    check(figure)?;
    figure.check()?;
    crate::mem::reuse_freed_memory();
    // Without a view, the Parquet footers' x/y statistics give the bounds
    // (no pass). They span every row: where the points kept span less (a
    // row skipped for a missing value held an extreme), the bounds the
    // points give are taken in a second run, as without statistics.
    let footer = (figure.x_range.is_none() && figure.y_range.is_none())
        .then(|| Points::footer_bounds(path, options))
        .flatten();
    let (streamed, seen) = stream_with(path, options, figure, watch, footer)?;
    match footer {
        Some(f) if seen != f => {
            let (mut again, _) = stream_with(path, options, figure, watch, None)?;
            again.passes += streamed.passes;
            Ok(again)
        }
        _ => Ok(streamed),
    }
}

/// [`stream_density_watched`] with the data's bounds given (`footer`) or
/// found by a pass; also the bounds of the points kept, as the batches
/// derived showed them (every point's, where `footer` is given).
fn stream_with(
    path: &std::path::Path,
    options: &LoadOptions,
    figure: &Figure,
    watch: Option<(&Watch, &(dyn Fn() + Sync))>,
    footer: Option<crate::points::Bounds>,
) -> Result<(Streamed, crate::points::Bounds)> {
    let mut figure = Figure {
        mode: Mode::Density,
        ..figure.clone()
    };
    let mut passes = 0;
    let stop_asked = || watch.map_or(Ok(()), |(w, _)| w.stopped());
    // The data's bounds, from a first pass over the same columns: the view
    // where none is given, and the origin the values of x and y are taken
    // from (a point's x is the origin plus its offset, in f32: in memory the
    // origin is the centre of every point's bounds, so each batch takes it too).
    let values_matter = figure.agg != Agg::Count || figure.filter.is_some();
    let mut origin = None;
    if figure.x_range.is_none() || figure.y_range.is_none() || values_matter {
        let bounds = match footer {
            Some(b) => b,
            None => {
                passes += 1;
                bounds(path, options, &stop_asked)?.0
            }
        };
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
    // The axes' titles: the columns' names, as the first batch has them.
    let names = Mutex::new(None);
    let seen = Mutex::new(crate::points::Bounds::EMPTY);
    let derive = |p: Points| -> Result<(crate::points::PointSet, Option<Vec<f32>>, DeriveStats)> {
        {
            let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
            *seen = seen.union(p.set.bounds);
        }
        names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| (p.x_name().to_string(), p.y_name().to_string()));
        let (mut set, look) = figure.resolve(&p)?;
        no_index(&look)?;
        set.origin = origin.unwrap_or(set.origin);
        if !values_matter_to(agg, &look.values) {
            return Ok((set, None, DeriveStats::EMPTY));
        }
        let mut values = vec![0f32; set.len()];
        let stats = values_parallel(&set, &look.values, &mut values);
        Ok((set, Some(values), stats))
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
                stop_asked()
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
    let near = view_bounds(
        &camera,
        camera
            .per_pixel(&crate::camera::Viewport::full(size.0, size.1))
            .max_element(),
    );
    // A watched pass: each thread hands its grid in now and then, and the
    // grids handed in so far are shown (and left out of the threads' own).
    let shown = Mutex::new(Shown {
        partial: Partial::new(agg, if watch.is_some() { cells } else { 0 }),
        points: 0,
        at: long_ago(),
    });
    // Called just after a binning: every point the worker counted is binned.
    let hand_in = |w: &mut Worker| -> Result<()> {
        let Some((watch, wake)) = watch else {
            return Ok(());
        };
        watch.stopped()?;
        if w.handed.elapsed() < SHOW_EVERY {
            return Ok(());
        }
        w.handed = Instant::now();
        let mut s = shown.lock().unwrap_or_else(|p| p.into_inner());
        s.partial
            .merge(std::mem::replace(&mut w.partial, Partial::new(agg, cells)));
        s.points += std::mem::take(&mut w.points);
        if s.at.elapsed() >= SHOW_EVERY {
            s.at = Instant::now();
            let grid = Grid::from_cells(size.0, size.1, agg, s.partial.clone().finish(agg, &q));
            *watch.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some((grid, s.points));
            drop(s);
            wake();
        }
        Ok(())
    };
    let (worker, row_groups) = pass(
        path,
        &viewed,
        || Worker {
            handed: long_ago(),
            partial: Partial::new(agg, cells),
            points: 0,
            stats: DeriveStats::EMPTY,
        },
        |w, p| {
            let (set, values, stats) = derive(p)?;
            w.stats = w.stats.merge(stats);
            w.points += set.len() as u64;
            let map = GridMap::new(&camera, set.origin, size);
            let input = aggregate::Input {
                positions: aggregate::Positions::Exact(&set.xy),
                runs: set.visible_runs(near),
            };
            w.partial.add(&input, values.as_deref(), &map, &q);
            hand_in(w)
        },
        |_| Ok(()),
        |a, b| {
            a.partial.merge(b.partial);
            a.points += b.points;
            a.stats = a.stats.merge(b.stats);
        },
    )?;
    let Worker {
        mut partial,
        mut points,
        stats,
        ..
    } = worker;
    if watch.is_some() {
        let s = shown.into_inner().unwrap_or_else(|p| p.into_inner());
        partial.merge(s.partial);
        points += s.points;
    }
    passes += 1;
    let cells = partial.finish(agg, &q);
    if let Some((x, y)) = names.into_inner().unwrap_or_else(|p| p.into_inner()) {
        figure.x_label = figure.x_label.or(Some(x));
        figure.y_label = figure.y_label.or(Some(y));
    }
    let streamed = Streamed {
        grid: Grid::from_cells(size.0, size.1, agg, cells),
        figure,
        points,
        kept: points - stats.filtered,
        no_value: stats.no_value,
        row_groups,
        passes,
    };
    Ok((
        streamed,
        seen.into_inner().unwrap_or_else(|p| p.into_inner()),
    ))
}
