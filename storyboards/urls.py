from django.urls import path

from storyboards import views

app_name = "storyboards"
urlpatterns = [
    path("<int:project_id>/mood", views.mood, name="mood"),
    path("<int:project_id>/scenes", views.scenes, name="scenes"),
    path("<int:project_id>/final", views.final, name="final"),
]
