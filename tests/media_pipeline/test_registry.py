import pytest

from config import settings as project_settings
from media_pipeline.backends.local_audio import LocalAudioBackend
from media_pipeline.backends.local_capture import LocalCaptureBackend
from media_pipeline.backends.local_compositing import LocalCompositingBackend
from media_pipeline.backends.local_cutout import LocalCutoutBackend
from media_pipeline.backends.local_image import LocalImageBackend
from media_pipeline.backends.local_text import LocalTextBackend
from media_pipeline.backends.local_video import LocalVideoBackend
from media_pipeline.registry import CAPABILITIES, providers

LOCAL_CLASSES = {
    "text": LocalTextBackend,
    "image": LocalImageBackend,
    "video": LocalVideoBackend,
    "compositing": LocalCompositingBackend,
    "audio": LocalAudioBackend,
    "cutout": LocalCutoutBackend,
    "capture": LocalCaptureBackend,
}


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_each_capability_builds_its_configured_backend_once(capability):
    backend = providers[capability]

    assert isinstance(backend, LOCAL_CLASSES[capability])
    assert providers[capability] is backend


def test_options_reach_the_backend_constructor():
    assert providers["text"].token_delay == 0


def test_changing_the_setting_builds_a_new_backend(settings):
    before = providers["text"]

    settings.MEDIA_PIPELINE = settings.MEDIA_PIPELINE | {
        "text": {
            "BACKEND": "media_pipeline.backends.local_text.LocalTextBackend",
            "OPTIONS": {"token_delay": 0.5},
        }
    }

    assert providers["text"] is not before
    assert providers["text"].token_delay == 0.5


def test_video_backend_follows_the_quality_profile(settings):
    settings.QUALITY_PROFILE = settings.QUALITY_PROFILE | {"frame_size": (32, 48), "fps": 6}

    video = providers["video"]

    assert (video.width, video.height, video.fps) == (32, 48, 6)


def test_unknown_capability_is_a_key_error():
    with pytest.raises(KeyError, match="capability"):
        providers["smell"]


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_without_a_key_the_local_backend_is_chosen(monkeypatch, capability):
    real, local, _key = project_settings.BACKENDS[capability]
    monkeypatch.setitem(project_settings.BACKENDS, capability, (real, local, ""))
    monkeypatch.delenv(f"{capability.upper()}_BACKEND", raising=False)

    assert project_settings.choose_backend(capability) == local


@pytest.mark.parametrize(("forced", "index"), [("local", 1), ("real", 0)])
def test_a_backend_can_be_forced_by_environment(monkeypatch, forced, index):
    monkeypatch.setenv("IMAGE_BACKEND", forced)

    assert project_settings.choose_backend("image") == project_settings.BACKENDS["image"][index]


def test_every_local_backend_can_be_built_without_options():
    for backend_class in LOCAL_CLASSES.values():
        assert backend_class() is not None
