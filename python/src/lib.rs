//! `pointillist._core`: the Python extension. A thin layer over the library
//! API (`pointillist::Context`, `Points`, `Figure`): numpy arrays in,
//! RGBA arrays, PNG bytes and grids out. The Python package
//! (`python/pointillist/__init__.py`) checks and shapes the arguments; this
//! module turns them into a figure, renders on one device for the process
//! with the GIL released, and maps every error onto a Python exception.

use std::sync::Mutex;

use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use pointillist::{Color, Context, Error, Figure, Grid, GridData, Points, Value, ViewOptions};

/// The process's device, made on first use and reused by every render.
static CONTEXT: Mutex<Option<Context>> = Mutex::new(None);

/// The library's errors as Python exceptions: what the user gave is a
/// `ValueError` (with the CLI's message), a missing or failing device a
/// `RuntimeError`.
fn py_error(e: Error) -> PyErr {
    match e {
        Error::Gpu(_) => PyRuntimeError::new_err(e.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// x or y: a contiguous 1-D float64 or float32 array (the Python layer
/// converts anything else first).
enum Coords<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    F32(PyReadonlyArray1<'py, f32>),
}

impl<'py> Coords<'py> {
    fn extract(name: &str, a: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = a.cast::<PyArray1<f64>>() {
            return Ok(Coords::F64(a.readonly()));
        }
        if let Ok(a) = a.cast::<PyArray1<f32>>() {
            return Ok(Coords::F32(a.readonly()));
        }
        Err(PyTypeError::new_err(format!(
            "{name} must be a 1-D float32 or float64 numpy array"
        )))
    }
}

fn slice<'a, T: numpy::Element>(name: &str, a: &'a PyReadonlyArray1<'_, T>) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be a contiguous array")))
}

/// The points of `x`, `y` and the named float32 `columns` (copied into the
/// renderer's layout: f64 (x, y) pairs; nothing else is copied).
fn points(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    columns: &Bound<'_, PyDict>,
) -> PyResult<Points> {
    // Points::new checks the lengths (with the library's message).
    let (x, y) = (Coords::extract("x", x)?, Coords::extract("y", y)?);
    let mut cols = Vec::new();
    for (name, values) in columns.iter() {
        let name: String = name.extract()?;
        let values = values
            .cast::<PyArray1<f32>>()
            .map_err(|_| {
                PyTypeError::new_err(format!("column '{name}' must be a 1-D float32 array"))
            })?
            .readonly();
        cols.push((name, values));
    }
    let mut p = match (&x, &y) {
        (Coords::F64(a), Coords::F64(b)) => {
            let (a, b) = (slice("x", a)?, slice("y", b)?);
            py.detach(|| Points::new(a, b))
        }
        (Coords::F32(a), Coords::F32(b)) => {
            let (a, b) = (slice("x", a)?, slice("y", b)?);
            py.detach(|| Points::new(a, b))
        }
        _ => return Err(PyTypeError::new_err("x and y must have the same dtype")),
    }
    .map_err(py_error)?;
    for (name, values) in &cols {
        let v = slice(name, values)?;
        p = p.with_column(name, v).map_err(py_error)?;
    }
    Ok(p)
}

fn get<'py, T: FromPyObjectOwned<'py>>(s: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>> {
    match s.get_item(key)? {
        Some(v) if !v.is_none() => v
            .extract()
            .map(Some)
            .map_err(|_| PyTypeError::new_err(format!("{key}: wrong type ({})", v.get_type()))),
        _ => Ok(None),
    }
}

fn parsed<T: std::str::FromStr<Err = Error>>(
    s: &Bound<'_, PyDict>,
    key: &str,
) -> PyResult<Option<T>> {
    get::<String>(s, key)?
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| PyValueError::new_err(format!("{key}: {e}")))
        })
        .transpose()
}

/// `v` replaces `field` when the Python layer gave it.
fn keep<T>(field: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *field = v;
    }
}

/// A figure from the settings the Python layer passes (its keyword names).
fn figure(s: &Bound<'_, PyDict>) -> PyResult<Figure> {
    let mut f = Figure::default();
    keep(&mut f.width, get(s, "width")?);
    keep(&mut f.height, get(s, "height")?);
    if let Some(c) = get::<String>(s, "column")? {
        f.value = Value::Column(c);
    } else if let Some(e) = get::<String>(s, "expr")? {
        f.value = Value::expr(e);
    }
    f.filter = get(s, "filter")?;
    keep(&mut f.time, get(s, "time")?);
    match get::<Vec<String>>(s, "cmap_colors")? {
        // A list of colours, as matplotlib's LinearSegmentedColormap.from_list.
        Some(list) => {
            let colours = list
                .iter()
                .map(|c| Color::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PyValueError::new_err(format!("cmap: {e}")))?;
            f.colormap = pointillist::Colormap::from_colors("custom", &colours)
                .map_err(|e| PyValueError::new_err(format!("cmap: {e}")))?;
        }
        None => keep(&mut f.colormap, parsed(s, "cmap")?),
    }
    let (vmin, vmax): (Option<f64>, Option<f64>) = (get(s, "vmin")?, get(s, "vmax")?);
    f.range = match (vmin, vmax) {
        (None, None) => None,
        (Some(lo), Some(hi)) => Some((lo, hi)),
        _ => return Err(PyValueError::new_err("give both vmin and vmax, or neither")),
    };
    keep(&mut f.mode, parsed(s, "mode")?);
    keep(&mut f.backend, parsed(s, "backend")?);
    keep(&mut f.agg, parsed(s, "agg")?);
    keep(&mut f.how, parsed(s, "how")?);
    keep(&mut f.norm, parsed(s, "norm")?);
    keep(&mut f.spread, get(s, "spread")?);
    keep(&mut f.point_size, get(s, "s")?);
    keep(&mut f.opacity, get(s, "alpha")?);
    keep(&mut f.scale, get(s, "scale")?);
    let colour = |key: &str| -> PyResult<Option<Color>> {
        get::<String>(s, key)?
            .map(|c| Color::parse(&c).map_err(|e| PyValueError::new_err(format!("{key}: {e}"))))
            .transpose()
    };
    if let Some(b) = colour("background")? {
        f.background = b;
    }
    // matplotlib's Colormap.set_under / set_over / set_bad.
    f.under = colour("under")?;
    f.over = colour("over")?;
    f.bad = colour("bad")?;
    f.x_range = get(s, "x_range")?;
    f.y_range = get(s, "y_range")?;
    f.title = get(s, "title")?;
    f.x_label = get(s, "xlabel")?;
    f.y_label = get(s, "ylabel")?;
    keep(&mut f.grid, get(s, "grid")?);
    keep(&mut f.axes, get(s, "axes")?);
    f.category = get(s, "category")?;
    f.size_by = get(s, "size_by")?;
    keep(&mut f.size_range, get(s, "size_range")?);
    f.category_colors = get::<Vec<String>>(s, "category_colors")?
        .map(|c| {
            c.iter()
                .map(|c| Color::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| PyValueError::new_err(format!("category_colors: {e}")))
        })
        .transpose()?;
    Ok(f)
}

/// Run `f` on the process's context (made on first use) in a worker thread,
/// the GIL released; every 50 ms the caller checks for signals, so Ctrl-C
/// raises `KeyboardInterrupt` at once (the frame in flight finishes in the
/// background and is dropped).
fn with_context<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce(&mut Context) -> pointillist::Result<T> + Send + 'static,
) -> PyResult<T> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("pointillist render".into())
        .spawn(move || {
            let mut guard = CONTEXT.lock().unwrap_or_else(|p| p.into_inner());
            let result = f(guard.get_or_insert_with(Context::auto));
            let _ = send.send(result);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("could not start a render thread: {e}")))?;
    let mut receive = Some(receive);
    loop {
        // The receiver is Send but not Sync: it goes into the GIL-free closure and back.
        let r = receive.take().expect("put back every round");
        let (got, r) = py.detach(move || {
            let got = r.recv_timeout(std::time::Duration::from_millis(50));
            (got, r)
        });
        receive = Some(r);
        match got {
            Ok(result) => return result.map_err(py_error),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "the render thread stopped without a result",
                ))
            }
        }
    }
}

/// Points and a figure, checked once, for any number of renders: what a
/// Python `Figure` holds (the points in the renderer's layout, so a second
/// render converts nothing).
#[pyclass(frozen, module = "pointillist._core")]
struct Job {
    points: Points,
    figure: Figure,
}

#[pymethods]
impl Job {
    /// Checks the settings against the points (sizes, names, expressions).
    #[new]
    fn new<'py>(
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        columns: &Bound<'py, PyDict>,
        settings: &Bound<'py, PyDict>,
    ) -> PyResult<Job> {
        let mut points = points(py, x, y, columns)?;
        if let (Some(name), Some(names)) = (
            get::<String>(settings, "category")?,
            get::<Vec<String>>(settings, "category_names")?,
        ) {
            // The codes the Python layer made (NaN: no category).
            let codes: Vec<u32> = points
                .column(&name)
                .unwrap_or_default()
                .iter()
                .map(|&c| if c.is_nan() { u32::MAX } else { c as u32 })
                .collect();
            points = points
                .with_category_codes(&name, &codes, names)
                .map_err(py_error)?;
        }
        let figure = figure(settings)?;
        figure.check_for(&points).map_err(py_error)?;
        Ok(Job { points, figure })
    }

    /// Render to an `(H, W, 4)` uint8 array.
    fn render<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (points, fig) = (self.points.clone(), self.figure.clone());
        let image = with_context(py, move |ctx| ctx.render(&points, &fig))?;
        let (w, h) = (image.width as usize, image.height as usize);
        Ok(image.rgba.into_pyarray(py).reshape([h, w, 4])?.into_any())
    }

    /// Render to PNG bytes (the bytes the CLI writes for the same settings).
    fn png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let (points, fig) = (self.points.clone(), self.figure.clone());
        let png = with_context(py, move |ctx| ctx.render(&points, &fig)?.to_png())?;
        Ok(PyBytes::new(py, &png))
    }

    /// The aggregate grid (the figure's mode should be density, without
    /// axes, for a grid of the figure's size), row 0 at the top: counts as
    /// uint32, values as float32 (NaN where no point fell).
    fn aggregate<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (points, fig) = (self.points.clone(), self.figure.clone());
        let grid = with_context(py, move |ctx| Ok(ctx.render_frame(&points, &fig)?.grid))?
            .ok_or_else(|| {
                PyValueError::new_err("this figure draws points: no grid (use mode density)")
            })?;
        let (w, h) = (grid.width as usize, grid.height as usize);
        Ok(match grid.data {
            GridData::Counts(c) => c.into_pyarray(py).reshape([h, w])?.into_any(),
            GridData::Values(v) => v.into_pyarray(py).reshape([h, w])?.into_any(),
        })
    }

    /// Open the viewer; returns when the window closes. One event loop serves
    /// every window of the process, so this can be called again.
    /// The plot area (width, height) in pixels: the size `render_grid` needs.
    fn plot_area(&self) -> PyResult<(u32, u32)> {
        Context::plot_area(&self.figure).map_err(py_error)
    }

    /// Draw a grid made elsewhere as this figure's density frame: `grid` is
    /// (height, width), row 0 at the top, uint32 counts or float32 values
    /// (NaN where empty). PNG bytes when `png`, else an RGBA array.
    fn render_grid<'py>(
        &self,
        py: Python<'py>,
        grid: &Bound<'py, PyAny>,
        png: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let agg = self.figure.agg;
        let (shape, data) = if let Ok(a) = grid.extract::<PyReadonlyArray2<'py, u32>>() {
            (
                a.as_array().shape().to_vec(),
                GridData::Counts(a.as_array().iter().copied().collect()),
            )
        } else if let Ok(a) = grid.extract::<PyReadonlyArray2<'py, f32>>() {
            (
                a.as_array().shape().to_vec(),
                GridData::Values(a.as_array().iter().copied().collect()),
            )
        } else {
            return Err(PyTypeError::new_err(
                "grid must be a 2-D uint32 (counts) or float32 (values) array",
            ));
        };
        let grid = Grid::new(shape[1] as u32, shape[0] as u32, agg, data).map_err(py_error)?;
        let fig = self.figure.clone();
        let image = with_context(py, move |ctx| ctx.render_grid(&grid, &fig))?;
        if png {
            return Ok(PyBytes::new(py, &image.to_png().map_err(py_error)?).into_any());
        }
        let (w, h) = (image.width as usize, image.height as usize);
        Ok(image.rgba.into_pyarray(py).reshape([h, w, 4])?.into_any())
    }

    fn view(&self, screenshot_dir: String) -> PyResult<()> {
        let options = ViewOptions {
            screenshot_dir: screenshot_dir.into(),
            source: "python".into(),
            verbose: false,
        };
        pointillist::view(self.points.clone(), &self.figure, &options).map_err(py_error)
    }
}

/// The input columns an expression reads, in order of first use.
#[pyfunction]
fn expression_columns(expr: &str) -> PyResult<Vec<String>> {
    pointillist::expression_columns(expr).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The address of the first element of a float32 or float64 array as this
/// module reads it (for the test that nothing is copied on the way in).
#[pyfunction]
fn data_address(a: &Bound<'_, PyAny>) -> PyResult<usize> {
    Ok(match Coords::extract("array", a)? {
        Coords::F64(a) => slice("array", &a)?.as_ptr() as usize,
        Coords::F32(a) => slice("array", &a)?.as_ptr() as usize,
    })
}

/// The GPU adapter in use (made on first use).
#[pyfunction]
fn adapter(py: Python<'_>) -> PyResult<String> {
    with_context(py, |ctx| Ok(ctx.adapter()))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Job>()?;
    m.add_function(wrap_pyfunction!(expression_columns, m)?)?;
    m.add_function(wrap_pyfunction!(data_address, m)?)?;
    m.add_function(wrap_pyfunction!(adapter, m)?)?;
    m.add("COLORMAPS", pointillist::COLORMAPS.to_vec())?;
    Ok(())
}
