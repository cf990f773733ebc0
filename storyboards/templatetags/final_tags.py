from django import template

from storyboards.final_selectors import composition_download_name
from storyboards.models import Composition

register = template.Library()


@register.filter
def download_url(composition: Composition) -> str:
    """The film's owner-checked URL, asking for it as `<project-title>-<format>.mp4`."""
    return f"{composition.video.url}?download={composition_download_name(composition)}"
