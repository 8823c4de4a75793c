"""pointillist.dask on a real (local) cluster: the partitioned Parquet
dataset the test writes aggregates to the grid the in-memory call makes."""

import numpy as np
import pytest

import pointillist

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
import pointillist.dask as pdask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_a_partitioned_parquet_dataset_gives_the_in_memory_grid(tmp_path, client):
    n = 200_000
    rng = np.random.default_rng(7)
    df = pd.DataFrame({
        "x": rng.normal(size=n),
        "y": rng.normal(size=n) * 0.5,
        "v": (rng.random(n) * 100).astype(np.float32),
    })
    df.loc[::97, "v"] = np.nan  # values missing here and there
    dd.from_pandas(df, npartitions=8).to_parquet(tmp_path / "points")
    ddf = dd.read_parquet(tmp_path / "points")
    assert ddf.npartitions == 8
    kw = dict(width=120, height=80, x_range=(-3, 3), y_range=(-1.5, 1.5))
    x, y, v = df["x"].to_numpy(), df["y"].to_numpy(), df["v"].to_numpy()
    for agg in ["count", "sum", "mean", "min", "max"]:
        c = None if agg == "count" else "v"
        got = pdask.aggregate(ddf, "x", "y", c, agg=agg, **kw)
        want = pointillist.aggregate(x, y, None if c is None else v, agg=agg, **kw)
        assert got.shape == want.shape == (80, 120) and got.dtype == want.dtype, agg
        if agg in ("count", "min", "max"):
            np.testing.assert_array_equal(got, want, err_msg=agg)
        else:
            # Sums are exact within a partition; partitions of other value
            # ranges quantise differently, so merged sums agree within f32.
            assert (np.isnan(got) == np.isnan(want)).all(), agg
            ok = ~np.isnan(want)
            np.testing.assert_allclose(got[ok], want[ok], rtol=1e-4, atol=1e-3, err_msg=agg)
    # Ranges default to the data's.
    auto = pdask.aggregate(ddf, "x", "y", width=10, height=10)
    assert auto.sum() == n
    with pytest.raises(ValueError, match="no column named 'speed'"):
        pdask.aggregate(ddf, "x", "y", "speed", agg="sum")


def test_dask_scatter_draws_the_in_memory_picture(tmp_path, client):
    n = 100_000
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n),
                       "v": rng.random(n).astype(np.float32)})
    dd.from_pandas(df, npartitions=5).to_parquet(tmp_path / "points")
    ddf = dd.read_parquet(tmp_path / "points")
    kw = dict(width=400, height=300, x_range=(-3, 3), y_range=(-3, 3), title="on dask")
    for agg, c in [("count", None), ("max", "v")]:
        fig = pdask.scatter(ddf, "x", "y", c, agg=agg, **kw)
        want = pointillist.scatter(df, "x", "y", c=c, mode="density", agg=agg, backend="cpu", **kw)
        assert fig.png() == want.png(), agg
        assert fig.to_numpy().shape == (300, 400, 4)
        path = tmp_path / f"{agg}.png"
        fig.save(path)
        assert path.read_bytes() == want.png()
        assert fig.grid.shape[1] < 400, "the grid is the plot area's, inside the axes"
    with pytest.raises(ValueError, match="unknown aggregate 'median'"):
        pdask.scatter(ddf, "x", "y", "v", agg="median")
