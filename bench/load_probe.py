"""The load and kill probe of issue 16, runnable again: concurrent writers, readers and backups
on one log, then SIGKILLs during appends, imports and backups; it reports what was lost.

    python -m bench.load_probe sqlite|postgresql [--writers 4] [--appends 100] [--kills 30]

Each writer is a process appending events one at a time through the service and noting each id
once its append has returned (fsync'd): an acknowledged event. Afterwards every acknowledged id
must be in the log, positions must be 1..N with no gap, the chain must verify, an import killed
mid-way must have left none or all of its events, and a killed backup must leave nothing behind
once the next backup has run. Not part of the test suite (it runs for minutes); its figures go
into the report of issue 16.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("TRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def writer(url: str, prefix: str, count: int, acks: str) -> None:
    from tests.integrity_data import event
    from tracker.app.service import open_timeline

    tl = open_timeline(url)
    with open(acks, "a") as out:
        for n in range(count):
            obj = event(prefix, n)
            tl.add(obj)
            out.write(obj["id"] + "\n")
            out.flush()
            os.fsync(out.fileno())
    tl.close()


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def tracker(url: str, *args: str) -> subprocess.Popen[bytes]:
    return spawn("-m", "tracker", "--db", url, *args)


def ids_in(url: str) -> list[tuple[int, str]]:
    from tracker.app.service import open_timeline

    tl = open_timeline(url)
    try:
        return [(r.position, r.id) for r in tl.recorder.read(after=None)]
    finally:
        tl.close()


def new_pg_database() -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"tracker_load_{secrets.token_hex(4)}"
    admin = make_url(PG).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--appends", type=int, default=100)
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--import-size", type=int, default=500)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    url = str(work / "log.sqlite") if opts.backend == "sqlite" else new_pg_database()
    subprocess.run([sys.executable, "-m", "tracker", "--db", url, "db", "upgrade"], cwd=ROOT,
                   check=True, capture_output=True)
    acks = work / "acks.txt"
    report: dict[str, Any] = {"backend": opts.backend, "writers": opts.writers,
                              "appends_each": opts.appends}

    # 1. concurrent writers, with a reader (verify) and backups running meanwhile
    started = time.monotonic()
    writers = [spawn("-m", "bench.load_probe", "_writer", url, f"w{i}", str(opts.appends),
                     str(acks)) for i in range(opts.writers)]
    side = 0
    while any(w.poll() is None for w in writers):
        for args in (["verify"], ["backup", str(work / f"during-{side}.sqlite")]):
            p = tracker(url, *args)
            _, err = p.communicate(timeout=600)
            report.setdefault("side_failures", []).extend(
                [err.decode()[:200]] if p.returncode else [])
        side += 1
    report["writer_exit_codes"] = [w.returncode for w in writers]
    report["writers_seconds"] = round(time.monotonic() - started, 1)
    report["side_runs"] = side * 2
    for i in range(side):  # every backup taken meanwhile verifies on its own
        copy = work / f"during-{i}.sqlite"
        done = subprocess.run([sys.executable, "-m", "tracker", "--db", str(copy), "verify"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode:
            report.setdefault("bad_backups", []).append(done.stderr[:200])

    # 2. SIGKILLs during appends, imports and backups
    from tests.integrity_data import write_lines

    rng = random.Random(16)
    kills: dict[str, int] = {"append": 0, "import": 0, "backup": 0}
    imports: list[str] = []
    for k in range(opts.kills):
        what = ("append", "import", "backup")[k % 3]
        if what == "append":
            proc = spawn("-m", "bench.load_probe", "_writer", url, f"k{k}", "1000", str(acks))
        elif what == "import":
            prefix = f"imp{k}"
            imports.append(prefix)
            path = write_lines(work / f"{prefix}.jsonl", prefix, opts.import_size)
            proc = tracker(url, "import", str(path))
        else:
            proc = tracker(url, "backup", str(work / "killed-backup.sqlite"), "--force")
        time.sleep(rng.uniform(0.5, 4.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills[what] += 1
        proc.wait()
    report["sigkills"] = kills

    # 3. what is in the log, and what was lost
    rows = ids_in(url)
    present = {i for _, i in rows}
    acked = [line for line in acks.read_text().split() if line]
    report["acknowledged_appends"] = len(acked)
    report["lost_acknowledged"] = sorted(set(acked) - present)
    report["rows"] = len(rows)
    report["positions_gap_free"] = [p for p, _ in rows] == list(range(1, len(rows) + 1))
    partial = {}
    for prefix in imports:
        n = sum(1 for i in present if i.startswith(prefix + "-"))
        if n not in (0, opts.import_size):
            partial[prefix] = n
    report["imports_killed_or_done"] = len(imports)
    report["imports_whole"] = sum(1 for p in imports
                                  if sum(1 for i in present if i.startswith(p + "-")))
    report["partial_imports"] = partial
    verify = subprocess.run([sys.executable, "-m", "tracker", "--db", url, "verify"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    report["verify"] = (verify.stdout or verify.stderr).strip()[:120]
    final = subprocess.run([sys.executable, "-m", "tracker", "--db", url, "backup",
                            str(work / "killed-backup.sqlite"), "--force"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    report["final_backup"] = (final.stdout or final.stderr).strip()[:120]
    report["leftovers_after_next_backup"] = sorted(
        p.name for p in work.iterdir() if p.name.startswith("."))
    if opts.backend == "sqlite":
        with sqlite3.connect(url) as conn:
            report["integrity_check"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    print(json.dumps(report, indent=1))
    return 0 if not report["lost_acknowledged"] and not partial else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_writer":
        writer(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        sys.exit(0)
    sys.exit(main())
