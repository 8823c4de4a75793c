//! The crate's one error type. Every message says what went wrong and, where
//! it can, what to do about it; `main` prints it on one line and exits non-zero.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no GPU adapter found; install a Vulkan driver (on Debian: apt-get install mesa-vulkan-drivers libvulkan1) or pick another backend with WGPU_BACKEND=vulkan|gl")]
    NoAdapter,
    #[error("could not create the GPU device on {adapter}: {reason}")]
    Device { adapter: String, reason: String },
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Bad user input: flags, sizes, names. The message is complete.
    #[error("{0}")]
    Input(String),
    #[error("could not write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not encode PNG: {0}")]
    Png(String),
    #[error(transparent)]
    Load(#[from] crate::io::LoadError),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Shorthand for an [`Error::Input`].
pub fn input(msg: impl Into<String>) -> Error {
    Error::Input(msg.into())
}
