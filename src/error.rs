//! The crate's one error type. Every message says what went wrong and, where
//! it can, what to do about it; the `pointillist` command prints it on one
//! line and exits non-zero.

use std::path::PathBuf;

pub use crate::io::LoadError;

/// Everything that can go wrong in pointillist.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No GPU adapter (not even a software one such as lavapipe).
    #[error("no GPU adapter found; install a Vulkan driver (on Debian: apt-get install mesa-vulkan-drivers libvulkan1), pick another wgpu backend with WGPU_BACKEND=vulkan|gl, or make the frame on the CPU with --backend cpu")]
    NoAdapter,
    /// The adapter refused to make a device.
    #[error("could not create the GPU device on {adapter}: {reason}")]
    Device {
        /// The adapter's name.
        adapter: String,
        /// What wgpu said.
        reason: String,
    },
    /// A GPU operation failed (out of memory, device lost, a window that cannot be drawn into).
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Bad input: a setting, size, name or argument. The message is complete.
    #[error("{0}")]
    Input(String),
    /// A file could not be written.
    #[error("could not write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// PNG encoding or decoding failed.
    #[error("could not encode PNG: {0}")]
    Png(String),
    /// A value or filter expression that does not compile: the message, then
    /// the expression with a caret under the column.
    #[error("{role}: {error}")]
    Expression {
        /// `value` or `filter`.
        role: &'static str,
        /// What is wrong, and where.
        error: crate::expr::ExprError,
    },
    /// A data file could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A streamed aggregation stopped by its [`crate::stream::Watch`] before it finished.
    #[error("the streamed aggregation was stopped before it finished")]
    Stopped,
}

/// `Result` with pointillist's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Shorthand for an [`Error::Input`].
pub(crate) fn input(msg: impl Into<String>) -> Error {
    Error::Input(msg.into())
}
