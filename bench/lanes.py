"""The app's lanes view (the timeline drawn as time) on a large log: opening it and stepping.

Headless (``App.run_test`` at 160x50), in a fresh process, on a copy of a generated log
(:func:`bench.tui.log_for`). Once the view's state index is there (loaded from the cache, or
built), ``l`` is pressed and the time to the first frame showing the lanes is taken (it includes
the one pass over the view's steps that the lanes need); then ``j`` is pressed at a human pace,
and for each step the time from the key to the first frame with the cursor moved (the header)
and to the first frame showing the lanes around the new event (they come from a worker).

    python -m bench.lanes                  # 1M events
    python -m bench.lanes --size 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/lanes.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.tui import FrameWatch, _p, log_for, peak_rss_mb


async def _measure(path: Path, steps: int) -> dict[str, float]:
    from textual import events

    from tracker.app.service import open_timeline
    from tracker.tui.app import TrackerApp

    timeline = open_timeline(str(path), create=False)
    app = TrackerApp(timeline, watch_every=None)
    started = time.perf_counter()
    async with app.run_test(size=(160, 50)):
        frames = FrameWatch(app)
        session = app.session
        while session.steppers.get(session.stepper_key) is None:
            await asyncio.sleep(0.05)
        ready_s = time.perf_counter() - started
        t0 = time.perf_counter()
        app.post_message(events.Key("l", "l"))
        shown = await frames.first_frame_where(lambda: app.lanes_view.window is not None)
        open_ms = (shown - t0) * 1000
        moved: list[float] = []
        drawn: list[float] = []
        lanes = 0
        for _ in range(steps):
            before = session.cursor
            t0 = time.perf_counter()
            app.post_message(events.Key("j", "j"))
            at = await frames.first_frame_where(lambda b=before: session.cursor == b + 1)
            moved.append((at - t0) * 1000)
            done = await frames.first_frame_where(
                lambda b=before: app.lanes_view.row == b + 1)
            drawn.append((done - t0) * 1000)
            window = app.lanes_view.window
            lanes = max(lanes, len(window.lanes) if window is not None else 0)
            await asyncio.sleep(0.15)  # a brisk human pace
        rss = peak_rss_mb()
    timeline.close()
    return {"events": session.outline.count, "ready_s": ready_s, "open_ms": open_ms,
            "step_p50_ms": statistics.median(moved), "step_p95_ms": _p(moved, 0.95),
            "lanes_p50_ms": statistics.median(drawn), "lanes_p95_ms": _p(drawn, 0.95),
            "lanes": lanes, "rss_mb": rss}


def run(n: int, steps: int) -> dict[str, Any]:
    """The figures of one size, measured in a fresh process on a copy of its log: opened once
    to build and save the state index, then measured with the index loaded (as a user
    reopening the log they had open)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "log.sqlite"
        shutil.copyfile(log_for(n), copy)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        for k in (2, steps):  # the first run builds the index and saves it
            proc = subprocess.run(
                [sys.executable, "-m", "bench.lanes", "--one", str(copy), "--steps", str(k)],
                capture_output=True, text=True, env=env, check=False,
                cwd=Path(__file__).resolve().parent.parent)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr)
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["load"] = os.getloadavg()[0]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--one", help="measure this log in this process (internal)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(_measure(Path(args.one), args.steps))))
        return
    print(json.dumps(run(args.size, args.steps), indent=1))


if __name__ == "__main__":
    main()
