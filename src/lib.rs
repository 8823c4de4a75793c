//! pointillist: a GPU-accelerated 2D point renderer. Give it millions of
//! (x, y) points and a per-point value; it colours each point from a
//! matplotlib colourmap on the GPU and draws them as discs — or, for tens of
//! millions, as a compute-rasterised splat or a Datashader-style density
//! image — with axes, ticks, labels and a colourbar, into a PNG or a window.
//!
//! # I have two `Vec<f64>`
//!
//! ```
//! use pointillist::{Context, Figure, Points};
//!
//! let x: Vec<f64> = (0..100_000).map(|i| (i as f64 * 0.001).sin() * i as f64).collect();
//! let y: Vec<f64> = (0..100_000).map(|i| (i as f64 * 0.001).cos() * i as f64).collect();
//! let positions: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a + b).collect();
//!
//! let points = Points::new(&x, &y)?.with_column("x+y", &positions)?;
//! let figure = Figure {
//!     width: 640,
//!     height: 400,
//!     title: Some("100,000 points".into()),
//!     ..Figure::default()
//! };
//! let mut ctx = Context::new()?; // the GPU device: make one, reuse it
//! let image = ctx.render(&points, &figure)?;
//! # let dir = std::env::temp_dir().join(format!("pointillist-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("scatter.png");
//! image.save_png(&path)?;
//! # Ok::<(), pointillist::Error>(())
//! ```
//!
//! - [`Points`]: x and y from your slices (`f64`, `f32`, `i32`, `u32`), value
//!   columns by name, the built-in generators ([`Points::generate`]) and the
//!   file loaders ([`Points::load`]: `.npy`, CSV, Parquet, raw records).
//! - [`Figure`]: what to draw — [`Value`], [`Colormap`], range, [`Mode`],
//!   [`Agg`], [`How`], spread, point size, opacity, [`Color`], view ranges,
//!   titles, grid, axes — a plain struct with `Default`.
//! - [`Context`]: the GPU device and pipelines; [`Context::render`] gives an
//!   [`Image`], [`Context::render_frame`] also the aggregate [`Grid`].
//! - [`view`]: the interactive window on a figure.
//! - [`Error`]: the one error type; no input through the API panics.
//!
//! Layers, top to bottom (a layer uses only those below it): front ends (the
//! `pointillist` command, the viewer, the benchmark) → this API (context,
//! figure, data, image) → plot → render (wgpu passes beside their WGSL) and
//! the CPU twins (derive, aggregate, reference) → points, io, camera,
//! colormap, ticks, overlay layout → gpu. See ARCHITECTURE.md.

#![warn(missing_docs)]

mod aggregate;
mod app;
mod camera;
mod categories;
mod colormap;
mod context;
mod convert;
mod cpu;
mod data;
mod derive;
mod error;
mod expr;
mod figure;
mod files;
mod frame;
mod gpu;
mod highlight;
mod image;
mod io;
mod keys;
mod log_ticks;
mod mem;
mod options;
mod overlay;
mod parity;
mod pick;
mod plot;
mod points;
mod probe;
#[cfg(test)]
mod reference;
mod render;
mod select;
mod shading;
mod sizes;
mod sort;
pub mod stream;
mod text;
mod ticks;
mod value;

#[doc(hidden)]
pub mod bench;

#[cfg(test)]
mod tests;

pub use app::{view, view_stream, ViewOptions};
pub use colormap::{Colormap, Norm, NAMES as COLORMAPS};
pub use context::{Context, Frame, Timings};
pub use convert::{convert, Converted, ROW_GROUP};
pub use data::{BadFiles, Coordinate, Format, LoadOptions, Points, RawLayout, MAX_POINTS};
pub use error::{Error, LoadError, Result};
pub use expr::{expression_columns, ExprError};
pub use figure::{Color, Figure, Value, MAX_SIDE};
pub use image::{Grid, GridData, Image};
pub use mem::{heap_bytes, peak_resident_bytes, CountingAlloc};
pub use options::{Agg, Backend, Dataset, How, Mode};
pub use select::Selection;
pub use stream::{stream_density, stream_density_watched, Streamed, Watch};
