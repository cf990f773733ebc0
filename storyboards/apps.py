from django.apps import AppConfig


class StoryboardsConfig(AppConfig):
    name = "storyboards"

    def ready(self) -> None:
        from projects.live import register_renderer, register_snapshot
        from projects.models import Step
        from storyboards.live import mood_renderer, moods_renderer, moods_snapshot
        from storyboards.services import MOOD_KIND, MOODS_KIND

        register_renderer(MOOD_KIND, mood_renderer, page=Step.MOOD.value)
        register_renderer(MOODS_KIND, moods_renderer, page=Step.MOOD.value)
        register_snapshot(moods_snapshot, page=Step.MOOD.value)
