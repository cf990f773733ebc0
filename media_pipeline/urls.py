from django.urls import path

from media_pipeline import views, webhooks

app_name = "media_pipeline"
urlpatterns = [
    path(webhooks.WEBHOOK_PATH.lstrip("/"), views.replicate_webhook, name="replicate_webhook"),
]
