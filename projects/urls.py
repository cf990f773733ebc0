from django.urls import path

from projects import product_views, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:project_id>/", views.project_open, name="open"),
    path("<int:project_id>/brief", views.brief, name="brief"),
    path("<int:project_id>/brief/card", views.brief_card, name="brief_card"),
    path("<int:project_id>/brief/edit", views.brief_edit, name="brief_edit"),
    path("<int:project_id>/brief/messages", views.chat_send, name="chat_send"),
    path("<int:project_id>/brief/messages/earlier", views.chat_earlier, name="chat_earlier"),
    path(
        "<int:project_id>/brief/messages/<int:message_id>/retry",
        views.chat_retry,
        name="chat_retry",
    ),
    path("<int:project_id>/card", views.project_card, name="card"),
    path("<int:project_id>/rename", views.project_rename, name="rename"),
    path("<int:project_id>/duplicate", views.project_duplicate, name="duplicate"),
    path("<int:project_id>/delete", views.project_delete, name="delete"),
    path("<int:project_id>/product", product_views.project_product, name="project_product"),
    path("products/", product_views.product_list, name="products"),
    path("products/<int:product_id>/", product_views.product_detail, name="product"),
    path("products/<int:product_id>/delete", product_views.product_delete, name="product_delete"),
    path(
        "products/<int:product_id>/photos",
        product_views.product_photos_upload,
        name="product_photos",
    ),
    path(
        "products/<int:product_id>/video",
        product_views.product_video_upload,
        name="product_video",
    ),
    path(
        "products/<int:product_id>/photos/<int:image_id>",
        product_views.product_photo_tile,
        name="product_photo",
    ),
    path(
        "products/<int:product_id>/photos/<int:image_id>/<str:action>",
        product_views.product_photo_action,
        name="product_photo_action",
    ),
]
