"""The garbage collector's settings during import passes: applied by the first, restored by the last."""

import gc
import threading

from processor.csv_import import collector


def test_a_pass_collects_less_often_and_restores_the_settings():
    before = gc.get_threshold()
    with collector.spared():
        assert gc.get_threshold() == (collector.PASS_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_overlapping_passes_restore_the_settings_only_when_the_last_ends():
    before = gc.get_threshold()
    first_in, first_may_end = threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector.spared():
            first_in.set()
            first_may_end.wait(5)
            seen["first, after the second ended"] = gc.get_threshold()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector.spared():
        pass
    seen["between"] = gc.get_threshold()
    first_may_end.set()
    thread.join(5)
    assert seen["between"] == (collector.PASS_THRESHOLD, *before[1:])
    assert seen["first, after the second ended"] == (collector.PASS_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failing_pass_restores_the_settings():
    before = gc.get_threshold()
    try:
        with collector.spared():
            raise RuntimeError("the pass failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_a_pass_are_still_collected():
    class Node:
        pass

    with collector.spared():
        for _ in range(3 * collector.PASS_THRESHOLD):
            node = Node()
            node.me = node  # a cycle per object: only the collector frees these
        del node
        alive = sum(isinstance(o, Node) for o in gc.get_objects())
    assert alive < 2 * collector.PASS_THRESHOLD
