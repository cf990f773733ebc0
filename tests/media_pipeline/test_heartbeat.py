"""A job's heartbeat: waits inside a provider call renew the lease of the artifact being made."""

from media_pipeline import heartbeat


def test_a_heartbeat_outside_a_job_does_nothing():
    heartbeat.heartbeat()


def test_heartbeats_are_throttled(monkeypatch):
    beats = []
    with heartbeat.beating(lambda: beats.append(1)):
        heartbeat.heartbeat()
        monkeypatch.setattr(heartbeat, "HEARTBEAT_SECONDS", 0)
        heartbeat.heartbeat()
        heartbeat.heartbeat()
    heartbeat.heartbeat()

    assert beats == [1, 1]
