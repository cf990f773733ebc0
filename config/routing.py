"""WebSocket routes of every app, in one list for the ASGI router."""

from django.urls import path

from live.consumers import ProjectConsumer

websocket_urlpatterns: list = [
    path("ws/projects/<int:project_id>/", ProjectConsumer.as_asgi()),
]
