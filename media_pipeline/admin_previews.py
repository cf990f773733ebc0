"""Thumbnails and players for stored media in the admin, so staff see what was generated.

    preview = image_preview("image")          # in a ModelAdmin: list_display / readonly_fields
    film = video_preview("video", poster="thumbnail")

The files are served by the owner-checked /media/ view, which lets staff see every file.
"""

from collections.abc import Callable

from django.contrib import admin
from django.db import models
from django.utils.html import format_html

THUMBNAIL_HEIGHT = 96
PLAYER_HEIGHT = 240
EMPTY = "—"


def image_preview(field: str) -> Callable[[admin.ModelAdmin, models.Model], str]:
    @admin.display(description="Preview")
    def preview(model_admin: admin.ModelAdmin, obj: models.Model) -> str:
        file = getattr(obj, field)
        if not file:
            return EMPTY
        return format_html(
            '<img src="{}" alt="" loading="lazy" style="max-height:{}px">',
            file.url,
            THUMBNAIL_HEIGHT,
        )

    return preview


def video_preview(
    field: str, *, poster: str = ""
) -> Callable[[admin.ModelAdmin, models.Model], str]:
    @admin.display(description="Player")
    def player(model_admin: admin.ModelAdmin, obj: models.Model) -> str:
        file = getattr(obj, field)
        if not file:
            return EMPTY
        poster_file = getattr(obj, poster) if poster else None
        return format_html(
            '<video src="{}" poster="{}" controls muted playsinline preload="none" style="max-height:{}px"></video>',
            file.url,
            poster_file.url if poster_file else "",
            PLAYER_HEIGHT,
        )

    return player
