"""Speed of the Python package (issue 12's table): run from the repository
root after `scripts/test` (or `maturin develop --release`):

    .venv/bin/python python/benchmarks/bench.py [--dask-points 100000000]

Prints one line per row; figures are wall-clock medians on this machine.
"""

import argparse
import statistics
import sys
import tempfile
import time

import numpy as np

import pointillist


def timed(f, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dask-points", type=int, default=0, help="0: skip the Dask row")
    ap.add_argument("--partitions", type=int, default=20)
    args = ap.parse_args()
    out = tempfile.mkdtemp()

    t = time.perf_counter()
    adapter = pointillist.adapter()
    print(f"device start: {(time.perf_counter() - t) * 1e3:.0f} ms on {adapter}")

    # The program the project grew from, 100,000 points, compute + render + save.
    def program():
        rng = np.random.default_rng(0)
        x = rng.random(100_000)
        y = rng.random(100_000)
        positions = x + y  # the Numba loop's result
        pointillist.scatter(x, y, c=positions, title="positions = x + y").save(f"{out}/p.png")

    med, best = timed(program)
    print(f"the program, 100,000 points, compute + render + save: median {med * 1e3:.0f} ms (min {best * 1e3:.0f} ms)")

    rng = np.random.default_rng(1)
    x, y = rng.random((2, 10_000_000), dtype=np.float32)
    med, best = timed(lambda: pointillist.scatter(x, y).save(f"{out}/ten.png"), repeat=3)
    print(f"scatter(...).save() of 10M float32 points: median {med * 1e3:.0f} ms (min {best * 1e3:.0f} ms)")

    x, y = rng.random((2, 100_000))
    times = []
    for i in range(100):
        t = time.perf_counter()
        pointillist.scatter(x, y, vmin=0, vmax=1 + i * 0.01).to_numpy()
        times.append(time.perf_counter() - t)
    print(f"100 renders of 100k points: median {statistics.median(times) * 1e3:.1f} ms each (min {min(times) * 1e3:.1f})")

    if args.dask_points:
        import dask.dataframe as dd
        import distributed
        import pandas as pd
        import pointillist.dask as pdask

        n, parts = args.dask_points, args.partitions
        path = f"{out}/points"
        import os
        os.makedirs(path)
        t = time.perf_counter()
        per = n // parts
        for k in range(parts):
            r = np.random.default_rng(100 + k)
            pd.DataFrame({"x": r.normal(size=per), "y": r.normal(size=per),
                          "v": r.random(per, dtype=np.float32)}).to_parquet(f"{path}/part.{k}.parquet")
        print(f"wrote {n:,} points in {parts} Parquet files in {time.perf_counter() - t:.1f} s")
        kw = dict(width=1920, height=1080, x_range=(-4, 4), y_range=(-4, 4))
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster):
            ddf = dd.read_parquet(path)
            for agg, c in (("count", None), ("mean", "v")):
                t = time.perf_counter()
                grid = pdask.aggregate(ddf, "x", "y", c, agg=agg, **kw)
                if agg == "count":
                    grid_count = grid
                print(f"dask.aggregate {agg}, {n:,} points, {parts} partitions, 2 workers: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        df = pd.read_parquet(path)
        load = time.perf_counter() - t
        t = time.perf_counter()
        mem = pointillist.aggregate(df["x"].to_numpy(), df["y"].to_numpy(), **kw)
        took = time.perf_counter() - t
        print(f"in-memory aggregate count of the same points: {took:.1f} s (reading them: {load:.1f} s)")
        print(f"points counted in memory: {int(mem.sum()):,}; by dask: {int(grid_count.sum()):,}")


if __name__ == "__main__":
    sys.exit(main())
