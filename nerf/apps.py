from django.apps import AppConfig


class NerfConfig(AppConfig):
    name = "nerf"
    verbose_name = "NeRF captures"

    def ready(self) -> None:
        # Importing nerf.live declares the capture card's live kind and the page's snapshot.
        from media_pipeline.delivery import register_owned_file
        from nerf import live  # noqa: F401
        from nerf.models import NerfJob
        from nerf.selectors import capture_turntable
        from projects.products import register_turntable_source
        from projects.steps import register_tool

        for field in ("turntable", "poster"):
            register_owned_file(NerfJob, field, owner="product__owner")
        register_tool("3D capture", "nerf:capture")
        register_turntable_source(capture_turntable)
