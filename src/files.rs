//! Files the program makes for the user: always new ones, never overwriting.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{input, Error, Result};

/// Writes `bytes` to the first `STEM-NNNN.EXT` in `dir` that does not exist
/// yet (created exclusively, so nothing is ever overwritten); returns its path.
pub fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
    for n in 1..=99_999 {
        let path = dir.join(format!("{stem}-{n:04}.{ext}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                return file
                    .write_all(bytes)
                    .map(|_| path.clone())
                    .map_err(|source| Error::Write { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(Error::Write { path, source }),
        }
    }
    Err(input(format!(
        "{} already holds 99,999 {stem} files; write them elsewhere",
        dir.display()
    )))
}
