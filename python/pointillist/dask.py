"""Aggregate a ``dask.dataframe`` on a Dask cluster: each partition goes
through pointillist's aggregator on its worker (GIL released), and the
partial grids merge in a tree, as Datashader merges them: counts and sums
add, minima and maxima combine, a mean is the merged sum over the merged
count (never an average of averages).

Needs the optional dependencies: ``pip install pointillist[dask]``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from . import _backend
from . import _core
from . import aggregate as _aggregate

__all__ = ["aggregate", "scatter"]

_AGGS = ("count", "sum", "mean", "min", "max")


def _partial(part: Any, x: str, y: str, c: Optional[str], agg: str, width: int, height: int,
             x_range: Tuple[float, float], y_range: Tuple[float, float]) -> Tuple[np.ndarray, ...]:
    """One partition's grids: (count,) for count, (count of values, sum) for
    sum and mean, (min,) or (max,) for those."""
    xs, ys = part[x].to_numpy(), part[y].to_numpy()
    kw = dict(width=width, height=height, x_range=x_range, y_range=y_range)
    if agg == "count":
        return (_aggregate(xs, ys, **kw).astype(np.uint64),)
    vs = part[c].to_numpy()
    if agg in ("sum", "mean"):
        # Points whose value is NaN count for neither the sum nor the mean.
        valued = ~np.isnan(vs.astype(np.float64))
        n = _aggregate(xs[valued], ys[valued], **kw).astype(np.uint64)
        total = np.nan_to_num(_aggregate(xs, ys, vs, agg="sum", **kw)).astype(np.float64)
        return (n, total)
    return (_aggregate(xs, ys, vs, agg=agg, **kw),)


def _combine(agg: str, a: Tuple[np.ndarray, ...], b: Tuple[np.ndarray, ...]) -> Tuple[np.ndarray, ...]:
    if agg == "min":
        return (np.fmin(a[0], b[0]),)
    if agg == "max":
        return (np.fmax(a[0], b[0]),)
    return tuple(p + q for p, q in zip(a, b))


def _finish(agg: str, parts: Tuple[np.ndarray, ...]) -> np.ndarray:
    if agg == "count":
        return parts[0].astype(np.uint32)
    if agg in ("min", "max"):
        return parts[0]
    n, total = parts
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / n if agg == "mean" else total
    return np.where(n > 0, out, np.nan).astype(np.float32)


def _ranges(ddf: Any, x: str, y: str, x_range: Any, y_range: Any):
    """The given ranges, or the data's (one pass over the partitions)."""
    import dask

    if x_range is None or y_range is None:
        lo_x, hi_x, lo_y, hi_y = dask.compute(ddf[x].min(), ddf[x].max(), ddf[y].min(), ddf[y].max())
        x_range = x_range or (float(lo_x), float(hi_x))
        y_range = y_range or (float(lo_y), float(hi_y))
    return (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))


def aggregate(ddf: Any, x: str, y: str, c: Optional[str] = None, *, agg: str = "count",
              width: int = 600, height: int = 600,
              x_range: Optional[Tuple[float, float]] = None,
              y_range: Optional[Tuple[float, float]] = None,
              split_every: int = 2) -> np.ndarray:
    """The grid of :func:`pointillist.aggregate` for the columns ``x``, ``y``
    (and ``c``) of the dask DataFrame ``ddf``, computed partition by partition
    on the current Dask scheduler (a ``dask.distributed`` client if one is
    active). Ranges default to the data's (one extra pass)."""
    import dask

    if agg not in _AGGS:
        raise ValueError(f"unknown aggregate '{agg}'; choose one of: {', '.join(_AGGS)}")
    if agg != "count" and c is None:
        raise ValueError(f"agg='{agg}' needs a value column: pass c")
    for name in (x, y) + ((c,) if c is not None else ()):
        if name not in list(ddf.columns):
            raise ValueError(
                f"no column named '{name}'; available columns: {', '.join(map(str, ddf.columns))}"
            )
    x_range, y_range = _ranges(ddf, x, y, x_range, y_range)
    cols = [x, y] + ([c] if c is not None else [])
    parts: List[Any] = [
        dask.delayed(_partial)(p, x, y, c, agg, width, height, x_range, y_range)
        for p in ddf[cols].to_delayed()
    ]
    if not parts:
        raise ValueError("the dask DataFrame has no partitions")
    # A tree of merges, `split_every` at a time.
    while len(parts) > 1:
        merged = []
        for i in range(0, len(parts), split_every):
            group = parts[i:i + split_every]
            acc = group[0]
            for other in group[1:]:
                acc = dask.delayed(_combine)(agg, acc, other)
            merged.append(acc)
        parts = merged
    return _finish(agg, dask.compute(parts[0])[0])


class GridFigure:
    """The picture of a grid aggregated on Dask: :meth:`save`, :meth:`png`,
    :meth:`to_numpy` and inline display in Jupyter, as
    :class:`pointillist.Figure` (there are no points here to :meth:`show`)."""

    def __init__(self, job: Any, grid: np.ndarray, width: int, height: int):
        self._job, self._grid = job, grid
        self.width, self.height = width, height
        self._png: Optional[bytes] = None

    @property
    def grid(self) -> np.ndarray:
        """The merged grid, ``(height, width)`` of the plot area, row 0 at the bottom."""
        return self._grid[::-1]

    def png(self) -> bytes:
        if self._png is None:
            self._png = self._job.render_grid(self._grid, True)
        return self._png

    def save(self, path: Any) -> None:
        import os

        with open(os.fspath(path), "wb") as f:
            f.write(self.png())

    def to_numpy(self) -> np.ndarray:
        return self._job.render_grid(self._grid, False)

    def _repr_png_(self) -> bytes:
        return self.png()


def scatter(ddf: Any, x: str, y: str, c: Optional[str] = None, *, agg: str = "count",
            how: str = "eq_hist", cmap: str = "viridis", spread: int = 0,
            width: int = 1920, height: int = 1080,
            x_range: Optional[Tuple[float, float]] = None,
            y_range: Optional[Tuple[float, float]] = None,
            title: Optional[str] = None, xlabel: Optional[str] = None,
            ylabel: Optional[str] = None, grid: bool = False, axes: bool = True,
            background: str = "white", split_every: int = 2) -> GridFigure:
    """The density picture of :func:`pointillist.scatter` (``mode="density"``)
    for the columns of the dask DataFrame ``ddf``: the grid is aggregated on
    the cluster (:func:`aggregate`, at the plot area's size) and shaded,
    with axes and colourbar, here. The same picture as the in-memory call."""
    if agg not in _AGGS:
        raise ValueError(f"unknown aggregate '{agg}'; choose one of: {', '.join(_AGGS)}")
    for name, v in (("width", width), ("height", height), ("spread", spread)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int, got {v!r}")
    x_range, y_range = _ranges(ddf, x, y, x_range, y_range)
    settings = dict(
        mode="density", agg=agg, how=how, cmap=cmap, spread=int(spread),
        width=int(width), height=int(height), x_range=x_range, y_range=y_range,
        title=title, xlabel=x if xlabel is None else xlabel,
        ylabel=y if ylabel is None else ylabel, grid=bool(grid), axes=bool(axes),
        background=background, backend=_backend("cpu"),
    )
    empty = np.zeros(0, dtype=np.float64)
    columns = {}
    if c is not None:
        # The colourbar names the column ("mean of speed"); the values come in the grid.
        settings["column"] = c
        columns[c] = np.zeros(0, dtype=np.float32)
    job = _core.Job(empty, empty, columns, settings)
    pw, ph = job.plot_area()
    merged = aggregate(ddf, x, y, c, agg=agg, width=pw, height=ph, x_range=x_range,
                       y_range=y_range, split_every=split_every)
    return GridFigure(job, np.ascontiguousarray(merged[::-1]), int(width), int(height))
