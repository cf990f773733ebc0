from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.static import serve

from config import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("media_pipeline.urls")),
    path("live/", include("live.urls")),
    path("projects/", include("projects.urls")),
    path("projects/", include("storyboards.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            login_not_required(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
