"""Writes colormaps.csv: every entry of the seven colour tables pointillist ships,
as matplotlib itself computes them. Run with matplotlib installed:

    python3 tests/data/colormaps.py > tests/data/colormaps.csv

Columns: map, index, r, g, b (matplotlib's float64 values, repr'd exactly).
src/colormap tests every entry of its tables against this file.
"""
import matplotlib
import numpy as np

print(f"# matplotlib {matplotlib.__version__}: colormaps[name].resampled(256)(linspace(0, 1, 256))")
print("map,index,r,g,b")
for name in ["viridis", "plasma", "inferno", "magma", "cividis", "turbo", "Greys"]:
    cm = matplotlib.colormaps[name].resampled(256)
    lut = cm(np.linspace(0, 1, 256))[:, :3]
    for i, (r, g, b) in enumerate(lut):
        print(f"{name.lower()},{i},{float(r)!r},{float(g)!r},{float(b)!r}")
