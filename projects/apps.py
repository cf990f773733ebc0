from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        # Importing projects.live declares the Brief page's live kinds and who may follow a project.
        from media_pipeline.delivery import register_owned_file
        from projects import live  # noqa: F401
        from projects.models import ProductImage, Project, Step
        from projects.steps import register_step

        register_step(Step.BRIEF, "projects:brief")
        register_owned_file(Project, "thumbnail", owner="owner")
        register_owned_file(ProductImage, "image", owner="product__owner")
        register_owned_file(ProductImage, "cutout", owner="product__owner")
