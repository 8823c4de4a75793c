"""Writes colormaps.csv: every entry of the colour tables pointillist ships,
as matplotlib (and colorcet, for fire) compute them. Run with matplotlib and
colorcet installed:

    python3 tests/data/colormaps.py > tests/data/colormaps.csv

Columns: map, index, r, g, b (float64 values, repr'd exactly).
src/colormap tests every entry of its tables against this file.

Continuous maps are `colormaps[name].resampled(256)` sampled at 256 evenly
spaced points. The discrete maps (tab10, tab20) keep their N colours: entry
j of 256 takes the colour matplotlib gives the value at its centre,
floor((j + 0.5) / 256 * N), so a value t gets matplotlib's colour
floor(t * N) except within 1/256 of a band's edge.
"""
import matplotlib
import numpy as np

CONTINUOUS = ["viridis", "plasma", "inferno", "magma", "cividis", "turbo", "Greys",
              "coolwarm", "RdBu", "Spectral", "twilight", "hsv", "jet", "gray", "hot"]
DISCRETE = ["tab10", "tab20"]


def table(name):
    if name == "fire":
        import colorcet
        cm = colorcet.cm["fire"].resampled(256)
        return cm(np.linspace(0, 1, 256))[:, :3]
    cm = matplotlib.colormaps[name]
    if name in DISCRETE:
        colours = np.asarray(cm.colors)[:, :3]
        return colours[np.floor((np.arange(256) + 0.5) / 256 * cm.N).astype(int)]
    return cm.resampled(256)(np.linspace(0, 1, 256))[:, :3]


if __name__ == "__main__":
    import colorcet
    print(f"# matplotlib {matplotlib.__version__}, colorcet {colorcet.__version__}: see colormaps.py")
    print("map,index,r,g,b")
    for name in CONTINUOUS + DISCRETE + ["fire"]:
        for i, (r, g, b) in enumerate(table(name)):
            print(f"{name.lower()},{i},{float(r)!r},{float(g)!r},{float(b)!r}")
