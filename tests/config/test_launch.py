import redis

from config import launch


def test_an_embedded_redis_starts_when_none_answers(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(launch, "DEFAULT_REDIS", "redis://127.0.0.1:1")
    server = launch.prepare_redis("test")
    try:
        assert server is not None
        url = launch.os.environ["REDIS_URL"]
        assert url.endswith("/1")
        assert redis.Redis.from_url(url).ping()
    finally:
        server.stop()


def test_a_reachable_redis_is_used_as_it_is(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(launch, "redis_answers", lambda url: True)
    assert launch.prepare_redis("run") is None
    assert launch.os.environ["REDIS_URL"] == f"{launch.DEFAULT_REDIS}/0"


def test_an_explicit_redis_url_wins(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/3")
    assert launch.prepare_redis("run") is None
    assert launch.os.environ["REDIS_URL"] == "redis://elsewhere:6379/3"
