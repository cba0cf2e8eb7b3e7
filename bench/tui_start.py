"""Time to the first rendered frame of `launchready tui`, against a bare Textual App.

    python bench/tui_start.py [--runs 9] [--profile examples/launchready.yaml]

Each program runs in a real pseudo-terminal (120x40), as a person would start it. The
clock stops when the first frame is on the terminal: the moment its output contains the
text that only the first frame draws ("Quick audit" in the sidebar for LaunchReady, a
marker for the bare app). Runs alternate between the two programs; medians are compared.
Peak RSS is the kernel's high-water mark (VmHWM) of the process after its first frame
and three more seconds of running (the app builds the next step and loads the
check modules in the background meanwhile).

The profile is copied into a temporary folder first, so the app's `.launchready/` state
never lands in the repository. By default the project's modules are byte-compiled first,
into a temporary pycache folder (PYTHONPYCACHEPREFIX), as `pip install` does: Textual
itself is already byte-compiled in site-packages, and a checkout run with
PYTHONDONTWRITEBYTECODE=1 would otherwise compile LaunchReady's sources on every start.
`--no-bytecode` measures that source-only case. Targets: at most 1.3 times the bare app, and at most
120 MB peak RSS. Exit status 0 when both are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.3
TARGET_RSS_MB = 120.0
COLS, ROWS = 120, 40

BARE_APP = """\
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("BARE-FIRST-FRAME")


Bare().run()
"""


def _set_size(fd: int) -> None:
    import fcntl
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


ENV: dict[str, str] = {}


def first_frame(cmd: list[str], marker: bytes, cwd: Path, *, timeout: float = 30.0,
                linger: float = 3.0) -> tuple[float, float]:
    """Run cmd in a pty; return (seconds to the first frame, peak RSS in MB)."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS), **ENV)
    env.pop("TEXTUAL", None)
    if "PYTHONPYCACHEPREFIX" in ENV:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        try:
            os.chdir(cwd)
            os.execvpe(cmd[0], cmd, env)
        finally:
            os._exit(127)
    _set_size(fd)
    seen = b""
    elapsed = None
    deadline = t0 + timeout
    try:
        while time.perf_counter() < deadline:
            r, _, _ = select.select([fd], [], [], 0.05)
            if fd in r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if elapsed is None and marker in seen:
                    elapsed = time.perf_counter() - t0
                    deadline = time.perf_counter() + linger
        rss = _peak_rss_mb(pid)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    if elapsed is None:
        tail = seen[-400:].decode("utf-8", "replace")
        raise RuntimeError(f"no first frame from {' '.join(cmd)} within {timeout} s; output ends: {tail!r}")
    return elapsed, rss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--profile", default=str(ROOT / "examples" / "launchready.yaml"))
    ap.add_argument("--no-bytecode", action="store_true",
                    help="do not byte-compile LaunchReady first (a source checkout)")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="launchready-bench-"))
    if not a.no_bytecode:
        import compileall

        ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        sys.pycache_prefix = ENV["PYTHONPYCACHEPREFIX"]
        compileall.compile_dir(str(ROOT / "launchready_tui"), quiet=1)
    profile = work / "launchready.yaml"
    shutil.copy(a.profile, profile)
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    py = sys.executable
    cases = {
        "bare Textual App": ([py, str(bare)], b"BARE-FIRST-FRAME"),
        "launchready tui": ([py, "-m", "launchready_tui", "tui", "--profile", str(profile)], b"Quick audit"),
    }
    # One warm-up each (file cache), then alternate so both see the same machine load.
    for cmd, marker in cases.values():
        first_frame(cmd, marker, work, linger=0)
    times: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(a.runs):
        for name, (cmd, marker) in cases.items():
            t, m = first_frame(cmd, marker, work)
            times[name].append(t * 1000)
            rss[name].append(m)
    shutil.rmtree(work, ignore_errors=True)

    mode = "source only, no bytecode" if a.no_bytecode else "byte-compiled, as installed"
    print(f"time to first frame at {COLS}x{ROWS}, {a.runs} runs each, medians; LaunchReady {mode} "
          f"(machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'program':20} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'peak RSS MB':>12}")
    for name in cases:
        ts = times[name]
        print(f"{name:20} {statistics.median(ts):10.0f} {min(ts):8.0f} {max(ts):8.0f} {max(rss[name]):12.1f}")
    ratio = statistics.median(times["launchready tui"]) / statistics.median(times["bare Textual App"])
    peak = max(rss["launchready tui"])
    ok_time = ratio <= TARGET_RATIO
    ok_mem = peak <= TARGET_RSS_MB
    print(f"ratio launchready / bare: {ratio:.2f} (target <= {TARGET_RATIO}) {'ok' if ok_time else 'MISSED'}")
    print(f"peak RSS launchready: {peak:.1f} MB (target <= {TARGET_RSS_MB:g}) {'ok' if ok_mem else 'MISSED'}")
    return 0 if ok_time and ok_mem else 1


if __name__ == "__main__":
    raise SystemExit(main())
