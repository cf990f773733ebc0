import pytest

from media_pipeline import deadlines
from media_pipeline.deadlines import Deadline, DeadlineExceeded


def test_a_passed_deadline_raises_a_retryable_error_naming_the_provider():
    deadline = Deadline(0, provider="Replicate")

    with pytest.raises(DeadlineExceeded) as caught:
        deadline.check()

    assert (caught.value.permanent, caught.value.message) == (
        False,
        "Replicate did not finish within 0 s; trying again.",
    )


def test_waits_and_timeouts_are_cut_to_what_remains():
    deadline = Deadline(60, provider="OpenAI")

    assert deadline.allows(1)
    assert not deadline.allows(61)
    assert deadline.timeout(5) == 5
    assert 59 < deadline.timeout(120) <= 60
    assert Deadline(0, provider="OpenAI").timeout(5) == deadlines.MIN_TIMEOUT_SECONDS


def test_the_innermost_deadline_is_the_active_one():
    outer, inner = Deadline(60, provider="A"), Deadline(1, provider="B")

    with deadlines.within(outer):
        with deadlines.within(inner):
            assert deadlines.current() is inner
        assert deadlines.current() is outer
    assert deadlines.active() is None
    with pytest.raises(RuntimeError):
        deadlines.current()
