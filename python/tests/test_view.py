"""Figure.show() under Xvfb: the viewer opens twice in one process (from a
thread that is not the main one), each window closes with q, and show()
returns each time."""

import os
import queue
import shutil
import subprocess
import sys
import threading
import time

import pytest

SCRIPT = r"""
import sys
import numpy as np
import pointillist
x, y = np.random.default_rng(0).random((2, 20_000))
fig = pointillist.scatter(x, y, width=400, height=300)
def windows():
    for i in (1, 2):
        fig.show(screenshot_dir=sys.argv[1])
        print(f"closed {i}", flush=True)
# From a thread other than the main one, as a GUI or notebook program might.
import threading
t = threading.Thread(target=windows)
t.start()
t.join()
"""


def xdotool(display, *args, timeout=30):
    return subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=timeout)


def test_show_twice_in_one_process(tmp_path):
    missing = [t for t in ("Xvfb", "xdotool") if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {missing} not installed")
        pytest.skip(f"{missing} not installed")
    display = ":%d" % (90 + os.getpid() % 50)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        env = {**os.environ, "DISPLAY": display}
        env.pop("WAYLAND_DISPLAY", None)
        viewer = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in viewer.stdout], daemon=True).start()
        try:
            for i in (1, 2):
                found = xdotool(display, "search", "--sync", "--onlyvisible", "--name", "^pointillist", timeout=60)
                assert found.returncode == 0, found.stderr
                wid = found.stdout.split()[0]
                line = ""
                deadline = time.time() + 60
                # A key may be missed while the window starts: press until it closes.
                while not line and time.time() < deadline:
                    xdotool(display, "windowfocus", wid)
                    xdotool(display, "key", "q")
                    try:
                        line = lines.get(timeout=2)
                    except queue.Empty:
                        assert viewer.poll() is None, viewer.stderr.read()
                assert line.strip() == f"closed {i}", line
            assert viewer.wait(timeout=60) == 0, viewer.stderr.read()
        finally:
            if viewer.poll() is None:
                viewer.kill()
    finally:
        xvfb.kill()
