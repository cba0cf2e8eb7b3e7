"""Start-up cost of the headless check path, against bare Python and Textual's import.

Runs each command several times in one go on this machine and prints medians and
ratios. Target: `launchready check` adds at most 150 ms over `python -c pass`.

By default LaunchReady's modules are byte-compiled first, into a temporary pycache
folder (PYTHONPYCACHEPREFIX), as `pip install` does: these machines set
PYTHONDONTWRITEBYTECODE=1, so a checkout would otherwise recompile every module on every
start. `--no-bytecode` measures that source-only case too.

    python bench/startup.py [--runs 15] [--no-bytecode]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(cmd: list[str], runs: int, cwd: Path, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False, env=env)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-bytecode", action="store_true", help="measure without byte-compiling")
    a = ap.parse_args()
    import os

    env = dict(os.environ)
    if not a.no_bytecode:
        prefix = tempfile.mkdtemp(prefix="lr-pycache-")
        env["PYTHONPYCACHEPREFIX"] = prefix
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "launchready_tui")],
                       env=env, check=True)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "launchready.yaml").write_text(
        "project: Bench\ndomain: bench.example\nrequired_env: [A]\n"
        "environments: {production: {env_file: .env}}\n"
    )
    (tmp / ".env").write_text("A=1\n")
    rb = tmp / "rb"
    rb.mkdir()
    (rb / "one.md").write_text(
        "---\nid: one\ntitle: One\nstage: 1\ngoal: g\nsummary: s\n---\n## Env {#env}\n```check\nkind: env\n```\n"
    )
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import textual.app'": [py, "-c", "import textual.app"],
        "launchready check --help": [py, "-m", "launchready_tui", "check", "--help"],
        "launchready check (one-step profile)": [
            py, "-m", "launchready_tui", "check", "--profile", str(tmp / "launchready.yaml"),
            "--runbooks", str(rb), "--format", "json",
        ],
    }
    res: dict[str, float] = {name: [] for name in cases}  # type: ignore[misc]
    for _ in range(a.runs):  # alternate the commands, so machine noise hits all alike
        for name, cmd in cases.items():
            res[name].append(median_ms(cmd, 1, ROOT, env))  # type: ignore[attr-defined]
    res = {name: statistics.median(v) for name, v in res.items()}  # type: ignore[arg-type]
    print("LaunchReady " + ("source only (no bytecode)" if a.no_bytecode else "byte-compiled, as installed")
          + f"; {a.runs} runs each, alternated; medians")
    base = res["python -c pass"]
    tx = res["python -c 'import textual.app'"]
    print(f"{'command':42} {'median ms':>10} {'vs bare':>8} {'added ms':>9} {'vs textual':>10}")
    for name, ms in res.items():
        print(f"{name:42} {ms:10.1f} {ms / base:7.2f}x {ms - base:9.1f} {ms / tx:9.2f}x")
    added = res["launchready check (one-step profile)"] - base
    print(f"\ncheck path adds {added:.0f} ms over bare Python (target <= 150 ms): "
          f"{'OK' if added <= 150 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
