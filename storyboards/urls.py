from django.urls import path

from storyboards import views

app_name = "storyboards"
urlpatterns = [
    path("<int:project_id>/mood", views.mood, name="mood"),
    path("<int:project_id>/mood/generate", views.mood_generate, name="mood_generate"),
    path(
        "<int:project_id>/mood/<int:mood_id>/regenerate",
        views.mood_regenerate,
        name="mood_regenerate",
    ),
    path("<int:project_id>/mood/<int:mood_id>/select", views.mood_select, name="mood_select"),
    path("<int:project_id>/scenes", views.scenes, name="scenes"),
    path("<int:project_id>/final", views.final, name="final"),
]
