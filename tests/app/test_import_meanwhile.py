"""An import reads what admission looks back on before its transaction; another writer appending
meanwhile makes it read again, never check against a log that has moved on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.app.service import IMPORT_ATTEMPTS, Timeline, open_timeline
from tracker.codec import document
from tracker.domain.admission import ImportNames
from tracker.errors import AppendConflict


def event(n: int, **extra: object) -> dict[str, object]:
    return {"id": f"ev-{n}", "type": "statement.made", "story": "2014-03-10",
            "summary": f"statement {n}", "source": {"outlet": "TASS", "published": "2014-03-10"},
            **extra}


class ReadWhileAnotherWrites(document.EntryList):
    """An input whose look-back reading (``names``, read before the import's transaction) lets
    another writer, a second open of the same log, append one event, ``times`` times."""

    def __init__(self, objs: list[dict[str, object]], other: Timeline, times: int) -> None:
        super().__init__(document.Entry(f"input event {i}", o) for i, o in enumerate(objs, 1))
        self.other = other
        self.times = times
        self.appended: list[str] = []

    @property
    def names(self) -> ImportNames:
        if len(self.appended) < self.times:
            n = 100 + len(self.appended)
            self.appended.append(self.other.add(event(n)).id)
        return super().names


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[tuple[Timeline, Timeline]]:
    path = str(tmp_path / "log.sqlite")
    mine = open_timeline(path)
    mine.add(event(1))
    other = open_timeline(path)
    try:
        yield mine, other
    finally:
        other.close()
        mine.close()


def test_an_import_is_read_again_when_another_writer_appended_meanwhile(
        logs: tuple[Timeline, Timeline]) -> None:
    mine, other = logs
    data = document.Input(ReadWhileAnotherWrites([event(2), event(3)], other, times=1), None,
                          "array")
    report = mine.import_input(data)
    assert [e.id for e in report.added] == ["ev-2", "ev-3"]
    assert [e.id for e in mine.events()] == ["ev-1", "ev-100", "ev-2", "ev-3"]


def test_an_import_that_another_writer_keeps_overtaking_is_refused_and_writes_nothing(
        logs: tuple[Timeline, Timeline]) -> None:
    mine, other = logs
    entries = ReadWhileAnotherWrites([event(2), event(3)], other, times=IMPORT_ATTEMPTS)
    with pytest.raises(AppendConflict) as caught:
        mine.import_input(document.Input(entries, None, "array"))
    at = 1 + IMPORT_ATTEMPTS
    assert caught.value.message == (
        f"the log is at position {at}, not {at - 1}: someone else appended meanwhile; "
        "look again and retry")
    assert [e.id for e in mine.events()] == ["ev-1", *entries.appended]
