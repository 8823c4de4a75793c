"""pointillist: GPU-accelerated 2D point rendering from Python.

numpy arrays (or pandas/polars columns, lists) in; pictures, RGBA arrays and
per-pixel grids out. The same renderer as the ``pointillist`` command line,
on one GPU device for the whole process (Mesa's lavapipe where there is no
GPU)::

    import numpy as np, pointillist
    x, y = np.random.rand(2, 100_000)
    fig = pointillist.scatter(x, y, c=x + y, title="x + y")
    fig.save("scatter.png")          # the PNG the CLI writes for the same settings
    rgba = fig.to_numpy()            # (1080, 1920, 4) uint8
    grid = pointillist.aggregate(x, y, width=400, height=300)  # counts, row 0 at the bottom

``c`` may also be an expression compiled to the GPU (``c="sqrt(x**2 + y**2)"``)
or, with a DataFrame, a column name (``scatter(df, "lon", "lat", c="speed")``).
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _core

__all__ = ["scatter", "aggregate", "Figure", "adapter", "COLORMAPS"]

#: The colourmaps (each also reversed as ``NAME_r``).
COLORMAPS: Tuple[str, ...] = tuple(_core.COLORMAPS)


def adapter() -> str:
    """The GPU adapter renders run on (the device is made on first use)."""
    return _core.adapter()


def _coords(name: str, a: Any) -> np.ndarray:
    """A 1-D float32 or float64 array of ``a``, contiguous; no copy when it
    already is one."""
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one number per point), got shape {arr.shape}")
    if arr.dtype not in (np.float32, np.float64):
        if arr.dtype.kind not in "iub":
            raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    return np.ascontiguousarray(arr)


def _values(name: str, a: Any, n: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per point), got shape {arr.shape}")
    if arr.dtype.kind not in "iubf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values for {n} points")
    return np.ascontiguousarray(arr, dtype=np.float32)


def _is_frame(obj: Any) -> bool:
    """A DataFrame-like object: columns by name."""
    return hasattr(obj, "columns") and hasattr(obj, "__getitem__") and not isinstance(obj, np.ndarray)


def _column(frame: Any, name: str) -> np.ndarray:
    if name not in list(frame.columns):
        raise ValueError(
            f"no column named '{name}'; available columns: {', '.join(map(str, frame.columns))}"
        )
    col = frame[name]
    return col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)


def _backend(backend: Any) -> str:
    """Where splat and density aggregate: "auto", "gpu" or "cpu"."""
    if backend not in ("auto", "gpu", "cpu"):
        raise ValueError(f"unknown backend {backend!r}; choose one of: auto, gpu, cpu")
    return backend


def _args(x: Any, y: Any, rest: Sequence[Any], c: Any) -> Tuple[Any, ...]:
    """(frame, x, y, c) from ``(x, y[, c])`` or ``(frame, xname, yname[, c])``."""
    frame = x if _is_frame(x) else None
    given = [x, y, *rest]
    width = 4 if frame is not None else 3
    if len(given) > width:
        raise TypeError(f"scatter takes at most {width} positional arguments, got {len(given)}")
    if len(given) == width:
        if c is not None:
            raise TypeError("c given twice (positionally and by name)")
        c = given[-1]
    if frame is None:
        return None, x, y, c
    if len(given) < 3 or not all(isinstance(n, str) for n in given[1:3]):
        raise TypeError("with a DataFrame, give the x and y column names: scatter(df, 'lon', 'lat', c=...)")
    return frame, given[1], given[2], c


def _category(frame: Any, category: Any, n: int) -> Tuple[str, np.ndarray, Optional[list]]:
    """(name, float32 codes, names) of a category argument: a DataFrame's
    column name or one label per point. Numbers stay numbers (each distinct
    value a category, named by the renderer); text and pandas categoricals
    become codes into their names (sorted, or the categorical's own order);
    missing labels (None, NaN) are NaN: no category."""
    if isinstance(category, str):
        if frame is None:
            raise TypeError(
                "category as a column name needs a DataFrame (scatter(df, 'x', 'y', category='kind')); "
                "or give one label per point"
            )
        _column(frame, category)  # the error naming the available columns
        col, name = frame[category], category
    else:
        col, name = category, str(getattr(category, "name", None) or "category")
    cat = getattr(col, "cat", None)  # a pandas categorical Series
    if cat is not None:
        codes = np.asarray(cat.codes, dtype=np.float32)
        codes[codes < 0] = np.nan
        names: Optional[list] = [str(v) for v in cat.categories]
    else:
        arr = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
        if arr.ndim != 1:
            raise ValueError(f"category must be 1-D (one label per point), got shape {arr.shape}")
        if arr.dtype.kind in "iubf":
            codes, names = np.asarray(arr, dtype=np.float32), None
        else:
            missing = np.array([v is None or (isinstance(v, float) and v != v) for v in arr], dtype=bool)
            labels, inverse = np.unique(arr[~missing].astype(str), return_inverse=True)
            codes = np.full(len(arr), np.nan, dtype=np.float32)
            codes[~missing] = inverse
            names = labels.tolist()
    if len(codes) != n:
        raise ValueError(f"category has {len(codes)} labels for {n} points")
    return name, np.ascontiguousarray(codes), names


def _points(
    x: Any,
    y: Any,
    rest: Sequence[Any],
    c: Any,
    filter: Optional[str],
    clabel: Optional[str],
    category: Any = None,
    size_by: Optional[str] = None,
):
    """(x, y, columns, settings) for the extension from scatter's arguments."""
    settings: dict = {}
    columns: dict = {}
    frame, x, y, c = _args(x, y, rest, c)
    if frame is not None:
        xs, ys = _coords(x, _column(frame, x)), _coords(y, _column(frame, y))
        settings["xlabel"], settings["ylabel"] = x, y
    else:
        xs, ys = _coords("x", x), _coords("y", y)
    if xs.dtype != ys.dtype:
        xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    if len(xs) != len(ys):
        raise ValueError(f"x has {len(xs)} values and y has {len(ys)}: give one x and one y per point")
    n = len(xs)
    exprs = []
    if category is not None:
        name, codes, names = _category(frame, category, n)
        columns[name] = codes
        settings["category"] = name
        if names is not None:
            settings["category_names"] = names
    if c is None and category is not None:
        pass  # coloured by the categories
    elif c is None:
        settings["expr"] = "x + y"
    elif isinstance(c, str):
        if frame is not None and c in list(frame.columns):
            columns[c] = _values(c, _column(frame, c), n)
            settings["column"] = c
        else:
            settings["expr"] = c
            exprs.append(c)
    else:
        label = clabel or getattr(c, "name", None) or "value"
        columns[str(label)] = _values("c", c, n)
        settings["column"] = str(label)
    if filter is not None:
        if not isinstance(filter, str):
            raise TypeError("filter must be an expression string, e.g. filter='x > 0'")
        settings["filter"] = filter
        exprs.append(filter)
    if size_by is not None:
        if not isinstance(size_by, str):
            raise TypeError("size_by must be an expression or a column name, e.g. size_by='mass'")
        settings["size_by"] = size_by
        exprs.append(size_by)
    for e in exprs:
        for name in _core.expression_columns(e):
            if name in columns:
                continue
            if frame is None or name not in list(frame.columns):
                continue  # the renderer reports the unknown name with a caret
            columns[name] = _values(name, _column(frame, name), n)
    return xs, ys, columns, settings


class Figure:
    """A picture of points, rendered on demand (and once): :meth:`save`,
    :meth:`to_numpy`, :meth:`show`, and inline display in Jupyter."""

    def __init__(self, x: np.ndarray, y: np.ndarray, columns: dict, settings: dict):
        # Checked now (a bad setting fails at scatter(), not at save()); the
        # points are converted to the renderer's layout once.
        self._job = _core.Job(x, y, columns, settings)
        self._settings = settings
        self._png: Optional[bytes] = None
        self._arrays = (x, y, columns)
        self._skipped: Optional[int] = None

    @property
    def skipped(self) -> int:
        """Rows left out of the picture because x, y or a value column they
        need is NaN or infinite (what the CLI reports as skipped rows)."""
        if self._skipped is None:
            x, y, columns = self._arrays
            bad = ~np.isfinite(x) | ~np.isfinite(y)
            for v in columns.values():
                bad |= ~np.isfinite(v)
            self._skipped = int(np.count_nonzero(bad))
        return self._skipped

    @property
    def width(self) -> int:
        return int(self._settings["width"])

    @property
    def height(self) -> int:
        return int(self._settings["height"])

    def png(self) -> bytes:
        """The PNG file's bytes (the same bytes ``pointillist render`` writes)."""
        if self._png is None:
            self._png = self._job.png()
        return self._png

    def save(self, path: "os.PathLike[str] | str") -> None:
        """Write the PNG to ``path`` (replacing a file there, as savefig does)."""
        with open(os.fspath(path), "wb") as f:
            f.write(self.png())

    def to_numpy(self) -> np.ndarray:
        """The picture as an ``(height, width, 4)`` uint8 RGBA array."""
        return self._job.render()

    def _repr_png_(self) -> bytes:
        return self.png()

    def show(self, screenshot_dir: "os.PathLike[str] | str" = ".") -> None:
        """Open the interactive viewer (zoom, pan, box zoom, keys; Q closes it)
        and return when its window closes. Can be called again, from the
        thread that opened the first window."""
        self._job.view(os.fspath(screenshot_dir))


def scatter(
    x: Any,
    y: Any,
    *rest: Any,
    c: Any = None,
    cmap: str = "viridis",
    vmin: Optional[float] = None,
    vmax: Optional[float] = None,
    s: float = 2,
    alpha: float = 1.0,
    mode: str = "auto",
    agg: str = "count",
    how: str = "eq_hist",
    norm: str = "linear",
    spread: int = 0,
    x_range: Optional[Tuple[float, float]] = None,
    y_range: Optional[Tuple[float, float]] = None,
    width: int = 1920,
    height: int = 1080,
    title: Optional[str] = None,
    xlabel: Optional[str] = None,
    ylabel: Optional[str] = None,
    clabel: Optional[str] = None,
    grid: bool = False,
    axes: bool = True,
    background: str = "white",
    under: Optional[str] = None,
    over: Optional[str] = None,
    bad: Optional[str] = None,
    filter: Optional[str] = None,
    time: float = 0.0,
    backend: str = "auto",
    category: Any = None,
    category_colors: Optional[Sequence[str]] = None,
    scale: float = 1.0,
    size_by: Optional[str] = None,
    size_range: Tuple[float, float] = (2.0, 12.0),
) -> Figure:
    """Points coloured by ``c``, as :func:`matplotlib.pyplot.scatter` draws them.

    ``scatter(x, y[, c])``: numbers (numpy arrays of any float or integer
    dtype, lists, pandas or polars columns); ``scatter(df, "lon", "lat"[, c])``:
    a DataFrame and two column names.
    ``c``: one value per point; or an expression of ``x``, ``y``, ``index``
    and the DataFrame's columns, compiled to the GPU (``"sqrt(x**2 + y**2)"``);
    or a column name; default ``x + y``. ``s`` is the point diameter in
    pixels, ``mode`` one of auto, points, splat, density; ``agg`` and ``how``
    (eq_hist, linear, log, cbrt) shade density mode, as Datashader's do.
    ``filter`` keeps the points where an expression is true. ``clabel``
    names the colourbar (default: the Series' name, or "value").
    ``backend`` (auto, gpu, cpu) says where splat and density aggregate.
    ``under``, ``over`` and ``bad`` colour the values below and above
    ``vmin``/``vmax`` and the points with no value, as matplotlib's
    ``set_under``, ``set_over`` and ``set_bad`` do (points and splat modes).
    ``size_by`` (an expression or column name) sizes each disc: its values'
    range maps linearly onto ``size_range`` (diameters in pixels), with a
    size legend; points mode.
    ``scale`` is the HiDPI factor (physical pixels per logical pixel, 0.25
    to 8): margins, text and points grow by it, ``width`` and ``height``
    stay the image's pixels.
    ``cmap`` is a colourmap's name or a list of 2 to 256 colours
    (``["#2c7bb6", "#ffffbf", "#d7191c"]``), interpolated as matplotlib's
    ``LinearSegmentedColormap.from_list`` does.
    ``norm`` maps values onto the colourmap as matplotlib's norms do:
    ``"linear"``, ``"log"`` (values <= 0 get no colour), ``"symlog"``,
    ``"symlog:0.1"`` (its linear threshold), ``"power:0.5"`` (its gamma).
    ``category`` (a column name, or one label per point: strings, numbers or
    a pandas categorical) colours each point by its category instead of
    ``c``, from tab10 / tab20 / a 256-colour Glasbey palette or
    ``category_colors``; density mode mixes the categories' colours in each
    pixel by their counts, as Datashader's ``count_cat`` + ``shade``; a
    legend replaces the colourbar.

    Raises ``ValueError`` for a bad value or setting (the CLI's message) and
    ``TypeError`` for a wrong kind of argument.
    """
    xs, ys, columns, settings = _points(x, y, rest, c, filter, clabel, category, size_by)
    if category_colors is not None:
        if isinstance(category_colors, str) or not all(isinstance(v, str) for v in category_colors):
            raise TypeError("category_colors must be a list of colours, e.g. ['#1f77b4', '#ff7f0e']")
        settings["category_colors"] = list(category_colors)

    def pair(name: str, r: Any) -> Optional[Tuple[float, float]]:
        if r is None:
            return None
        try:
            lo, hi = r
            return float(lo), float(hi)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a (min, max) pair, got {r!r}") from None

    for name, v in (("width", width), ("height", height), ("spread", spread)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int, got {v!r}")
        if v < 0:
            raise ValueError(f"{name} must not be negative, got {v}")
    settings.update(
        **({"cmap_colors": list(cmap)} if isinstance(cmap, (list, tuple)) else {"cmap": cmap}),
        vmin=None if vmin is None else float(vmin),
        vmax=None if vmax is None else float(vmax),
        s=float(s),
        alpha=float(alpha),
        scale=float(scale),
        size_range=pair("size_range", size_range),
        mode=mode,
        agg=agg,
        how=how,
        norm=norm,
        spread=int(spread),
        x_range=pair("x_range", x_range),
        y_range=pair("y_range", y_range),
        width=int(width),
        height=int(height),
        title=title,
        grid=bool(grid),
        axes=bool(axes),
        background=background,
        time=float(time),
        **{k: v for k, v in (("under", under), ("over", over), ("bad", bad)) if v is not None},
        backend=_backend(backend),
    )
    if xlabel is not None:
        settings["xlabel"] = xlabel
    if ylabel is not None:
        settings["ylabel"] = ylabel
    return Figure(xs, ys, columns, settings)


def aggregate(
    x: Any,
    y: Any,
    c: Any = None,
    *,
    agg: str = "count",
    width: int = 600,
    height: int = 600,
    x_range: Optional[Tuple[float, float]] = None,
    y_range: Optional[Tuple[float, float]] = None,
    filter: Optional[str] = None,
    backend: str = "auto",
) -> np.ndarray:
    """The per-pixel grid of the points, as Datashader's ``Canvas.points``
    makes it: ``(height, width)``, **row 0 at the bottom** (the smallest y,
    as Datashader's ascending y coordinate), column 0 at the smallest x; a
    point on the right or top edge falls in the last pixel. ``count`` gives
    uint32 counts; ``sum``, ``mean``, ``min``, ``max`` of ``c`` give float32
    with NaN where no point fell. The same numbers as ``--export-aggregate``
    (which writes row 0 at the top). With ``backend="cpu"`` the points are
    binned in f64 exactly as Datashader bins them (equal counts for f64
    data); the GPU may put a point within 2e-3 px of a pixel edge in the
    neighbouring pixel.
    """
    if agg != "count" and c is None:
        raise ValueError(f"agg='{agg}' needs values: pass c")
    xs, ys, columns, settings = _points(x, y, (), c, filter, None)
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int, got {v!r}")
    settings.update(
        mode="density",
        axes=False,
        agg=agg,
        width=int(width),
        height=int(height),
        x_range=None if x_range is None else (float(x_range[0]), float(x_range[1])),
        y_range=None if y_range is None else (float(y_range[0]), float(y_range[1])),
        backend=_backend(backend),
    )
    grid = _core.Job(xs, ys, columns, settings).aggregate()
    return np.ascontiguousarray(grid[::-1])
