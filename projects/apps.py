from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from projects import live_renderers
        from projects.models import Step
        from projects.steps import register_step

        register_step(Step.BRIEF, "projects:brief")
        live_renderers.register()
