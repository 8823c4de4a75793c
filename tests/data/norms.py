"""Writes norms.csv: matplotlib's normalised values for known values under each
norm pointillist offers (`--norm`). Run with matplotlib installed:

    python3 tests/data/norms.py > tests/data/norms.csv

Columns: norm (as --norm spells it), lo, hi, value, t (the norm's float64
result, repr'd exactly; `masked` where matplotlib masks the value: <= 0 under
log). src/colormap/norm.rs checks its f64 norms against this file.
"""
import matplotlib
from matplotlib import colors
import numpy as np

CASES = [
    ("linear", colors.Normalize, {}, -2.0, 3.0),
    ("log", colors.LogNorm, {}, 0.01, 5000.0),
    ("log", colors.LogNorm, {}, 1.0, 1.5),
    ("symlog:0.1", colors.SymLogNorm, {"linthresh": 0.1, "base": 10}, -300.0, 20.0),
    ("symlog:1", colors.SymLogNorm, {"linthresh": 1.0, "base": 10}, -5.0, 1000.0),
    ("power:0.5", colors.PowerNorm, {"gamma": 0.5}, -2.0, 7.0),
    ("power:2", colors.PowerNorm, {"gamma": 2.0}, 0.0, 10.0),
]

print(f"# matplotlib {matplotlib.__version__}")
print("norm,lo,hi,value,t")
rng = np.random.default_rng(16)
for name, cls, kw, lo, hi in CASES:
    norm = cls(vmin=lo, vmax=hi, **kw)
    span = hi - lo
    values = [lo, hi, (lo + hi) / 2, 0.0, -1.0, 1.0, 0.05, 100.0]
    values += list(rng.uniform(lo - 0.1 * span, hi + 0.1 * span, 12))
    for v in values:
        t = norm(np.ma.masked_invalid([v]))
        out = "masked" if np.ma.is_masked(t[0]) else repr(float(t[0]))
        print(f"{name},{lo!r},{hi!r},{float(v)!r},{out}")
