from tests.conftest import SEED
from tracker.app.service import open_timeline


def test_seed_imports_on_each_backend(any_url: str) -> None:
    tl = open_timeline(any_url)
    try:
        report = tl.import_file(SEED)
        assert len(report.added) == 17
        assert tl.verify().ok
        again = tl.import_file(SEED)
        assert again.added == () and len(again.repeated) == 17
    finally:
        tl.close()
