import os
import pathlib
import tempfile

import pytest

# Mesa wants a private runtime directory.
if not os.environ.get("XDG_RUNTIME_DIR"):
    d = pathlib.Path(tempfile.gettempdir()) / "pointillist-xdg"
    d.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(d)

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The command line built by `cargo test --release` (or `cargo build --release`)."""
    path = pathlib.Path(os.environ.get("POINTILLIST_BIN", ROOT / "target" / "release" / "pointillist"))
    if not path.exists():
        pytest.fail(f"{path} not found: run `cargo build --release` first")
    return path
