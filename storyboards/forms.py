from django import forms

from media_pipeline.base import MAX_SCENE_SECONDS, MIN_SCENE_SECONDS, CameraMove
from storyboards.models import Scene

MAX_TEXT_LENGTH = 600
MAX_INSTRUCTION_LENGTH = 200
DURATION_MESSAGE = (
    f"Duration must be between {MIN_SCENE_SECONDS:g} and {MAX_SCENE_SECONDS:g} seconds."
)
MOVES = ("up", "down")


class SceneTextForm(forms.Form):
    text = forms.CharField(
        max_length=MAX_TEXT_LENGTH,
        error_messages={"required": "Write what the scene says or shows first."},
    )


class SceneRewriteForm(forms.Form):
    instruction = forms.CharField(
        max_length=MAX_INSTRUCTION_LENGTH,
        error_messages={"required": "Say how to rewrite it, e.g. “shorter”."},
    )


class SceneImageForm(forms.Form):
    instruction = forms.CharField(
        max_length=Scene._meta.get_field("image_instruction").max_length, required=False
    )


class ScenePlaceForm(forms.Form):
    instruction = forms.CharField(
        max_length=Scene._meta.get_field("placement_instruction").max_length, required=False
    )


class SceneTurntableForm(forms.Form):
    """Where the product's turntable goes over the clip: left, centre or right, near the bottom."""

    PLACES = {"left": 0.1, "centre": 0.5, "right": 0.9}
    use = forms.BooleanField(required=False)
    place = forms.ChoiceField(choices=[(name, name.title()) for name in PLACES], initial="centre")
    scale = forms.FloatField(min_value=0.15, max_value=0.9, initial=0.45)

    def placement(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "use": data["use"],
            "x": self.PLACES[data["place"]],
            "y": 0.9,
            "scale": data["scale"],
        }


class SceneTimingForm(forms.Form):
    duration = forms.FloatField(
        min_value=MIN_SCENE_SECONDS,
        max_value=MAX_SCENE_SECONDS,
        error_messages={
            "required": DURATION_MESSAGE,
            "invalid": DURATION_MESSAGE,
            "min_value": DURATION_MESSAGE,
            "max_value": DURATION_MESSAGE,
        },
    )
    motion = forms.ChoiceField(
        choices=CameraMove.choices, error_messages={"invalid_choice": "Pick a camera move."}
    )


class SceneMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(move, move) for move in MOVES])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
