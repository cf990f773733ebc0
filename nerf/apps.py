from django.apps import AppConfig


class NerfConfig(AppConfig):
    name = "nerf"
    verbose_name = "NeRF captures"

    def ready(self) -> None:
        # Importing nerf.live declares the capture card's live kind and the page's snapshot.
        from media_pipeline.delivery import register_owned_file
        from nerf import live  # noqa: F401
        from nerf.models import NerfJob

        for field in ("turntable", "poster"):
            register_owned_file(NerfJob, field, owner="product__owner")
