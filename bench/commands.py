"""Whole commands as users run them: each ``tracker`` command in a fresh process against a baseline
process doing the same job raw, run in turn (A B A B ...), medians and min-max of the wall time, and
the peak memory of each process as the OS counts it.

    python -m bench commands                       # 100k, every command
    python -m bench commands --sizes 100000,1000000 --only state,view,export
    python -m bench commands --src ../old-checkout # the same, running that checkout's tracker

Peak memory is the child's own high-water mark (``VmHWM`` of ``/proc/PID/status``, polled every
few milliseconds while it runs; a mark only ever rises, so the last reading is its peak but for
the last few milliseconds). ``wait4``'s ``ru_maxrss`` is recorded beside it, but on Linux it is not
the child's alone: a spawned process starts from its parent's high-water mark (exec keeps the
larger of the two), so it never reads lower than the spawning process's peak. The "floor" line
shows that figure for ``/bin/true``; this module keeps the spawning process small by importing
nothing of the tracker (the logs are built by a child process).

Timings never fail anything; the machine is shared, so read ratios, not times.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PY = sys.executable
SEED = 7
MB = 1 << 20


@dataclass
class Run:
    seconds: float
    peak: int  # bytes, VmHWM of the child
    maxrss: int  # bytes, wait4's ru_maxrss (see the module doc)
    cpu: float = 0.0  # seconds of CPU, user + system, of the child (wait4)


def run_process(argv: Sequence[str], env: dict[str, str], stdout: Path | None = None) -> Run:
    """Spawn ``argv``, wait for it, and return its wall time and peak memory."""
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        status_file = f"/proc/{proc.pid}/status"
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                with open(status_file, "rb") as fh:
                    for line in fh:
                        if line.startswith(b"VmHWM:"):
                            peak = max(peak, int(line.split()[1]) * 1024)
                            break
            except OSError:
                pass
            time.sleep(0.003)
        seconds = time.perf_counter() - start
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr is not None else b""
    if proc.stderr is not None:
        proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return Run(seconds, peak, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)


@dataclass
class Job:
    """One side of a comparison: a command line, what to do before each run (untimed), and
    where its stdout goes."""

    label: str
    argv: list[str]
    before: Callable[[], None] = lambda: None
    stdout: Path | None = None
    runs: list[Run] = field(default_factory=list)

    def once(self, env: dict[str, str]) -> None:
        self.before()
        self.runs.append(run_process(self.argv, env, self.stdout))

    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    def peak(self) -> int:
        return int(statistics.median(r.peak for r in self.runs))

    def summary(self) -> dict[str, Any]:
        times = [r.seconds for r in self.runs]
        return {"label": self.label, "argv": " ".join(self.argv), "median_s": self.median(),
                "min_s": min(times), "max_s": max(times), "runs_s": times,
                "cpu_median_s": self.cpu(), "cpu_runs_s": [r.cpu for r in self.runs],
                "peak_mb": self.peak() / MB,
                "peak_max_mb": max(r.peak for r in self.runs) / MB,
                "maxrss_mb": statistics.median(r.maxrss for r in self.runs) / MB}


@dataclass
class Case:
    name: str
    size: int | None
    target: str
    limit: float  # the largest ratio to the first baseline that meets the target
    tracker: Job
    baselines: list[Job]
    memory_limit_mb: float | None = None
    #: Run once, untimed, before the rounds (the tracker's kept records of the log made).
    prime: Callable[[dict[str, str]], None] | None = None

    def measure(self, rounds: int, env: dict[str, str], say: Callable[[str], None]) -> None:
        jobs = [self.tracker, *self.baselines]
        if self.prime is not None:
            self.prime(env)
        for _ in range(rounds):
            for job in jobs:
                job.once(env)
            say(f"    {self.name}: " + "  ".join(
                f"{j.label} {j.runs[-1].seconds:.2f} s {j.runs[-1].peak / MB:.0f} MB" for j in jobs))

    def summary(self) -> dict[str, Any]:
        ratio = self.tracker.median() / self.baselines[0].median()
        peak_mb = self.tracker.peak() / MB
        met = ratio <= self.limit and (self.memory_limit_mb is None
                                       or peak_mb <= self.memory_limit_mb)
        return {"name": self.name, "size": self.size, "target": self.target, "ratio": ratio,
                "ratios": [self.tracker.median() / b.median() for b in self.baselines],
                "cpu_ratios": [self.tracker.cpu() / b.cpu() if b.cpu() else None
                               for b in self.baselines],
                "met": met, "tracker": self.tracker.summary(),
                "baselines": [b.summary() for b in self.baselines]}


# --------------------------------------------------------------------------- the data


def prepared(n: int, say: Callable[[str], None]) -> dict[str, Path]:
    """The cached n-event log (tracker and raw), its events as import-shaped JSON Lines and an
    empty, migrated tracker log; built by a child process so that this one stays small."""
    code = (
        "import json, sys, orjson\n"
        "from pathlib import Path\n"
        "from bench.run import cached_logs, code_version\n"
        "from bench.generate import generate_events\n"
        f"n = {n}\n"
        f"log, raw = cached_logs(n, {SEED}, lambda s: print(s, file=sys.stderr))\n"
        f"lines = log.parent / f'input-{{n}}-{SEED}-{{code_version()}}.jsonl'\n"
        "if not lines.exists():\n"
        "    tmp = lines.with_suffix('.building')\n"
        "    with tmp.open('wb') as fh:\n"
        f"        for o in generate_events(n, {SEED}):\n"
        "            fh.write(orjson.dumps(o) + b'\\n')\n"
        "    tmp.replace(lines)\n"
        "print(json.dumps({'log': str(log), 'raw': str(raw), 'lines': str(lines)}))\n"
    )
    say(f"  preparing the {n:,}-event logs and input (cached in {OUT})...")
    done = subprocess.run([PY, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return {k: Path(v) for k, v in json.loads(done.stdout).items()}


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dst)


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --------------------------------------------------------------------------- the cases


ADD = ["add", "--type", "meeting.held", "--story", "last Friday", "--published", "2014-03-10",
       "--outlet", "McClatchy", "--summary", "Kerry and Lavrov met",
       "--actor", "John Kerry:participant", "--actor", "Sergey Lavrov:participant"]


def cases(groups: set[str], sizes: Sequence[int], tracker: list[str], tmp: Path,
          say: Callable[[str], None], env: dict[str, str]) -> list[Case]:
    raw = [PY, "-m", "bench.rawjobs"]
    out: list[Case] = []
    if "help" in groups:
        out.append(Case("tracker --help", None, "≤ 2x python -c 'import typer'", 2.0,
                        Job("tracker", [*tracker, "--help"]),
                        [Job("import typer", [PY, "-c", "import typer"]),
                         Job("import sqlite3", [PY, "-c", "import sqlite3"])]))
    data = {n: prepared(n, say) for n in sizes} if groups - {"help"} else {}
    empty = tmp / "empty.sqlite"
    if groups & {"import", "add"}:
        subprocess.run([*tracker, "--db", str(empty), "db", "upgrade"], check=True,
                       capture_output=True)
    if "add" in groups:
        d = data[min(sizes)]
        log, rawdb = tmp / "add.sqlite", tmp / "add-raw.sqlite"
        copy_db(d["log"], log)
        copy_db(d["raw"], rawdb)
        out.append(Case(f"tracker add (one event, {min(sizes):,}-event log)", min(sizes),
                        "≤ 1.5x a process importing SQLAlchemy and inserting one row", 1.5,
                        Job("tracker", [*tracker, "--db", str(log), *ADD]),
                        [Job("SQLAlchemy insert", [*raw, "sa-insert", str(rawdb)]),
                         Job("sqlite3 insert", [*raw, "insert", str(rawdb)])]))
    kept = tmp / "cache" / "tracker"  # where the tracker keeps each log's state records
    for n in sizes if data else ():
        d = data[n]
        state_argv = [*tracker, "--db", str(d["log"]), "state", "--json"]
        export_argv = [*tracker, "--db", str(d["log"]), "export", "-o", str(tmp / "export.json")]
        read = Job("sqlite3 + json.loads", [*raw, "read", str(d["raw"]), str(tmp / "read.txt")])
        dump = Job("sqlite3 + orjson dump", [*raw, "dump", str(d["raw"]), str(tmp / "dump.json")])
        if "state" in groups:
            # As users run it: the records kept from the last run, current (the log unchanged
            # since) or one event behind (an add since), and none (the first run after an
            # import, or after an upgrade of the tracker).
            out.append(Case(f"tracker state --json, {n:,} (records kept)", n, "≤ 2.5x; ≤ 400 MB",
                            2.5, Job("tracker", state_argv, stdout=tmp / "state.json"),
                            [read], memory_limit_mb=400,
                            prime=partial(_run_quietly, state_argv)))
            behind = tmp / "behind.sqlite"
            behind_argv = [*tracker, "--db", str(behind), "state", "--json"]
            out.append(Case(f"tracker state --json, {n:,} (records kept, one add behind)", n,
                            "≤ 2.5x; ≤ 400 MB", 2.5,
                            Job("tracker", behind_argv, stdout=tmp / "state.json",
                                before=partial(_one_add_behind, d["log"], behind, kept,
                                               [*tracker, "--db", str(behind), *ADD], env)),
                            [copy.deepcopy(read)], memory_limit_mb=400,
                            prime=partial(_keep_records_of, d["log"], behind, kept,
                                          behind_argv)))
            out.append(Case(f"tracker state --json, {n:,} (no records kept)", n,
                            "≤ 2.5x; ≤ 400 MB", 2.5,
                            Job("tracker", state_argv, stdout=tmp / "state.json",
                                before=partial(_forget_records, kept)),
                            [copy.deepcopy(read)], memory_limit_mb=400))
        if "view" in groups:
            # The readable state (`tracker state`) into a file: no target for its time (it
            # lays out every item's lines), the state command's for its memory.
            view_argv = [*tracker, "--db", str(d["log"]), "state"]
            out.append(Case(f"tracker state (readable), {n:,} (records kept)", n,
                            "(time: none); ≤ 400 MB", 1e9,
                            Job("tracker", view_argv, stdout=tmp / "state.txt"),
                            [copy.deepcopy(read)], memory_limit_mb=400,
                            prime=partial(_run_quietly, view_argv)))
            out.append(Case(f"tracker state (readable), {n:,} (no records kept)", n,
                            "(time: none); ≤ 400 MB", 1e9,
                            Job("tracker", view_argv, stdout=tmp / "state.txt",
                                before=partial(_forget_records, kept)),
                            [copy.deepcopy(read)], memory_limit_mb=400))
        if "pages" in groups:
            # The page exports, with the records kept: their state at the end is read from the
            # records a section at a time. TimelineJS: the export's memory target; the page
            # holds a line of its timeline per item, so only its figure is shown.
            for fmt, limit, aim in (("timelinejs", 300, "(time: none); ≤ 300 MB"),
                                       ("html", None, "(time: none)")):
                page_argv = [*tracker, "--db", str(d["log"]), "export", "--format", fmt,
                             "--force", "-o", str(tmp / f"page.{fmt}")]
                out.append(Case(f"tracker export --format {fmt}, {n:,} (records kept)", n,
                                aim, 1e9, Job("tracker", page_argv),
                                [copy.deepcopy(dump)], memory_limit_mb=limit,
                                prime=partial(_run_quietly, page_argv)))
        if "export" in groups:
            def fresh_export(forget: bool) -> None:
                remove_db(tmp / "export.json")  # refused if it exists
                if forget:
                    _forget_records(kept)

            out.append(Case(f"tracker export, {n:,} (records kept)", n, "≤ 2x; ≤ 300 MB", 2.0,
                            Job("tracker", export_argv, before=partial(fresh_export, False)),
                            [dump], memory_limit_mb=300,
                            prime=partial(_prime_export, partial(fresh_export, False),
                                          export_argv)))
            behind = tmp / "behind.sqlite"
            behind_export = [*tracker, "--db", str(behind), "export", "-o",
                             str(tmp / "export.json")]

            # One add behind the records kept by the command a user last ran: an export (its
            # events kept too), or a state command only (the export writes every event anew).
            primers = {"records kept, one add behind": ["export", "-o", str(tmp / "primed.json"),
                                                        "--force"],
                       "records kept by state --json, one add behind": ["state", "--json"]}
            for how, primer in primers.items():
                out.append(Case(f"tracker export, {n:,} ({how})", n, "≤ 2x; ≤ 300 MB", 2.0,
                                Job("tracker", behind_export, before=partial(
                                    _then, partial(fresh_export, False),
                                    partial(_one_add_behind, d["log"], behind, kept,
                                            [*tracker, "--db", str(behind), *ADD], env))),
                                [copy.deepcopy(dump)], memory_limit_mb=300,
                                prime=partial(_keep_records_of, d["log"], behind, kept,
                                              [*tracker, "--db", str(behind), *primer])))
            out.append(Case(f"tracker export, {n:,} (no records kept)", n, "≤ 2x; ≤ 300 MB",
                            2.0, Job("tracker", export_argv, before=partial(fresh_export, True)),
                            [copy.deepcopy(dump)], memory_limit_mb=300))
        if "import" in groups:
            target, rawtarget = tmp / "import.sqlite", tmp / "import-raw.sqlite"
            out.append(Case(f"tracker import, {n:,}", n,
                            "≤ 2x" if n <= 100_000 else "≤ 1 GB", 2.0 if n <= 100_000 else 1e9,
                            Job("tracker", [*tracker, "--db", str(target), "import",
                                            str(d["lines"])],
                                before=partial(copy_db, empty, target)),
                            [Job("orjson + executemany", [*raw, "load", str(d["lines"]),
                                                          str(rawtarget)],
                                 before=partial(remove_db, rawtarget))],
                            memory_limit_mb=None if n <= 100_000 else 1024))
    return out


def _run_quietly(argv: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   env=env)


def _then(*steps: Callable[[], None]) -> None:
    for step in steps:
        step()


def _prime_export(fresh: Callable[[], None], argv: list[str], env: dict[str, str]) -> None:
    fresh()
    _run_quietly(argv, env)


def _forget_records(kept: Path) -> None:
    for path in kept.glob("*.entries*"):
        path.unlink()


def _keep_records_of(log: Path, copy_to: Path, kept: Path, argv: list[str],
                     env: dict[str, str]) -> None:
    """A copy of the log at ``copy_to`` and the tracker's records of it, made (by the command
    ``argv``, as a user last ran one) and set aside for :func:`_one_add_behind`."""
    copy_db(log, copy_to)
    _run_quietly(argv, env)
    aside = kept.parent / "aside"
    shutil.rmtree(aside, ignore_errors=True)
    aside.mkdir(parents=True)
    for path in kept.glob("*.entries*"):
        shutil.copyfile(path, aside / path.name)


def _one_add_behind(log: Path, copy_to: Path, kept: Path, add_argv: list[str],
                    env: dict[str, str]) -> None:
    """The copy of the log and its records as set aside, then one event added to it."""
    copy_db(log, copy_to)
    for path in (kept.parent / "aside").iterdir():
        shutil.copyfile(path, kept / path.name)
    _run_quietly(add_argv, env)


# --------------------------------------------------------------------------- running


def git_commit(root: Path = ROOT) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=False).stdout.strip()
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "tracker",
                                                 "bench") else ""
    return git("rev-parse", "--short=10", "HEAD") + dirty


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def table(results: Sequence[dict[str, Any]]) -> str:
    lines = ["| command | tracker: median (min-max), peak | baseline: median (min-max), peak "
             "| ratio | CPU ratio | target | |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        t = r["tracker"]
        for i, b in enumerate(r["baselines"]):
            lines.append(
                f"| {r['name'] if i == 0 else ''} "
                f"| {t['median_s']:.3g} s ({t['min_s']:.3g}-{t['max_s']:.3g}), {t['peak_mb']:.0f} MB "
                f"| {b['label']}: {b['median_s']:.3g} s ({b['min_s']:.3g}-{b['max_s']:.3g}), "
                f"{b['peak_mb']:.0f} MB "
                f"| {r['ratios'][i]:.2f}x | {_times(r['cpu_ratios'][i])} "
                f"| {r['target'] if i == 0 else ''} "
                f"| {('met' if r['met'] else '**missed**') if i == 0 else ''} |")
    return "\n".join(lines)


def _times(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench commands",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated log sizes")
    parser.add_argument("--only", default="help,add,state,view,pages,export,import",
                        help="comma-separated: help,add,state,view (the readable state),"
                        "pages (the TimelineJS and HTML exports),export,import")
    parser.add_argument("--rounds", type=int, default=5, help="pairs per case (default 5)")
    parser.add_argument("--src", help="run the tracker of this checkout (python -m tracker "
                        "with it first on PYTHONPATH) instead of the installed one")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    groups = set(args.only.split(","))

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-commands-") as folder:
        tmp = Path(folder)
        env = dict(os.environ)
        env.update(HOME=str(tmp / "home"), XDG_CACHE_HOME=str(tmp / "cache"),
                   XDG_DATA_HOME=str(tmp / "data"), PYTHONPATH=str(ROOT))
        env.pop("TRACKER_DB", None)
        # As users run it: Python keeps the modules' bytecode (a shell that sets
        # PYTHONDONTWRITEBYTECODE would have every tracker command compile its sources anew,
        # which the baseline's, all installed and compiled, never do).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([PY, "-m", "compileall", "-q", str(Path(args.src or ROOT) / "tracker")],
                       check=True, env=env)
        if args.src:  # that checkout's tracker first on the path (before the working folder)
            src = str(Path(args.src).resolve())
            tracker = [PY, "-c", f"import sys; sys.path.insert(0, {src!r}); sys.argv[0] = "
                       "'tracker'; from tracker.cli import main; main()"]
        else:
            tracker = [str(Path(PY).parent / "tracker")]
        started = {"time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "uptime": uptime()}
        say(f"{started['time']}: {started['uptime']}")
        floor = run_process(["/bin/true"], env)
        chosen = cases(groups, sizes, tracker, tmp, say, env)
        # the cases' set-up ran in children with the same environment
        results = []
        for case in chosen:
            say(f"  {case.name} ({args.rounds} rounds)")
            case.measure(args.rounds, env, say)
            results.append(case.summary())
        ended = {"time": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "uptime": uptime()}
    report = {"commit": git_commit(Path(args.src) if args.src else ROOT), "src": args.src,
              "started": started, "ended": ended,
              "floor_maxrss_mb": floor.maxrss / MB, "floor_peak_mb": floor.peak / MB,
              "rounds": args.rounds, "results": results}
    print(f"commit {report['commit']}{' running ' + args.src if args.src else ''}; "
          f"{started['time']} to {ended['time']}")
    print(f"load at start: {started['uptime']}\nload at end:   {ended['uptime']}")
    print(f"/bin/true spawned the same way: ru_maxrss {report['floor_maxrss_mb']:.0f} MB "
          f"(inherited from this process), VmHWM {report['floor_peak_mb']:.1f} MB\n")
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
