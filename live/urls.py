from django.urls import path

from live import views

app_name = "live"
urlpatterns = [
    path("projects/<int:project_id>/snapshot", views.snapshot, name="snapshot"),
]
