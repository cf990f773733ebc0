from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.routes import urls as api_urls
from config import views
from media_pipeline import delivery

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", include("api.urls")),
    path("api/", api_urls),
    path("admin/", admin.site.urls),
    path("", include("media_pipeline.urls")),
    path("live/", include("live.urls")),
    path("projects/", include("projects.urls")),
    path("projects/", include("storyboards.urls")),
    path("projects/", include("nerf.urls")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", delivery.serve_media, name="media"),
]
