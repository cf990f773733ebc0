from django.urls import path

from nerf import views

app_name = "nerf"
urlpatterns = [
    path("<int:project_id>/capture", views.capture_page, name="capture"),
    path("<int:project_id>/capture/start", views.capture_start, name="capture_start"),
    path(
        "captures/<int:capture_id>/<str:action>",
        views.capture_action,
        name="capture_action",
    ),
]
