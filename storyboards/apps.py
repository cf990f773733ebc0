from django.apps import AppConfig


class StoryboardsConfig(AppConfig):
    name = "storyboards"

    def ready(self) -> None:
        from projects.live import register_renderer, register_snapshot
        from storyboards.live import mood_renderer, moods_renderer, moods_snapshot
        from storyboards.services import MOOD_KIND, MOODS_KIND

        register_renderer(MOOD_KIND, mood_renderer)
        register_renderer(MOODS_KIND, moods_renderer)
        register_snapshot(moods_snapshot)
