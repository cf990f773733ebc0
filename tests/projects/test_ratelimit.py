import logging

import pytest

from projects import ratelimit
from projects.ratelimit import RateLimited, rate_limit_hit
from tests.redis_server import serve

WINDOW = 60


@pytest.fixture
def throwaway_redis(tmp_path):
    yield from serve(tmp_path)


@pytest.fixture
def clock(monkeypatch, settings):
    """Three requests a minute in a test bucket; `clock.now` is the time the limiter sees."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (3, WINDOW)}

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(ratelimit.time, "time", lambda: Clock.now)
    return Clock


def hit(user_id: int = 1) -> None:
    rate_limit_hit(user_id=user_id, bucket="test")


def test_requests_past_the_limit_are_refused_with_the_wait(clock):
    for _ in range(3):
        hit()
    clock.now += 20
    with pytest.raises(RateLimited) as refused:
        hit()
    assert refused.value.retry_in == 40
    assert "Try again in 40 seconds" in str(refused.value)


def test_a_burst_across_a_window_edge_is_refused(clock):
    clock.now = 59 * WINDOW + 59.5  # half a second before a fixed window would end
    for _ in range(3):
        hit()
    clock.now += 1
    with pytest.raises(RateLimited):
        hit()


def test_each_request_leaves_the_window_a_minute_after_it_came(clock):
    hit()
    clock.now += 30
    hit()
    hit()
    clock.now += 30.001
    hit()
    with pytest.raises(RateLimited):
        hit()


def test_refused_requests_do_not_count(clock):
    for _ in range(3):
        hit()
    for _ in range(5):
        with pytest.raises(RateLimited):
            hit()
    clock.now += WINDOW + 0.001
    for _ in range(3):
        hit()


def test_users_and_buckets_are_counted_apart(clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "other": (1, WINDOW)}
    for _ in range(3):
        hit(user_id=1)
    hit(user_id=2)
    rate_limit_hit(user_id=1, bucket="other")


def test_redis_down_lets_the_request_through_with_a_warning(
    clock, settings, throwaway_redis, caplog
):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": throwaway_redis.url()}}
    throwaway_redis.stop()
    with caplog.at_level(logging.WARNING, logger="projects.ratelimit"):
        for _ in range(5):
            hit()
    assert "Rate limit test not checked for user 1" in caplog.text


def test_redis_back_the_limit_counts_again(clock, settings, throwaway_redis):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": throwaway_redis.url()}}
    hit()
    throwaway_redis.stop()
    throwaway_redis.start()
    for _ in range(3):
        hit()
    with pytest.raises(RateLimited):
        hit()


def test_a_limit_of_zero_refuses_for_a_whole_window(clock, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "test": (0, WINDOW)}
    with pytest.raises(RateLimited) as refused:
        hit()
    assert refused.value.retry_in == WINDOW
