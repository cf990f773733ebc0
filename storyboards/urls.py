from django.urls import path

from storyboards import final_views, scene_services, views

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
    path(
        "<int:project_id>/scenes/initialize",
        views.storyboard_initialize,
        name="storyboard_initialize",
    ),
    *[
        path(
            f"<int:project_id>/storyboards/<int:storyboard_id>/{slug}",
            views.storyboard_action,
            {"action": action},
            name=name,
        )
        for slug, action, name in (
            ("approve-texts", scene_services.storyboard_approve_texts, "storyboard_approve_texts"),
            (
                "generate-images",
                scene_services.storyboard_generate_images,
                "storyboard_generate_images",
            ),
            (
                "generate-videos",
                scene_services.storyboard_generate_videos,
                "storyboard_generate_videos",
            ),
            ("retry-failed", scene_services.storyboard_retry_failed, "storyboard_retry_failed"),
        )
    ],
    path(
        "<int:project_id>/storyboards/<int:storyboard_id>/finish",
        views.storyboard_finish,
        name="storyboard_finish",
    ),
    *[
        path(f"<int:project_id>/scenes/<int:scene_id>/{slug}", view, name=name)
        for slug, view, name in (
            ("text", views.scene_text, "scene_text"),
            ("rewrite", views.scene_rewrite, "scene_rewrite"),
            ("approve-text", views.scene_approve_text, "scene_approve_text"),
            ("image", views.scene_image, "scene_image"),
            ("approve-image", views.scene_approve_image, "scene_approve_image"),
            ("place-product", views.scene_place_product, "scene_place_product"),
            ("image-back", views.scene_image_back, "scene_image_back"),
            ("turntable", views.scene_turntable, "scene_turntable"),
            ("video", views.scene_video, "scene_video"),
            ("timing", views.scene_timing, "scene_timing"),
            ("add", views.scene_add, "scene_add"),
            ("delete", views.scene_delete, "scene_delete"),
            ("move", views.scene_move, "scene_move"),
        )
    ],
]
