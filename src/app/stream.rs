//! The viewer on data beyond memory: each view is aggregated again in the
//! background ([`stream_density_watched`]), the grid so far shown as it
//! fills, and the aggregation of a view no longer shown stopped. The event
//! loop never waits for it: the worker wakes the loop when it has a grid.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::aggregate::Agg;
use crate::context::{fmt_count, fmt_duration};
use crate::data::LoadOptions;
use crate::error::{Error, Result};
use crate::figure::Figure;
use crate::image::Grid;
use crate::stream::{stream_density_watched, Streamed, Watch};

/// What a streamed window reads: the input, how, and the figure's settings.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub load: LoadOptions,
    /// The figure streamed for each view (its ranges and size are the view's).
    pub figure: Figure,
    /// The input's bytes, read once a pass.
    pub bytes: u64,
}

/// The view an aggregation is made for.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key {
    x: (f64, f64),
    y: (f64, f64),
    size: (u32, u32),
    agg: Agg,
}

/// One view's aggregation, running or done.
struct Job {
    key: Key,
    watch: Arc<Watch>,
    read: Arc<AtomicU64>,
    passes: u64,
    started: Instant,
    done: Arc<Mutex<Option<Result<Streamed>>>>,
    /// When its first grid was drawn (after the start).
    first: Option<Duration>,
    /// The grids so far that were drawn before the finished one.
    pictures: u32,
    /// How long it took, once done; the points it read.
    finished: Option<(Duration, u64)>,
}

/// The streamed window's aggregations.
pub struct Streaming {
    pub source: Source,
    job: Option<Job>,
    /// Wakes the event loop (a redraw) when a grid is ready.
    wake: Arc<dyn Fn() + Send + Sync>,
    /// The aggregations' threads: their own, so that a frame's parallel work
    /// (on rayon's global pool) never waits behind a whole pass.
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Streaming {
    pub fn new(source: Source, wake: Arc<dyn Fn() + Send + Sync>) -> Streaming {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("pointillist-stream-{i}"))
            .build()
            .ok()
            .map(Arc::new);
        Streaming {
            source,
            job: None,
            wake,
            pool,
        }
    }

    /// Aggregate the view `x` × `y` of a `size` window (`scale` its UI scale)
    /// unless that is the aggregation running or done: a stale one is stopped.
    pub fn want(&mut self, x: (f64, f64), y: (f64, f64), size: (u32, u32), scale: f64, agg: Agg) {
        let key = Key { x, y, size, agg };
        if self.job.as_ref().is_some_and(|j| j.key == key) {
            return;
        }
        if let Some(old) = self.job.take() {
            old.watch.stop.store(true, Relaxed);
        }
        let figure = Figure {
            x_range: Some(x),
            y_range: Some(y),
            width: size.0,
            height: size.1,
            scale,
            agg,
            ..self.source.figure.clone()
        };
        let passes =
            1 + matches!(agg, Agg::Sum | Agg::Mean) as u64 + figure.filter.is_some() as u64;
        let read = Arc::new(AtomicU64::new(0));
        let load = LoadOptions {
            progress: Some(read.clone()),
            ..self.source.load.clone()
        };
        let watch = Arc::new(Watch::default());
        let done = Arc::new(Mutex::new(None));
        let (path, wake) = (self.source.path.clone(), self.wake.clone());
        let (w, d) = (watch.clone(), done.clone());
        let pool = self.pool.clone();
        std::thread::spawn(move || {
            let run = || stream_density_watched(&path, &load, &figure, Some((&w, &*wake)));
            let r = match pool {
                Some(pool) => pool.install(run),
                None => run(),
            };
            *d.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
            wake();
        });
        self.job = Some(Job {
            key,
            watch,
            read,
            passes,
            started: Instant::now(),
            done,
            first: None,
            pictures: 0,
            finished: None,
        });
    }

    /// The newest grid of the view asked for, if one came since the last
    /// call: the grid so far, or the finished one. A grid so far comes
    /// first even when the pass has just finished (the finished one is then
    /// the next call's), so that every view shows one before the last. An
    /// error of the aggregation (a bad file) is returned.
    pub fn poll(&mut self) -> Result<Option<Grid>> {
        let Some(job) = &mut self.job else {
            return Ok(None);
        };
        let mut done = job.done.lock().unwrap_or_else(|p| p.into_inner());
        if job.finished.is_none() {
            if let Some((grid, _)) = job.watch.take() {
                job.pictures += 1;
                job.first.get_or_insert(job.started.elapsed());
                if done.is_some() {
                    (self.wake)();
                }
                return Ok(Some(grid));
            }
        }
        let grid = match done.take() {
            Some(Ok(s)) => {
                let took = job.started.elapsed();
                job.finished = Some((took, s.points));
                eprintln!(
                    "view streamed: {} points in {}, {} pictures before (the first after {})",
                    fmt_count(s.points as usize),
                    fmt_duration(took),
                    job.pictures,
                    fmt_duration(job.first.unwrap_or(took))
                );
                Some(s.grid)
            }
            Some(Err(Error::Stopped)) | None => None,
            Some(Err(e)) => return Err(e),
        };
        if grid.is_some() {
            job.first.get_or_insert(job.started.elapsed());
        }
        Ok(grid)
    }

    /// For the title: how far the aggregation of the view has come.
    pub fn status(&self) -> String {
        match &self.job {
            None => String::new(),
            Some(Job {
                finished: Some((took, points)),
                ..
            }) => format!(
                " — streamed {} points in {}",
                fmt_count(*points as usize),
                fmt_duration(*took)
            ),
            Some(job) => {
                let total = (self.source.bytes * job.passes).max(1);
                let share = job.read.load(Relaxed) as f64 / total as f64;
                format!(" — refining: {:.0} % read", (share * 100.0).min(99.0))
            }
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if let Some(job) = &self.job {
            job.watch.stop.store(true, Relaxed);
        }
    }
}
