from django.urls import path

from storyboards import final_views, views

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
    path("<int:project_id>/final", final_views.final, name="final"),
    path("<int:project_id>/final/compose", final_views.final_compose, name="final_compose"),
    path(
        "<int:project_id>/final/<int:composition_id>/cancel",
        final_views.composition_cancel,
        name="composition_cancel",
    ),
    path(
        "<int:project_id>/final/<int:composition_id>/retry",
        final_views.composition_retry,
        name="composition_retry",
    ),
    path(
        "<int:project_id>/final/<int:composition_id>/delete",
        final_views.composition_delete,
        name="composition_delete",
    ),
]
