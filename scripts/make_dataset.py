"""Write N uniform float32 points (x, y, value) as a hive-partitioned Parquet
dataset, the benchmark input of README's "Beyond memory" table:

    .venv/bin/python scripts/make_dataset.py OUT_DIR N [FILES]

OUT_DIR/part=K/points.parquet, K = 0 .. FILES-1 (default 10), each file in
row groups of 1,000,000 rows, snappy, with statistics; x, y in [0, 1), value
= x + y. Refuses to write into an existing OUT_DIR (nothing is overwritten).
"""

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    out, n = sys.argv[1], int(float(sys.argv[2]))
    files = int(sys.argv[3]) if len(sys.argv) == 4 else 10
    if os.path.exists(out):
        sys.exit(f"{out} exists: choose a new folder")
    rng = np.random.default_rng(1)
    per = -(-n // files)
    for k in range(files):
        rows = min(per, n - k * per)
        if rows <= 0:
            break
        folder = os.path.join(out, f"part={k}")
        os.makedirs(folder)
        writer = None
        for start in range(0, rows, 1_000_000):
            m = min(1_000_000, rows - start)
            x = rng.random(m, dtype=np.float32)
            y = rng.random(m, dtype=np.float32)
            table = pa.table({"x": x, "y": y, "value": x + y})
            if writer is None:
                writer = pq.ParquetWriter(os.path.join(folder, "points.parquet"), table.schema, compression="snappy")
            writer.write_table(table, row_group_size=1_000_000)
        writer.close()


if __name__ == "__main__":
    main()
