//! The outputs of a render as plain data: an RGBA8 [`Image`] and the
//! per-pixel aggregate [`Grid`] of a splat or density frame.

use std::path::Path;

use crate::aggregate::{ordered, unordered};
use crate::error::{Error, Result};
use crate::options::Agg;
use crate::render::target::{encode_png, read_png, write_png};

/// A rendered picture: `width * height` RGBA pixels, row 0 at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGBA bytes, 4 a pixel, rows top to bottom.
    pub rgba: Vec<u8>,
}

impl Image {
    /// The pixel at column `x`, row `y` (row 0 at the top); `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.rgba[i..i + 4].try_into().ok()
    }

    /// The image encoded as PNG bytes (RGBA, 8 bits a channel).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        encode_png(self.width, self.height, &self.rgba)
    }

    /// Writes the image as a PNG file at `path` (the only file touched; it is
    /// written once the image is encoded).
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<()> {
        write_png(path.as_ref(), self.width, self.height, &self.rgba)
    }

    /// Reads an 8-bit RGBA or RGB PNG, such as one [`Image::save_png`] wrote.
    pub fn open_png(path: impl AsRef<Path>) -> Result<Image> {
        let (width, height, rgba) = read_png(path.as_ref())?;
        Ok(Image {
            width,
            height,
            rgba,
        })
    }
}

/// The cells of a [`Grid`].
#[derive(Debug, Clone, PartialEq)]
pub enum GridData {
    /// Points per pixel (density mode, count).
    Counts(Vec<u32>),
    /// The aggregate of the values per pixel — the splat's winning value, or
    /// density's sum, mean, min or max — NaN where no point fell.
    Values(Vec<f32>),
}

/// The per-pixel aggregate behind a splat or density frame: `height` rows of
/// `width` cells covering the plot area, row 0 at the top (what
/// `--export-aggregate` writes).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Cells a row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// What each cell holds: `Count`, or the aggregate of the values (`Max` for a splat).
    pub agg: Agg,
    /// The cells.
    pub data: GridData,
}

impl Grid {
    /// A grid from the raw cells of a frame: counts, or `ordered` value keys (0 = empty).
    pub(crate) fn from_cells(width: u32, height: u32, agg: Agg, cells: Vec<u32>) -> Grid {
        let data = if agg == Agg::Count {
            GridData::Counts(cells)
        } else {
            GridData::Values(
                cells
                    .iter()
                    .map(|&c| if c == 0 { f32::NAN } else { unordered(c) })
                    .collect(),
            )
        };
        Grid {
            width,
            height,
            agg,
            data,
        }
    }

    /// A grid of counts (density `count`) or of one aggregate of values (NaN
    /// where no point fell), `height` rows of `width`, row 0 at the top.
    pub fn new(width: u32, height: u32, agg: Agg, data: GridData) -> Result<Grid> {
        let grid = Grid {
            width,
            height,
            agg,
            data,
        };
        grid.check()?;
        Ok(grid)
    }

    /// Whether the cells fill the grid and are what its aggregate makes.
    pub(crate) fn check(&self) -> Result<()> {
        let (w, h) = (self.width, self.height);
        let n = match &self.data {
            GridData::Counts(c) => c.len(),
            GridData::Values(v) => v.len(),
        };
        if n != w as usize * h as usize {
            return Err(crate::error::input(format!("{n} cells for a {w}x{h} grid")));
        }
        if matches!(self.data, GridData::Counts(_)) != (self.agg == Agg::Count) {
            return Err(crate::error::input(format!(
                "a {} grid holds {}",
                self.agg.name(),
                if self.agg == Agg::Count {
                    "counts"
                } else {
                    "values"
                }
            )));
        }
        Ok(())
    }

    /// The raw cells the renderer shades: counts, or `ordered` keys (0 = empty).
    pub(crate) fn cells(&self) -> Vec<u32> {
        match &self.data {
            GridData::Counts(c) => c.clone(),
            GridData::Values(v) => v
                .iter()
                .map(|&v| if v.is_nan() { 0 } else { ordered(v) })
                .collect(),
        }
    }

    /// Writes the grid as a NumPy `.npy` file, `height x width`: `uint32`
    /// counts or `float32` values.
    pub fn save_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match &self.data {
            GridData::Counts(c) => crate::io::write_npy_u32(path, self.height, self.width, c),
            GridData::Values(v) => crate::io::write_npy_f32(path, self.height, self.width, v),
        }
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}
