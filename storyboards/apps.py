from django.apps import AppConfig


class StoryboardsConfig(AppConfig):
    name = "storyboards"

    def ready(self) -> None:
        # Importing the live modules declares the Mood, Scenes and Final pages' live kinds.
        from media_pipeline.delivery import register_owned_file
        from projects.models import Step
        from projects.signals import project_duplicated
        from projects.steps import register_step
        from storyboards import final_live, live, scene_live  # noqa: F401
        from storyboards.models import Composition, MoodImage, Scene
        from storyboards.services import mood_copy_all

        register_step(
            Step.MOOD,
            "storyboards:mood",
            locked_reason="Finish the brief first: every field of the brief card needs a value.",
        )
        register_step(Step.SCENES, "storyboards:scenes", locked_reason="Pick a mood board first.")
        register_step(
            Step.FINAL, "storyboards:final", locked_reason="Approve a video for every scene first."
        )
        project_duplicated.connect(mood_copy_all, dispatch_uid="storyboards.mood_copy_all")
        register_owned_file(MoodImage, "image", owner="mood__project__owner")
        for field in ("image", "previous_image", "video"):
            register_owned_file(Scene, field, owner="storyboard__project__owner")
        for field in ("audio", "video", "thumbnail"):
            register_owned_file(Composition, field, owner="storyboard__project__owner")
