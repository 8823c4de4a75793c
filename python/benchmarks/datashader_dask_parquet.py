"""Datashader + Dask density count of the scripts/make_dataset.py dataset at /tmp/ds100m (README, Beyond memory)."""
import time, dask, dask.dataframe as dd, datashader as ds
from dask.distributed import Client, LocalCluster
if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="8GB")
    client = Client(cluster)
    for i in range(2):
        t = time.time()
        df = dd.read_parquet("/tmp/ds100m", columns=["x", "y"])
        cvs = ds.Canvas(plot_width=1732, plot_height=988, x_range=(0, 1), y_range=(0, 1))
        agg = cvs.points(df, "x", "y")
        img = ds.tf.shade(agg, how="eq_hist")
        print(f"datashader+dask 100M count: {time.time()-t:.2f} s, total {int(agg.sum())}", flush=True)
    client.close(); cluster.close()
