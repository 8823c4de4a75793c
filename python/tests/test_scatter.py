"""pointillist from Python: the program it grew from, the grid against numpy,
no copies on the way in, errors as exceptions, the GIL released."""

import subprocess
import threading
import time
import tracemalloc

import numpy as np
import pytest

import pointillist


def the_program(n: int = 100_000, seed: int = 0):
    """The blog post's program, with its Numba loop as plain Python and
    plt.scatter(...)/plt.colorbar()/plt.show() replaced by pointillist."""
    rng = np.random.default_rng(seed)
    x = rng.random(n)
    y = rng.random(n)

    def compute(x, y):  # was @numba.njit
        positions = np.empty_like(x)
        for i in range(len(x)):
            positions[i] = x[i] + y[i]
        return positions

    positions = compute(x, y)
    fig = pointillist.scatter(x, y, c=positions, title="positions = x + y")
    return x, y, positions, fig


def test_the_program_it_grew_from_draws_what_the_cli_draws(tmp_path, cli):
    x, y, positions, fig = the_program()
    fig.save(tmp_path / "python.png")
    # The same points through the command line: a CSV written exactly (repr).
    with open(tmp_path / "points.csv", "w") as f:
        f.write("x,y,value\n")
        for row in zip(x, y, positions):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    out = subprocess.run(
        [cli, "render", "--input", tmp_path / "points.csv", "--title", "positions = x + y",
         "--output", tmp_path / "cli.png"],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    python_png = (tmp_path / "python.png").read_bytes()
    assert python_png == (tmp_path / "cli.png").read_bytes()
    assert python_png == fig._repr_png_()
    rgba = fig.to_numpy()
    assert rgba.shape == (1080, 1920, 4) and rgba.dtype == np.uint8
    # Something was drawn: the colours of viridis, not just the background.
    assert len(np.unique(rgba.reshape(-1, 4), axis=0)) > 100


def edges_and_inside(n: int, seed: int):
    """Points on a 2^-16 lattice (exact in f32 and in the binning), with the
    corners and the edges of [0, 1]^2 among them."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2**16 + 1, n) / 2**16
    y = rng.integers(0, 2**16 + 1, n) / 2**16
    x[:4], y[:4] = [0, 1, 0, 1], [0, 0, 1, 1]
    x[4:8], y[4:8] = [0.5, 1, 0.25, 0], [1, 0.75, 0, 0.5]
    v = rng.normal(size=n) * 10
    return x, y, v


def test_aggregate_counts_sums_and_means_like_numpy():
    x, y, v = edges_and_inside(50_000, 1)
    w, h = 64, 48
    kw = dict(width=w, height=h, x_range=(0, 1), y_range=(0, 1))
    # histogram2d puts the right edge in the last bin, as Datashader does;
    # H[iy, ix] with row 0 the smallest y.
    edges = (np.linspace(0, 1, h + 1), np.linspace(0, 1, w + 1))
    counts, _, _ = np.histogram2d(y, x, bins=edges)
    sums, _, _ = np.histogram2d(y, x, bins=edges, weights=v.astype(np.float32))
    got = pointillist.aggregate(x, y, **kw)
    assert got.dtype == np.uint32 and got.shape == (h, w)
    np.testing.assert_array_equal(got, counts.astype(np.uint32))
    assert got.sum() == len(x)
    # Row 0 is the bottom: the corner (0, 0) is in got[0, 0], (1, 1) in got[-1, -1].
    one = pointillist.aggregate([0.0, 1.0], [0.0, 0.0], **kw)
    assert one[0, 0] == 1 and one[0, -1] == 1 and one.sum() == 2

    got_sum = pointillist.aggregate(x, y, v, agg="sum", **kw)
    assert got_sum.dtype == np.float32
    empty = counts == 0
    assert np.isnan(got_sum[empty]).all()
    np.testing.assert_allclose(got_sum[~empty], sums[~empty], rtol=1e-4, atol=1e-3)
    got_mean = pointillist.aggregate(x, y, v, agg="mean", **kw)
    np.testing.assert_allclose(got_mean[~empty], (sums / np.maximum(counts, 1))[~empty], rtol=1e-4, atol=1e-4)
    # min and max are values of points, exactly.
    got_max = pointillist.aggregate(x, y, v, agg="max", **kw)
    ix = np.minimum((x * w).astype(int), w - 1)
    iy = np.minimum((y * h).astype(int), h - 1)
    want = np.full((h, w), -np.inf, dtype=np.float32)
    np.maximum.at(want, (iy, ix), v.astype(np.float32))
    np.testing.assert_array_equal(got_max[~empty], want[~empty])


def test_contiguous_float_input_is_not_copied():
    n = 5_000_000
    x32 = np.random.default_rng(2).random(n, dtype=np.float32)
    y32 = x32[::-1].copy()
    v32 = (x32 * 2).astype(np.float32)
    for a in (x32, y32.astype(np.float64)):
        assert pointillist._coords("x", a) is a
        assert pointillist._core.data_address(a) == a.ctypes.data
    assert pointillist._values("c", v32, n) is v32
    # numpy's allocations are traced: the call allocates nothing of the
    # arrays' size on the Python side (they are 20 MB each).
    tracemalloc.start()
    fig = pointillist.scatter(x32, y32, c=v32, width=64, height=48, mode="splat")
    fig.to_numpy()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000, f"{peak} bytes allocated in Python"
    # Integers and lists go through a conversion, as they must.
    assert pointillist._coords("x", [1, 2, 3]).dtype == np.float64


def test_expressions_and_dataframe_columns():
    pd = pytest.importorskip("pandas")
    n = 20_000
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"lon": rng.random(n), "lat": rng.random(n), "speed": rng.random(n) * 30})
    by_name = pointillist.scatter(df, "lon", "lat", c="speed", width=200, height=120)
    by_array = pointillist.scatter(df["lon"], df["lat"], c=df["speed"], width=200, height=120,
                                   xlabel="lon", ylabel="lat")
    assert by_name.png() == by_array.png()
    expr = pointillist.scatter(df, "lon", "lat", c="sqrt(speed) * 2", filter="lon > 0.5",
                               width=200, height=120)
    other = pointillist.scatter(df, "lon", "lat", c="sqrt(speed) * 2", width=200, height=120)
    assert expr.png() != other.png()
    radius = pointillist.scatter(df["lon"], df["lat"], c="sqrt(x**2 + y**2)", width=200, height=120)
    assert radius.to_numpy().shape == (120, 200, 4)


@pytest.mark.parametrize(
    "call, kind, text",
    [
        (lambda: pointillist.scatter([1, 2, 3], [1, 2]), ValueError, "x has 3 values and y has 2"),
        (lambda: pointillist.scatter(np.zeros((3, 2)), np.zeros(3)), ValueError, "must be 1-D"),
        (lambda: pointillist.scatter(["a", "b"], [1, 2]), TypeError, "must hold numbers"),
        (lambda: pointillist.scatter([1.0], [2.0], c=[1.0, 2.0]), ValueError, "2 values for 1 points"),
        (lambda: pointillist.scatter([1.0], [2.0], cmap="parula"), ValueError, "unknown colormap 'parula'"),
        (lambda: pointillist.scatter([1.0], [2.0], mode="dots"), ValueError, "unknown mode 'dots'"),
        (lambda: pointillist.scatter([1.0], [2.0], c="speeed * 2"), ValueError, "unknown name 'speeed'"),
        (lambda: pointillist.scatter([1.0], [2.0], c="x +"), ValueError, "x +"),
        (lambda: pointillist.scatter([1.0], [2.0], width=0), ValueError, "width"),
        (lambda: pointillist.scatter([1.0], [2.0], width=2.5), TypeError, "width must be an int"),
        (lambda: pointillist.scatter([1.0], [2.0], x_range=3), TypeError, "x_range"),
        (lambda: pointillist.scatter([1.0], [2.0], background="mauve"), ValueError, "background"),
        (lambda: pointillist.scatter([1.0], [2.0], vmin=1), ValueError, "both vmin and vmax"),
        (lambda: pointillist.aggregate([1.0], [2.0], agg="sum"), ValueError, "needs values"),
        (lambda: pointillist.scatter([1.0], [2.0], how="log"), ValueError, "density mode only"),
        (lambda: pointillist.scatter([1.0], [2.0], under="reddish"), ValueError, "under: unknown colour"),
        (lambda: pointillist.aggregate([1.0], [2.0], [1.0], agg="median"), ValueError, "unknown aggregate"),
        (lambda: pointillist.scatter([1.0], [2.0], category="kind"), TypeError, "needs a DataFrame"),
        (lambda: pointillist.scatter([1.0, 2.0], [2.0, 1.0], category=["a"]), ValueError, "1 labels for 2 points"),
        (lambda: pointillist.scatter([1.0], [2.0], category=["a"], c="x"), ValueError, "cannot be combined with a value"),
        (lambda: pointillist.scatter([1.0], [2.0], category=["a"], category_colors="red"), TypeError, "list of colours"),
        (lambda: pointillist.scatter([1.0], [2.0], category=["a"], category_colors=["mauve"]), ValueError, "unknown colour"),
        (lambda: pointillist.scatter([1.0], [2.0], category_colors=["#f00"]), ValueError, "need a category column"),
        (lambda: pointillist.scatter([1.0], [2.0], cmap=["#000"]), ValueError, "give 2 to 256"),
        (lambda: pointillist.scatter([1.0], [2.0], cmap=["#000", "teal-ish"]), ValueError, "cmap: unknown colour"),
    ],
)
def test_bad_input_raises_the_right_exception(call, kind, text):
    with pytest.raises(kind) as e:
        call()
    assert text in str(e.value)


def test_under_over_and_bad_colours_like_matplotlib():
    # Points at x = 0, 1.5, 3 drawn at columns 12, 30 and 48; values over (1, 2).
    x, y = np.array([0.0, 1.5, 3.0]), np.zeros(3)
    kw = dict(width=60, height=20, axes=False, x_range=(-1, 4), y_range=(-1, 1), s=6,
              mode="points", vmin=1.0, vmax=2.0)
    at = lambda img, col: tuple(int(v) for v in img[10, col, :3])
    plain = pointillist.scatter(x, y, c="x", **kw).to_numpy()
    assert at(plain, 12) == (68, 1, 84)  # viridis' first colour below the range
    ends = pointillist.scatter(x, y, c="x", under="#ff0000", over="#0000ff", **kw).to_numpy()
    assert at(ends, 12) == (255, 0, 0) and at(ends, 48) == (0, 0, 255)
    assert at(ends, 30) == at(plain, 30)
    # log(x - 1) has no value at x = 0: not drawn, or the bad colour.
    assert at(pointillist.scatter(x, y, c="log(x - 1)", **kw).to_numpy(), 12) == (255, 255, 255)
    bad = pointillist.scatter(x, y, c="log(x - 1)", bad="#00ff00", **kw).to_numpy()
    assert at(bad, 12) == (0, 255, 0)


def test_categories_colour_points_and_mix_in_density_like_datashader():
    pd = pytest.importorskip("pandas")
    # Three points at x = 0, 1.5, 3 (columns 12, 30, 48), in two categories.
    x, y = np.array([0.0, 1.5, 3.0]), np.zeros(3)
    kw = dict(width=60, height=20, axes=False, x_range=(-1, 4), y_range=(-1, 1), s=6, mode="points")
    at = lambda img, col: tuple(int(v) for v in img[10, col, :3])
    tab10 = [(31, 119, 180), (255, 127, 14)]
    img = pointillist.scatter(x, y, category=["b", "a", "b"], **kw).to_numpy()
    assert [at(img, c) for c in (12, 30, 48)] == [tab10[1], tab10[0], tab10[1]]  # sorted: a, b
    # A pandas categorical keeps its own order; a DataFrame column by name.
    df = pd.DataFrame({"x": x, "y": y, "k": pd.Categorical(["b", "a", "b"], categories=["b", "a"])})
    img = pointillist.scatter(df, "x", "y", category="k", **kw).to_numpy()
    assert [at(img, c) for c in (12, 30)] == [tab10[0], tab10[1]]
    # Given colours; a missing label is no category (not drawn).
    img = pointillist.scatter(x, y, category=["a", None, "b"], category_colors=["#ff0000", "#0000ff"], **kw).to_numpy()
    assert [at(img, c) for c in (12, 30, 48)] == [(255, 0, 0), (255, 255, 255), (0, 0, 255)]
    # Density: one pixel with 3 of "a" and 1 of "b" at full alpha is
    # Datashader's (counts . colours) / total, astype(uint8).
    px, py = np.array([0.5, 0.5, 0.5, 0.5, 2.5]), np.array([0.5, 0.5, 0.5, 0.5, 0.5])
    img = pointillist.scatter(px, py, category=["a", "a", "b", "a", "b"], mode="density", how="linear",
                              width=4, height=1, axes=False, x_range=(0, 4), y_range=(0, 1)).to_numpy()
    mix = tuple(int((3 * a + b) / 4) for a, b in zip(*tab10))
    assert all(abs(int(g) - m) <= 1 for g, m in zip(img[0, 0, :3], mix)), (img[0, 0], mix)


def test_size_by_maps_values_onto_disc_diameters():
    # Two points, size values 0 and 1: discs of 2 and 12 pixels.
    x, y = np.array([0.0, 3.0]), np.zeros(2)
    kw = dict(width=60, height=20, axes=False, x_range=(-1, 4), y_range=(-1, 1), mode="points")
    img = pointillist.scatter(x, y, c=[0.0, 0.0], size_by="x / 3", size_range=(2, 12), **kw).to_numpy()
    inked = lambda x0, x1: int((img[:, x0:x1, :3] != 255).any(axis=2).sum())
    small, big = inked(0, 24), inked(36, 60)
    assert 2 <= small <= 12 and 90 <= big <= 150, (small, big)
    with pytest.raises(ValueError, match="MIN must be at most MAX"):
        pointillist.scatter(x, y, size_by="x", size_range=(5, 2))


def test_a_list_of_colours_is_a_colourmap():
    # Values 0 and 1 at the two ends of a black-to-red map.
    x, y = np.array([0.0, 3.0]), np.zeros(2)
    kw = dict(width=60, height=20, axes=False, x_range=(-1, 4), y_range=(-1, 1), s=6, mode="points")
    img = pointillist.scatter(x, y, c=[0.0, 1.0], cmap=["#000000", "#ff0000"], **kw).to_numpy()
    assert tuple(img[10, 12, :3]) == (0, 0, 0) and tuple(img[10, 48, :3]) == (255, 0, 0)


def test_frames_with_nan_and_empty_inputs():
    x = np.array([0.0, np.nan, 1.0, np.inf, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    grid = pointillist.aggregate(x, y, width=4, height=4, x_range=(0, 1), y_range=(0, 1))
    assert grid.sum() == 3  # NaN and inf rows are not drawn or counted
    # ... and counted as skipped, as the CLI counts them: x, y and the values.
    assert pointillist.scatter(x, y).skipped == 2
    c = np.array([1.0, 2.0, np.nan, 4.0, 5.0], dtype=np.float32)
    assert pointillist.scatter(x, y, c=c).skipped == 3
    assert pointillist.scatter(y, y, c=c).skipped == 1
    empty = pointillist.scatter(np.array([]), np.array([]), width=50, height=40)
    assert empty.to_numpy().shape == (40, 50, 4)
    assert empty.skipped == 0


def test_the_gil_is_released_while_rendering():
    x, y = np.random.default_rng(4).random((2, 3_000_000))
    fig = pointillist.scatter(x, y, width=800, height=600, mode="density")
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.002)

    t = threading.Thread(target=tick)
    start = time.perf_counter()
    t.start()
    fig.to_numpy()
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [s for s in ticks if start < s < end]
    # The other thread kept running through the render (a held GIL would
    # freeze it for the whole call).
    assert len(during) >= 0.25 * (end - start) / 0.002, (len(during), end - start)


def test_many_renders_reuse_one_device():
    x, y = np.random.default_rng(5).random((2, 100_000))
    first = None
    for i in range(20):
        img = pointillist.scatter(x, y, vmin=0, vmax=1 + i * 0.1, width=160, height=100).to_numpy()
        assert first is None or not np.array_equal(img, first)
        first = img if first is None else first


def test_ctrl_c_interrupts_a_long_render():
    import _thread

    if "Cpu" not in pointillist.adapter():
        pytest.skip("needs a render that takes seconds: a software rasteriser")
    x, y = np.random.default_rng(6).random((2, 5_000_000), dtype=np.float32)
    # 5M instanced discs take about 4 s on lavapipe (2 cores).
    fig = pointillist.scatter(x, y, mode="points", s=3, width=1600, height=1000)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        fig.to_numpy()
    took = time.perf_counter() - start
    timer.join()
    assert took < 1.5, f"KeyboardInterrupt came after {took:.2f} s"


def test_polars_columns_and_frames_draw_what_numpy_draws():
    import polars as pl  # scripts/test installs it: no skipping

    rng = np.random.default_rng(9)
    x, y = rng.random(5000), rng.random(5000)
    v = rng.random(5000).astype(np.float32)
    kw = dict(width=200, height=150, mode="density", agg="max")
    want = pointillist.scatter(x, y, c=v, **kw).png()
    assert pointillist.scatter(pl.Series(x), pl.Series(y), c=pl.Series(v), **kw).png() == want
    frame = pl.DataFrame({"x": x, "y": y, "v": v})
    import pandas as pd

    want_named = pointillist.scatter(pd.DataFrame({"x": x, "y": y, "v": v}), "x", "y", c="v", **kw)
    assert pointillist.scatter(frame, "x", "y", c="v", **kw).png() == want_named.png()
    with pytest.raises(ValueError, match="no column named 'z'"):
        pointillist.scatter(frame, "x", "z")
    with pytest.raises(ValueError, match="unknown name 'w'"):
        pointillist.scatter(frame, "x", "y", c="w")  # not a column: an expression
