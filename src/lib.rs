//! pointillist: a GPU-accelerated 2D point renderer.
//!
//! Data flows one way: a source (generator or file) makes a [`points::PointSet`];
//! [`render::chunks::GpuPoints`] uploads it; a compute pass (shaders/derive.wgsl,
//! CPU twin in [`derive`]) gives each point a value and a colour; an instanced
//! draw (shaders/points.wgsl) paints it into any texture view, seen through a
//! [`camera::Camera`]. See ARCHITECTURE.md for the map.

pub mod aggregate;
pub mod app;
pub mod bench;
pub mod camera;
pub mod cli;
pub mod colormap;
pub mod derive;
pub mod error;
pub mod gpu;
pub mod headless;
pub mod io;
pub mod mem;
pub mod overlay;
pub mod parity;
pub mod plot;
pub mod points;
pub mod reference;
pub mod render;
pub mod sort;
pub mod source;
pub mod ticks;

pub use error::{Error, Result};
