"""The Final step's settings form: how the film joins, frames, captions and sounds."""

from typing import Any

from django import forms

from media_pipeline.compose import FORMATS
from storyboards.final_selectors import FinalPage
from storyboards.models import Composition

# Short enough for the select at phone width; where each one goes is the field's help text.
FORMAT_LABELS = {
    "9:16": "9:16 · vertical",
    "4:5": "4:5 · portrait",
    "1:1": "1:1 · square",
    "16:9": "16:9 · landscape",
}
DEFAULT_FORMAT = "9:16"
MAX_VOLUME_PERCENT = 200


class CompositionForm(forms.Form):
    transition = forms.ChoiceField(
        choices=Composition.Transition.choices,
        initial=Composition.Transition.CROSSFADE,
        widget=forms.RadioSelect,
    )
    captions = forms.BooleanField(required=False, label="Burn in captions (each scene's text)")
    aspect_ratio = forms.ChoiceField(
        label="Format",
        choices=[(ratio, FORMAT_LABELS[ratio]) for ratio in FORMATS],
        help_text="Vertical for Reels, TikTok and Shorts; portrait for feeds; landscape for YouTube.",
    )
    reframe = forms.ChoiceField(
        choices=Composition.Reframe.choices,
        initial=Composition.Reframe.PAD,
        widget=forms.RadioSelect,
        help_text="How clips of another shape fill the frame.",
    )
    audio_source = forms.ChoiceField(
        label="Music",
        choices=Composition.AudioSource.choices,
        initial=Composition.AudioSource.GENERATED,
        widget=forms.RadioSelect,
    )
    audio_upload = forms.FileField(
        label="Your track",
        required=False,
        help_text="MP3, WAV, M4A, AAC or OGG, up to 5 minutes.",
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*,.mp3,.wav,.m4a,.aac,.ogg"}),
    )
    volume = forms.IntegerField(
        label="Music volume (%)",
        min_value=0,
        max_value=MAX_VOLUME_PERCENT,
        initial=100,
        widget=forms.NumberInput(attrs={"step": 5, "inputmode": "numeric"}),
    )

    def service_kwargs(self) -> dict[str, Any]:
        """What `composition_start` takes, from the cleaned values."""
        data = dict(self.cleaned_data)
        data["audio_volume"] = data.pop("volume") / 100
        return data


def form_initial(page: FinalPage) -> dict[str, Any]:
    """The last film's settings, else the brief's format: the next film starts from there."""
    last = page.current
    if last is None:
        ratio = page.project.brief.get("aspect_ratio")
        return {"aspect_ratio": ratio if ratio in FORMATS else DEFAULT_FORMAT}
    return {
        "transition": last.transition,
        "captions": last.captions,
        "aspect_ratio": last.aspect_ratio,
        "reframe": last.reframe,
        "audio_source": last.audio_source,
        "volume": round(last.audio_volume * 100),
    }
