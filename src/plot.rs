//! A plot: one dataset on the GPU plus everything needed to draw a frame of
//! it in any mode, on either backend. The window, the PNG and the benchmark
//! all go through it, so the draw path can change from one frame to the next.
//!
//! - `derive` runs when values, range or colourmap change (GPU compute, or the
//!   CPU twin on the CPU backend); colours follow on either backend only when a
//!   frame draws instanced points;
//! - `prepare` picks the frame's mode and, for splat and density, fills the
//!   aggregate grid (GPU compute or CPU loops) and readies its shading;
//! - `draw` records the frame into any texture view.

use glam::DVec2;

use crate::aggregate::{self, Agg, Backend, GridMap, How, Mode, Quantiser};
use crate::camera::Camera;
use crate::colormap::Colormap;
use crate::derive::ValueSettings as Values;
use crate::derive::{colours_parallel, values_parallel, DeriveStats, ValueSettings};
use crate::error::Result;
use crate::frame::Style as FrameStyle;
use crate::gpu::Gpu;
use crate::overlay::AxesOptions;
use crate::overlay::{ColorScale, Overlay};
use crate::points::PointSet;
use crate::render::chunks::GpuPoints;
use crate::render::resolve::Shading;
use crate::render::splat::{Grid, Planes, SplatPipeline};
use crate::render::{draw_layer, Content, FrameView, Painter, Renderer, Style};

/// How frames are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotOptions {
    pub mode: Mode,
    pub backend: Backend,
    pub how: How,
    /// What density mode aggregates per pixel.
    pub agg: Agg,
    /// Spread isolated pixels over this radius (splat and density).
    pub spread: u32,
}

impl Default for PlotOptions {
    fn default() -> Self {
        Self {
            mode: Mode::Points,
            backend: Backend::Auto,
            how: How::EqHist,
            agg: Agg::Count,
            spread: 0,
        }
    }
}

/// The checked, internal form of a `Figure` for one set of points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Look {
    pub values: Values,
    pub colormap: Colormap,
    pub style: FrameStyle,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub axes: AxesOptions,
    pub plot: PlotOptions,
    /// A polygon (data coordinates) whose points are highlighted.
    pub selection: Option<Vec<[f64; 2]>>,
    /// A pixel whose read-out the frame reports.
    pub probe: Option<glam::DVec2>,
    /// The input row of each stored point, when they were sorted.
    pub rows: Option<std::sync::Arc<Vec<u32>>>,
    /// Coloured by these categories (the values are their codes).
    pub categories: Option<std::sync::Arc<crate::categories::Categories>>,
    /// Size by value: each point's disc size.
    pub sizes: Option<crate::sizes::Sizes>,
}

impl Look {
    /// `values` on `colormap` drawn as `plot` says, with the default style,
    /// no axes, the view fitted to the data, no selection and no probe: the
    /// bare frame the benchmark and the tests start from.
    pub fn plain(values: Values, colormap: Colormap, plot: PlotOptions) -> Look {
        Look {
            values,
            colormap,
            style: FrameStyle::default(),
            x_range: None,
            y_range: None,
            axes: AxesOptions {
                enabled: false,
                ..Default::default()
            },
            plot,
            selection: None,
            probe: None,
            rows: None,
            categories: None,
            sizes: None,
        }
    }

    /// The initial camera: the given ranges, the rest fitted to `bounds`.
    pub fn camera(&self, bounds: &crate::points::Bounds) -> Camera {
        let fit = Camera::fit(bounds);
        Camera::from_ranges(
            self.x_range.unwrap_or(fit.x_range()),
            self.y_range.unwrap_or(fit.y_range()),
        )
    }
}

/// Instanced discs cost about (size + 1)^2 pixels each; `auto` draws points while
/// the visible ones cost at most this many pixels, and splats beyond. On
/// lavapipe (2 cores, 1920x1080) 2-px discs and a splat cost the same at about
/// 35,000 points (30k: 24 vs 28 ms; 60k: 59 vs 28 ms a frame).
const POINT_BUDGET_HARDWARE: f64 = 64e6;
const POINT_BUDGET_SOFTWARE: f64 = 3e5;

/// What one plot leaves for the next on the same device: its compiled
/// pipelines and the colourmap texture (so painters made for it stay valid).
pub struct PlotParts {
    renderer: Renderer,
    splat: SplatPipeline,
}

pub struct Plot {
    pub points: PointSet,
    /// The points on the GPU: always on the GPU backend; on the CPU backend only
    /// once a frame draws instanced points.
    pub(crate) gpu_points: Option<GpuPoints>,
    chunk_points: Option<usize>,
    pub renderer: Renderer,
    pub values: ValueSettings,
    /// The value range of the last derive: the colour scale (None: no finite values).
    pub range: Option<(f32, f32)>,
    /// Min and max of the finite values, whatever the colour scale (None: none).
    pub data_range: Option<(f32, f32)>,
    /// What the last derive counted: points with no value, points left out.
    pub stats: DeriveStats,
    /// How many times values were derived (the viewer reports it: a camera
    /// move must never add one).
    pub derives: u64,
    pub opts: PlotOptions,
    /// The backend in use (never `Auto`).
    pub backend: Backend,
    software: bool,
    /// Most grid cells one storage binding holds: larger plot areas cannot splat.
    max_grid_cells: u64,
    /// The CPU backend's values.
    pub(crate) cpu_values: Vec<f32>,
    /// The CPU backend's last aggregate grid (before footprint and spread).
    cpu_cells: Vec<u32>,
    /// ... and, for a category mix, each pixel's mixed colour.
    cpu_mix: Vec<u32>,
    /// Coloured by these categories (the values are their codes).
    pub categories: Option<std::sync::Arc<crate::categories::Categories>>,
    /// Size by value: each point's disc size (the GPU's points carry them).
    sizes: Option<crate::sizes::Sizes>,
    /// The GPU backend derived values but not yet their colours (only instanced
    /// points need them).
    colours_stale: bool,
    splat: SplatPipeline,
    grid: Option<Grid>,
    /// The runs of points the last prepared points frame draws.
    point_runs: Vec<std::ops::Range<usize>>,
    /// A density grid made elsewhere (`Context::render_grid`): drawn instead
    /// of aggregating (the CPU backend's cells).
    pub given: Option<Vec<u32>>,
    /// The last splat or density frame prepared, and for what.
    prepared: Option<Prepared>,
}

/// What a splat or density frame's grid and shading were made for: a redraw
/// of the same view (a hover, a selection, the help) draws them again
/// without aggregating.
#[derive(Debug, Clone, PartialEq)]
struct PrepareKey {
    x: (f64, f64),
    y: (f64, f64),
    size: (u32, u32),
    mode: Mode,
    opts: PlotOptions,
    footprint: u32,
    /// The derive they were made after (values, range and colourmap).
    derives: u64,
}

struct Prepared {
    key: PrepareKey,
    shading: Shading,
    scale: ColorScale,
    reach: (u32, u32),
}

impl Plot {
    /// The colourbar of values over `range` under this plot's norm (or the
    /// legend of its categories).
    fn value_scale(&self, range: Option<(f32, f32)>) -> ColorScale {
        crate::shading::value_scale(self.categories.as_ref(), self.values.norm, range)
    }

    /// Whether density frames mix category colours.
    fn mixes(&self, mode: Mode) -> bool {
        mode == Mode::Density && self.categories.is_some()
    }

    /// Upload `points` (in chunks of at most `chunk_points`) and derive their colours.
    pub fn new(
        gpu: &Gpu,
        points: PointSet,
        look: &Look,
        chunk_points: Option<usize>,
    ) -> Result<Self> {
        let mut plot = Self::upload(gpu, points, look, chunk_points)?;
        plot.derive(gpu)?;
        Ok(plot)
    }

    /// Upload only; call [`Plot::derive`] before drawing.
    pub fn upload(
        gpu: &Gpu,
        points: PointSet,
        look: &Look,
        chunk_points: Option<usize>,
    ) -> Result<Self> {
        Self::upload_reusing(gpu, points, look, chunk_points, None)
    }

    /// [`Plot::upload`], reusing the pipelines of an earlier plot on the same device.
    pub fn upload_reusing(
        gpu: &Gpu,
        points: PointSet,
        look: &Look,
        chunk_points: Option<usize>,
        parts: Option<PlotParts>,
    ) -> Result<Self> {
        let (mut renderer, splat) = match parts {
            Some(PlotParts {
                mut renderer,
                splat,
            }) => {
                renderer.set_colormap(&gpu.queue, look.colormap.clone());
                (renderer, splat)
            }
            None => (
                Renderer::new(gpu, look.colormap.clone()),
                SplatPipeline::new(&gpu.device),
            ),
        };
        renderer.set_lut(&gpu.queue, look.categories.as_ref().map(|c| c.lut()));
        let software = gpu.is_software();
        let backend = match look.plot.backend {
            Backend::Auto if software => Backend::Cpu,
            Backend::Auto => Backend::Gpu,
            b => b,
        };
        let gpu_points = match backend {
            Backend::Cpu => None,
            _ => Some(Self::upload_points(
                gpu,
                &renderer,
                &points,
                chunk_points,
                &look.sizes,
            )?),
        };
        Ok(Self {
            points,
            gpu_points,
            chunk_points,
            renderer,
            values: look.values.clone(),
            range: None,
            data_range: None,
            stats: DeriveStats::EMPTY,
            derives: 0,
            opts: look.plot,
            backend,
            software,
            max_grid_cells: gpu.device.limits().max_storage_buffer_binding_size / 4,
            cpu_values: Vec::new(),
            cpu_cells: Vec::new(),
            cpu_mix: Vec::new(),
            categories: look.categories.clone(),
            sizes: look.sizes.clone(),
            colours_stale: false,
            splat,
            grid: None,
            point_runs: Vec::new(),
            given: None,
            prepared: None,
        })
    }

    /// The points on the GPU, with their sizes when they have them.
    fn upload_points(
        gpu: &Gpu,
        renderer: &Renderer,
        points: &PointSet,
        chunk_points: Option<usize>,
        sizes: &Option<crate::sizes::Sizes>,
    ) -> Result<GpuPoints> {
        let mut gp = GpuPoints::upload(gpu, renderer, points, chunk_points)?;
        if let Some(s) = sizes {
            gp.set_sizes(gpu, &s.factors);
        }
        Ok(gp)
    }

    /// The device-bound pipelines, for the next plot on the same device.
    pub fn into_parts(self) -> PlotParts {
        PlotParts {
            renderer: self.renderer,
            splat: self.splat,
        }
    }

    /// Values and colours for the current settings and colourmap.
    pub fn derive(&mut self, gpu: &Gpu) -> Result<()> {
        self.derives += 1;
        match (self.backend, &self.gpu_points) {
            (Backend::Cpu, _) => {
                // Values now; colours only when instanced points need them.
                let mut values = std::mem::take(&mut self.cpu_values);
                if values.len() != self.points.len() {
                    values = crate::mem::zeroed_vec(self.points.len());
                }
                self.stats = values_parallel(&self.points, &self.values, &mut values);
                self.range = self.values.colour_range(&self.stats);
                self.data_range = self.stats.range();
                self.cpu_values = values;
                if let Some(gp) = &self.gpu_points {
                    Self::upload_colours(
                        gpu,
                        gp,
                        &self.cpu_values,
                        (self.range, &self.values),
                        self.renderer.lut(),
                    );
                }
            }
            (_, Some(_)) => {
                let gp = self.gpu_points.as_mut().expect("matched above");
                // A derive reads positions relative to the data's origin.
                gp.restore(gpu, &self.points);
                gp.derive_values(gpu, &self.renderer, &self.values)?;
                self.colours_stale = true;
                self.stats = gp.read_stats(gpu)?;
                self.data_range = self.stats.range();
                self.range = self.values.colour_range(&self.stats);
            }
            (_, None) => unreachable!("the GPU backend uploads its points when made"),
        }
        crate::derive::check_norm(&self.values, self.data_range, &self.stats)
    }

    /// The GPU's positions of `runs` relative to an origin that resolves the
    /// view: the data's origin, or (a view finer than its pairs resolve) one
    /// near the view, so that every mode stays exact until f64 runs out.
    fn place(&mut self, gpu: &Gpu, view: &FrameView, runs: &[std::ops::Range<usize>]) {
        let Some(gp) = self.gpu_points.as_mut() else {
            return;
        };
        let origin = view
            .camera
            .pair_origin(&view.viewport, self.points.origin, gp.origin);
        if !gp.placed(origin, runs) {
            gp.rebase(gpu, &self.points, origin, runs);
        }
    }

    /// The points on the GPU, uploaded (with the CPU backend's colours) on first use.
    fn gpu_points(&mut self, gpu: &Gpu) -> Result<&GpuPoints> {
        if self.gpu_points.is_none() {
            let gp = Self::upload_points(
                gpu,
                &self.renderer,
                &self.points,
                self.chunk_points,
                &self.sizes,
            )?;
            Self::upload_colours(
                gpu,
                &gp,
                &self.cpu_values,
                (self.range, &self.values),
                self.renderer.lut(),
            );
            self.gpu_points = Some(gp);
        }
        Ok(self.gpu_points.as_ref().expect("uploaded above"))
    }

    /// The CPU backend's colours for `values`, written into the GPU's buffers.
    fn upload_colours(
        gpu: &Gpu,
        gp: &GpuPoints,
        values: &[f32],
        (range, settings): (Option<(f32, f32)>, &ValueSettings),
        lut: &[[u8; 4]; crate::colormap::LUT_SIZE],
    ) {
        let mut colours = vec![0u32; values.len()];
        let table = settings.norm_table(range);
        let extremes = (&settings.extremes, table.as_deref());
        colours_parallel(values, range, lut, extremes, &mut colours);
        gp.write_derived(gpu, values, &colours);
    }

    /// Show category entry `k` if it is hidden, hide it if not.
    pub fn toggle_category(&mut self, gpu: &Gpu, k: usize) -> Result<()> {
        let Some(c) = &self.categories else {
            return Ok(());
        };
        let c = std::sync::Arc::new(c.toggled(k));
        self.renderer.set_lut(&gpu.queue, Some(c.lut()));
        self.categories = Some(c);
        self.derive(gpu)
    }

    /// Change the colourmap (a plot coloured by categories keeps its palette).
    pub fn set_colormap(&mut self, gpu: &Gpu, colormap: Colormap) -> Result<()> {
        if self.values.categories.is_some() {
            return Ok(());
        }
        self.renderer.set_colormap(&gpu.queue, colormap);
        self.derive(gpu)
    }

    /// The mode a frame of `view` is drawn in: `auto` becomes points or splat.
    pub fn frame_mode(&self, view: &FrameView, point_size: f32) -> Mode {
        if self.opts.mode != Mode::Auto {
            return self.opts.mode;
        }
        let visible = self.points.len() as f64 * visible_fraction(&self.points, &view.camera);
        let cells = view.viewport.size.x as u64 * view.viewport.size.y as u64;
        let budget = if self.software {
            POINT_BUDGET_SOFTWARE
        } else {
            POINT_BUDGET_HARDWARE
        };
        match auto_mode(visible, point_size, budget, cells, self.max_grid_cells) {
            // A splat keeps one value a pixel: categories mix instead.
            Mode::Splat if self.categories.is_some() => Mode::Density,
            mode => mode,
        }
    }

    /// Get the frame ready to draw in `mode` (`point_size` sets the splat's
    /// footprint); returns what its colourbar shows.
    pub fn prepare(
        &mut self,
        gpu: &Gpu,
        painter: &mut Painter,
        view: &FrameView,
        mode: Mode,
        point_size: f32,
    ) -> Result<ColorScale> {
        if mode == Mode::Points || mode == Mode::Auto {
            self.gpu_points(gpu)?;
            // The tiles that meet the view, grown by a disc's radius.
            let margin = (point_size as f64 * 0.5 + 1.0)
                * view.camera.per_pixel(&view.viewport).max_element();
            let runs = self.points.visible_runs(view_bounds(&view.camera, margin));
            self.place(gpu, view, &runs);
            self.point_runs = runs;
            if std::mem::take(&mut self.colours_stale) {
                let gp = self.gpu_points.as_ref().expect("uploaded above");
                let table = self.values.norm_table(self.range);
                gp.derive_colours(gpu, &self.renderer, table.as_deref());
            }
            return Ok(self.value_scale(self.range));
        }
        // Density keeps Datashader's one-pixel bins; splatted points cover their size.
        let footprint = if mode == Mode::Splat {
            aggregate::footprint(point_size)
        } else {
            1
        };
        let key = PrepareKey {
            x: view.camera.x_range(),
            y: view.camera.y_range(),
            size: (view.viewport.size.x as u32, view.viewport.size.y as u32),
            mode,
            opts: self.opts,
            footprint,
            derives: self.derives,
        };
        if let (Some(p), Some(grid)) = (&self.prepared, &self.grid) {
            if p.key == key && self.given.is_none() {
                painter
                    .resolve
                    .prepare(gpu, grid, view, &p.shading, p.reach);
                return Ok(p.scale.clone());
            }
        }
        self.prepared = None;
        let agg = self.frame_agg(mode);
        self.aggregate(gpu, view, mode, agg)?;
        let cells = (self.backend == Backend::Cpu).then_some(self.cpu_cells.as_slice());
        let grid = self.grid.as_ref().expect("aggregate made the grid");
        let (shading, scale) = crate::shading::shade(
            mode,
            agg,
            self.mixes(mode),
            &self.values,
            self.range,
            self.categories.as_ref(),
            self.opts.how,
            |agg| self.how_thresholds(gpu, grid, cells, agg),
            || match cells {
                Some(cells) => Ok(aggregate::extremes(cells)),
                None => grid.extremes(gpu, &self.splat),
            },
        )?;
        let mut reach = aggregate::reach(footprint, self.opts.spread);
        if let (Some(cells), true) = (cells, self.mixes(mode)) {
            grid.upload_mix(gpu, cells, &self.cpu_mix);
        } else if let Some(cells) = cells {
            // The CPU backend applies the window itself (exactly as resolve.wgsl
            // would: the same image) where software rasterisers pay dearly for
            // the shader's loop.
            if reach == (0, 0) {
                grid.upload(gpu, cells);
            } else {
                let size = [grid.size.0, grid.size.1];
                grid.upload(gpu, &aggregate::window_max(cells, size, reach));
                reach = (0, 0);
            }
        }
        painter.resolve.prepare(gpu, grid, view, &shading, reach);
        self.prepared = Some(Prepared {
            key,
            shading,
            scale: scale.clone(),
            reach,
        });
        Ok(scale)
    }

    /// The density shading table of `agg`'s grid through `how`: from the CPU
    /// backend's `cells`, or the GPU grid (read back only where `how` needs
    /// every cell, else its extremes).
    fn how_thresholds(
        &self,
        gpu: &Gpu,
        grid: &Grid,
        cells: Option<&[u32]>,
        agg: Agg,
    ) -> Result<[u32; crate::colormap::LUT_SIZE]> {
        let how = self.opts.how;
        Ok(match cells {
            Some(cells) => aggregate::thresholds(agg, how, cells),
            None if aggregate::needs_grid(how) => aggregate::thresholds(agg, how, &grid.read(gpu)?),
            None => match grid.extremes(gpu, &self.splat)? {
                Some((lo, hi)) => aggregate::thresholds_between(agg, how, lo, hi),
                None => [u32::MAX; crate::colormap::LUT_SIZE],
            },
        })
    }

    /// What a splat or density frame aggregates: splat keeps the highest value.
    fn frame_agg(&self, mode: Mode) -> Agg {
        if mode == Mode::Splat {
            Agg::Max
        } else {
            self.opts.agg
        }
    }

    /// Fill the grid for `view`: on the GPU, or (the CPU backend) into
    /// `cpu_cells` for `prepare` to upload.
    fn aggregate(&mut self, gpu: &Gpu, view: &FrameView, mode: Mode, agg: Agg) -> Result<()> {
        let size = (view.viewport.size.x as u32, view.viewport.size.y as u32);
        let mix = self.mixes(mode);
        // The CPU backend uploads finished cells: its GPU grid needs no sum planes.
        let planes = if mix {
            Planes::Mix
        } else if agg.sums() && self.backend != Backend::Cpu {
            Planes::Sums
        } else {
            Planes::None
        };
        if self
            .grid
            .as_ref()
            .is_none_or(|g| g.size != size || g.planes_for != planes)
        {
            self.grid = Some(Grid::new(
                gpu,
                &self.splat,
                self.gpu_points.as_ref(),
                size,
                planes,
            )?);
        }
        if let Some(cells) = &self.given {
            self.cpu_cells = cells.clone();
            return Ok(());
        }
        // Only the tiles that meet the view: a grid holds nothing from outside it.
        let runs = self.points.visible_runs(view_bounds(&view.camera, 0.0));
        if self.backend != Backend::Cpu {
            self.place(gpu, view, &runs);
        }
        let origin = self
            .gpu_points
            .as_ref()
            .map_or(self.points.origin, |g| g.origin);
        let grid = self.grid.as_ref().expect("grid was just made");
        let map = GridMap::new(&view.camera, origin, size);
        let q = Quantiser::new(self.data_range);
        let palette = || self.renderer.lut().map(u32::from_le_bytes);
        match self.backend {
            Backend::Cpu => {
                let input = aggregate::Input {
                    positions: aggregate::Positions::Exact(&self.points.xy),
                    runs,
                };
                if mix {
                    let cells = aggregate::mix(&input, &self.cpu_values, &palette(), &map);
                    (self.cpu_cells, self.cpu_mix) = aggregate::finalise_mix(&cells);
                } else {
                    self.cpu_cells = aggregate::density(agg, &input, &self.cpu_values, &map, &q)
                }
            }
            _ if mix => grid.aggregate_mix(gpu, &self.splat, &map, &runs, &palette()),
            _ => grid.aggregate(gpu, &self.splat, &map, &runs, agg, &q),
        }
        Ok(())
    }

    /// The aggregate grid of the last splat or density frame (row 0 at the top).
    pub fn read_grid(&self, gpu: &Gpu) -> Result<Option<(u32, u32, Vec<u32>)>> {
        let Some(g) = &self.grid else { return Ok(None) };
        let cells = match self.backend {
            Backend::Cpu => self.cpu_cells.clone(),
            _ => g.read(gpu)?,
        };
        Ok(Some((g.size.0, g.size.1, cells)))
    }

    /// The mixed colours of the last category mix (packed RGB, row 0 at the
    /// top), beside the counts of [`Plot::read_grid`]; None for any other frame.
    pub fn read_mix(&self, gpu: &Gpu) -> Result<Option<Vec<u32>>> {
        let Some(g) = &self.grid else { return Ok(None) };
        if g.planes_for != Planes::Mix {
            return Ok(None);
        }
        Ok(Some(match self.backend {
            Backend::Cpu => self.cpu_mix.clone(),
            _ => g.read_mix(gpu)?,
        }))
    }

    /// Draw the prepared frame into `target` and submit.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        gpu: &Gpu,
        painter: &mut Painter,
        mode: Mode,
        view: &FrameView,
        style: &Style,
        overlay: Option<&Overlay>,
        target: &wgpu::TextureView,
    ) -> Result<()> {
        self.draw_layer(gpu, painter, mode, view, style, overlay, target, true)
    }

    /// [`Plot::draw`], over what `target` holds unless `clear`.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_layer(
        &self,
        gpu: &Gpu,
        painter: &mut Painter,
        mode: Mode,
        view: &FrameView,
        style: &Style,
        overlay: Option<&Overlay>,
        target: &wgpu::TextureView,
        clear: bool,
    ) -> Result<()> {
        let content = match (mode, &self.gpu_points) {
            (Mode::Splat | Mode::Density, _) => Content::Grid,
            (_, Some(gp)) => Content::Points(gp, Some(&self.point_runs)),
            (_, None) => unreachable!("prepare uploads the points for a points frame"),
        };
        draw_layer(gpu, painter, content, view, style, overlay, target, clear)
    }
}

/// The rule of `auto`: points while `visible` discs cost at most `budget`
/// pixels, splat beyond — unless the plot area has more `cells` than one
/// grid buffer holds.
pub fn auto_mode(visible: f64, point_size: f32, budget: f64, cells: u64, max_cells: u64) -> Mode {
    if cells > max_cells {
        return Mode::Points; // a plot area this large has no room for a grid
    }
    if visible * (point_size as f64 + 1.0).powi(2) <= budget {
        Mode::Points
    } else {
        Mode::Splat
    }
}

/// The camera's rectangle grown by `margin` data units on every side.
pub(crate) fn view_bounds(camera: &crate::camera::Camera, margin: f64) -> crate::points::Bounds {
    let (x0, x1) = camera.x_range();
    let (y0, y1) = camera.y_range();
    crate::points::Bounds {
        min: glam::DVec2::new(x0 - margin, y0 - margin),
        max: glam::DVec2::new(x1 + margin, y1 + margin),
    }
}

/// Share of the data's bounds inside the camera's view (1 for degenerate bounds).
pub(crate) fn visible_fraction(points: &PointSet, camera: &crate::camera::Camera) -> f64 {
    let b = points.bounds;
    if b.is_empty() {
        return 0.0;
    }
    let size = b.size();
    let (x0, x1) = camera.x_range();
    let (y0, y1) = camera.y_range();
    let lo = DVec2::new(x0, y0).max(b.min);
    let hi = DVec2::new(x1, y1).min(b.max);
    let axis = |lo: f64, hi: f64, extent: f64| {
        if extent > 0.0 {
            ((hi - lo) / extent).clamp(0.0, 1.0)
        } else if hi >= lo {
            1.0
        } else {
            0.0
        }
    };
    axis(lo.x, hi.x, size.x) * axis(lo.y, hi.y, size.y)
}

impl crate::probe::Sampled for Plot {
    fn points(&self) -> &PointSet {
        &self.points
    }

    /// The CPU backend's own values, else the CPU twin's.
    fn values_of(&self, idx: &[usize]) -> Vec<f32> {
        if self.backend == Backend::Cpu && self.cpu_values.len() == self.points.len() {
            idx.iter().map(|&i| self.cpu_values[i]).collect()
        } else if idx.is_empty() {
            vec![]
        } else {
            crate::derive::values_at(&self.points, &self.values, idx)
        }
    }

    fn agg(&self) -> Agg {
        self.opts.agg
    }

    fn categories(&self) -> Option<&crate::categories::Categories> {
        self.categories.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_draws_points_up_to_each_budget_and_splats_beyond() {
        let cells = 1920 * 1080;
        let max = 1 << 25;
        // 2-px discs cost 9 pixels: the software budget holds 33,333 of them.
        assert_eq!(
            auto_mode(33_333.0, 2.0, POINT_BUDGET_SOFTWARE, cells, max),
            Mode::Points
        );
        assert_eq!(
            auto_mode(33_334.0, 2.0, POINT_BUDGET_SOFTWARE, cells, max),
            Mode::Splat
        );
        // The hardware budget is far larger.
        assert_eq!(
            auto_mode(33_334.0, 2.0, POINT_BUDGET_HARDWARE, cells, max),
            Mode::Points
        );
        assert_eq!(
            auto_mode(64e6 / 9.0, 2.0, POINT_BUDGET_HARDWARE, cells, max),
            Mode::Points
        );
        assert_eq!(
            auto_mode(64e6 / 9.0 + 1.0, 2.0, POINT_BUDGET_HARDWARE, cells, max),
            Mode::Splat
        );
        // Smaller discs cost less: 75,000 1-px discs (4 px each) on software.
        assert_eq!(
            auto_mode(75_000.0, 1.0, POINT_BUDGET_SOFTWARE, cells, max),
            Mode::Points
        );
        assert_eq!(
            auto_mode(75_001.0, 1.0, POINT_BUDGET_SOFTWARE, cells, max),
            Mode::Splat
        );
        // No grid fits: points whatever the count.
        assert_eq!(
            auto_mode(1e9, 2.0, POINT_BUDGET_SOFTWARE, max + 1, max),
            Mode::Points
        );
    }
}
