from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        # Declares the Brief page's live kinds and who may follow a project.
        from projects import live  # noqa: F401
