"""Datashader + Dask density count of a scripts/make_dataset.py dataset (README, Beyond memory):

    python datashader_dask_parquet.py [DATASET]    # default /tmp/ds100m
"""
import sys, time, dask, dask.dataframe as dd, datashader as ds
from dask.distributed import Client, LocalCluster
if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ds100m"
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="8GB")
    client = Client(cluster)
    for i in range(2):
        t = time.time()
        df = dd.read_parquet(path, columns=["x", "y"])
        cvs = ds.Canvas(plot_width=1732, plot_height=988, x_range=(0, 1), y_range=(0, 1))
        agg = cvs.points(df, "x", "y")
        img = ds.tf.shade(agg, how="eq_hist")
        print(f"datashader+dask {path} count: {time.time()-t:.2f} s, total {int(agg.sum())}", flush=True)
    client.close(); cluster.close()
