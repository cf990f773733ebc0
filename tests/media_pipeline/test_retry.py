import random

import pytest

from media_pipeline.retry import backoff_delay


@pytest.fixture(autouse=True)
def seeded_random():
    random.seed(1234)


def test_delay_stays_under_the_exponential_ceiling():
    for attempt in range(6):
        delays = [backoff_delay(attempt) for _ in range(200)]

        assert all(0 <= delay <= 2.0 * 2**attempt for delay in delays)


def test_delays_are_jittered():
    delays = {round(backoff_delay(3), 6) for _ in range(20)}

    assert len(delays) > 15


def test_delay_never_exceeds_the_cap_even_after_many_attempts():
    delays = [backoff_delay(attempt, cap=60) for attempt in (10, 100, 10_000)]

    assert all(delay <= 60 for delay in delays)


def test_retry_after_is_a_floor():
    assert all(backoff_delay(0, retry_after=30) >= 30 for _ in range(50))


def test_retry_after_above_the_cap_is_still_honoured():
    assert backoff_delay(2, retry_after=900, cap=300) == 900


def test_negative_attempt_counts_as_the_first():
    assert all(0 <= backoff_delay(-3) <= 2.0 for _ in range(50))


def test_retry_after_reads_milliseconds_first():
    from media_pipeline.retry import retry_after_seconds

    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_retry_after_reads_seconds_or_an_http_date():
    from datetime import timedelta
    from email.utils import format_datetime

    from django.utils import timezone

    from media_pipeline.retry import retry_after_seconds

    assert retry_after_seconds({"retry-after": "20"}) == 20
    in_a_minute = format_datetime(timezone.now() + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after_seconds({"retry-after": in_a_minute}) <= 60
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
