"""`launchready ci init`: write GitHub Actions workflows that run LaunchReady's checks.

They implement the roadmap's automation list: env validation before the build, the
secret scan and the dependency audit on every pull request, the smoke test and a p95
snapshot after each deploy, and a weekly run of the certificate (30-day alert), DNS,
redirect, email and uptime checks. A file that exists is never replaced without
`--force`; every file written is printed.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from launchready_tui.commands import _common

# The app shows a command's output in a box about 46 columns wide that does not wrap.
WIDTH = 44


def add_parser(sub) -> None:
    p = sub.add_parser("ci", help="write CI workflows that run these checks (GitHub Actions)",
                       description="Write GitHub Actions workflows into the repository that run "
                       "LaunchReady's checks on pull requests, after deploys and every week.")
    csub = p.add_subparsers(dest="ci_command", metavar="ACTION", required=True)
    i = csub.add_parser("init", help="write .github/workflows/launchready-*.yml",
                        description="Write three workflows under .github/workflows/ in the repository "
                        "(profile key `repo`, default: the profile's folder). Existing files are kept "
                        "unless --force is given.")
    _common.add_profile_arg(i)
    _common.add_runbooks_arg(i)
    i.add_argument("--force", action="store_true", help="replace workflow files that exist")
    i.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    p.set_defaults(func=run)


def _refusal(repo: Path, rel: str, force: bool) -> str | None:
    """Why LaunchReady must not write rel under repo, or None. Never through a symlinked
    folder, never into something that is not a folder, and (with --force) never over a
    symlink, a FIFO, a device or a folder: only a regular file is ever replaced."""
    cur = repo
    for part in Path(rel).parts[:-1]:
        cur = cur / part
        shown = cur.relative_to(repo).as_posix()
        if cur.is_symlink():
            return (f"{shown} is a symlink (to {os.readlink(cur)}); LaunchReady never writes through one. "
                    f"Make {shown} a real folder in the repository")
        if cur.exists() and not cur.is_dir():
            return f"{shown} is a file, not a folder. Move it away so {shown}/ can hold the workflows"
    target = repo / rel
    if not force:
        return None  # an existing entry of any kind is kept
    if target.is_symlink():
        return (f"{rel} is a symlink (to {os.readlink(target)}); --force replaces only regular files. Delete the "
                "link if the workflow should live here")
    if target.exists() and not target.is_file():
        from launchready_tui.core.safe_read import _kind

        return f"{rel} is {_kind(os.stat(target).st_mode)}, not a regular file; --force replaces only regular files"
    return None


def _stage(path: Path, text: str) -> Path:
    """Write text to a new temp file beside path (never following a symlink) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def run(args) -> int:
    from launchready_tui.core import ci_init
    from launchready_tui.core.checks.deploy_config import deploy_jobs
    from launchready_tui.core.checks.deploy_config._ci import find_workflows

    profile = _common.load_profile_arg(args)
    _common.print_warnings(profile)
    runbooks, _ = _common.load_runbooks_arg(args)
    repo = Path(profile.resolve_path(str(profile.get("repo") or ".")))
    if not repo.is_dir():
        print(f"launchready ci: the repository folder {repo} does not exist (set `repo:` in "
              "launchready.yaml)", file=sys.stderr)
        return 2
    ours = {ci_init.CHECKS_FILE, ci_init.AFTER_DEPLOY_FILE, ci_init.WEEKLY_FILE}
    deploys = deploy_jobs([w for w in find_workflows(repo, str(profile.get("deploy.command") or ""))
                           if w.file not in ours])
    deploy_name = deploys[0][0].name if deploys else None
    kept = 0
    items = ci_init.plan(profile, runbooks, deploy_name)
    if args.dry_run:
        for item in items:
            print(f"--- {item.path} ({item.what})\n{item.text}")
        return 0
    # Decide every file first: one refusal and nothing at all is written.
    refused = [(item.path, why) for item in items if (why := _refusal(repo, item.path, args.force))]
    if refused:
        for _rel, why in refused:
            print(f"launchready ci: {why}.", file=sys.stderr)
        print("launchready ci: nothing was written.", file=sys.stderr)
        return 2
    todo = []
    for item in items:
        target = repo / item.path
        if (target.exists() or target.is_symlink()) and not args.force:
            print(f"kept      {item.path} (it exists; --force replaces it)")
            kept += 1
            continue
        todo.append((item, target))
    staged: list[tuple[Path, Path]] = []
    try:
        for item, target in todo:
            staged.append((_stage(target, item.text), target))
    except OSError as e:
        for tmp, _t in staged:
            tmp.unlink(missing_ok=True)
        print(f"launchready ci: could not write {item.path}: {e.strerror or e}; nothing was written.", file=sys.stderr)
        return 1
    for (tmp, target), (item, _t) in zip(staged, todo, strict=True):
        os.replace(tmp, target)
        # the path on its own line and what it does under it: the app's output box is narrow
        print(f"wrote     {item.path}\n" + textwrap.fill(item.what, WIDTH, initial_indent="  ",
                                                          subsequent_indent="  "))
    if not args.dry_run:
        names = [str(n) for n in profile.get("required_env") or []] or ["DATABASE_URL"]
        if deploy_name:
            follows = f"The after-deploy workflow runs after your workflow \"{deploy_name}\"."
        else:
            follows = ("The after-deploy workflow runs when your host (Vercel, Netlify, Render) tells GitHub "
                       "that a deploy finished.")
        print("\n" + textwrap.fill("Next: commit these files and push them to GitHub (or ask your developer "
                                  f"to). In a terminal, in {repo}, type:", WIDTH, break_on_hyphens=False,
                                  break_long_words=False))
        print('  git add .github\n  git commit -m "LaunchReady checks"\n  git push')
        for para in (
            "Then, on github.com, open the repository's Settings > Secrets and variables > Actions > New "
            "repository secret, and add one for each env var the checks read: " + ", ".join(names) + ".",
            follows,
        ):
            print("\n" + textwrap.fill(para, WIDTH, break_on_hyphens=False, break_long_words=False))
    return 1 if kept else 0
