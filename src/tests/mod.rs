//! Tests that need the crate's internals: GPU results against their CPU
//! twins (values, colours, grids, shading, discs), shader layouts, the
//! overlay, user expressions on the GPU, and loader fuzzing. Tests of the public API are in tests/.

mod aggregate;
mod common;
mod context;
mod expr;
mod frames;
mod fuzz_loaders;
mod gpu;
mod overlay;
mod select;
mod shaders;
