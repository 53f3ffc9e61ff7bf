"""The collector's threshold is raised only while bulk work runs, and restored after the last
overlapping block ends, even when the work fails."""

import gc
import threading

import pytest

from planner.collector import YOUNG_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_inside_and_restored_after_even_on_failure():
    before = gc.get_threshold()
    with pytest.raises(ValueError), fewer_collections():
        assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, before[0])
        assert gc.get_threshold()[1:] == before[1:]
        raise ValueError("the import failed")
    assert gc.get_threshold() == before


def test_overlapping_blocks_restore_the_threshold_when_the_last_one_ends():
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def other():
        with fewer_collections():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with fewer_collections():
        pass
    assert gc.get_threshold()[0] == max(YOUNG_THRESHOLD, before[0])  # the other block still runs
    release.set()
    thread.join(5)
    assert gc.get_threshold() == before
