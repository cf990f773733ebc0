"""Real tiny scene clips and a storyboard ready for its film, for the composition tests."""

import io

from django.core.files.storage import default_storage
from PIL import Image

from media_pipeline import storage
from media_pipeline.backends.local_audio import LocalAudioBackend
from media_pipeline.backends.local_video import LocalVideoBackend
from projects.models import Step
from storyboards.models import GenerationStatus, Storyboard
from tests.factories import SceneFactory, StoryboardFactory

SCENE_SECONDS = 1.5
SCENE_COUNT = 2
FILM_BACKENDS = {
    "video": "media_pipeline.backends.local_video.LocalVideoBackend",
    "audio": "media_pipeline.backends.local_audio.LocalAudioBackend",
}


def film_settings(settings) -> None:
    """The local video and audio backends (the storyboard conftest sets text and image)."""
    settings.MEDIA_PIPELINE = {
        **settings.MEDIA_PIPELINE,
        **{name: {"BACKEND": backend, "OPTIONS": {}} for name, backend in FILM_BACKENDS.items()},
    }


def scene_clip(*, seed: int = 1) -> str:
    """A clip as the Scenes step makes it: a still moved by the local video backend."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 112), (40 * seed % 255, 120, 200)).save(buffer, format="PNG")
    image = storage.store_bytes(buffer.getvalue(), kind="images", extension="png")
    media = LocalVideoBackend().animate(
        image_path=image, duration=SCENE_SECONDS, motion="zoom_in", seed=seed
    )
    return media.path


def ready_storyboard(owner, *, clips: list[str] | None = None) -> Storyboard:
    """The project's current storyboard at the Final step, every scene with a finished clip."""
    storyboard = StoryboardFactory(project__owner=owner, project__step=Step.FINAL, is_current=True)
    for position, clip in enumerate(clips or [scene_clip()] * SCENE_COUNT):
        SceneFactory(
            storyboard=storyboard,
            position=position,
            text=f"Scene {position + 1} words",
            duration=SCENE_SECONDS,
            video=clip,
            video_status=GenerationStatus.DONE,
        )
    return storyboard


def corrupt_clip() -> str:
    return default_storage.save("generated/clips/broken.mp4", io.BytesIO(b"not a video at all"))


def music_file(seconds: float) -> str:
    return LocalAudioBackend().generate(prompt="calm", duration=seconds, seed=3).path
