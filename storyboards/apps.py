from django.apps import AppConfig


class StoryboardsConfig(AppConfig):
    name = "storyboards"

    def ready(self) -> None:
        # Declares the Mood page's live kinds.
        from storyboards import live  # noqa: F401
