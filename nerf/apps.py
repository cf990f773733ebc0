from django.apps import AppConfig


class NerfConfig(AppConfig):
    name = "nerf"
    verbose_name = "NeRF captures"
