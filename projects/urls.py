from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:project_id>/", views.project_open, name="open"),
    path("<int:project_id>/brief", views.brief, name="brief"),
    path("<int:project_id>/card", views.project_card, name="card"),
    path("<int:project_id>/rename", views.project_rename, name="rename"),
    path("<int:project_id>/duplicate", views.project_duplicate, name="duplicate"),
    path("<int:project_id>/delete", views.project_delete, name="delete"),
]
