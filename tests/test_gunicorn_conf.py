"""gunicorn.conf.py's hooks: long-lived objects are frozen out of the garbage collector's way once the
worker has started and once it has served its first requests (the p99 of ``make bench``)."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def conf():
    settings = runpy.run_path(str(CONF))
    yield settings
    gc.unfreeze()


def test_a_started_worker_freezes_what_it_loaded(conf):
    gc.unfreeze()
    conf["post_worker_init"](SimpleNamespace())
    assert gc.get_freeze_count() > 0


def test_the_worker_freezes_again_once_after_its_first_requests(conf):
    worker = SimpleNamespace()
    gc.unfreeze()
    for _ in range(conf["GC_FREEZE_AFTER"] - 1):
        conf["post_request"](worker, None, {}, None)
    assert gc.get_freeze_count() == 0
    conf["post_request"](worker, None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    gc.unfreeze()
    conf["post_request"](worker, None, {}, None)  # only once
    assert gc.get_freeze_count() == 0
