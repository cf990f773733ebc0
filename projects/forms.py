from django import forms

from media_pipeline.briefs import (
    ASPECT_RATIOS,
    MAX_KEY_MESSAGES,
    MAX_TARGET_SECONDS,
    MIN_TARGET_SECONDS,
)
from projects.models import Product, Project

MAX_CHAT_MESSAGE_LENGTH = 2000


class ProjectTitleForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title"]
        widgets = {
            "title": forms.TextInput(
                attrs={"placeholder": "Spring launch, summer sale…", "autocomplete": "off"}
            )
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


class ChatMessageForm(forms.Form):
    content = forms.CharField(
        max_length=MAX_CHAT_MESSAGE_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Tell me about your product…"}),
        error_messages={"required": "Type a message first."},
    )


class ChatEarlierForm(forms.Form):
    before = forms.IntegerField(min_value=1)


class BriefForm(forms.Form):
    """The brief card edited by hand. Partial briefs are fine: empty fields stay missing."""

    product = forms.CharField(required=False, max_length=500)
    audience = forms.CharField(required=False, max_length=500)
    tone = forms.CharField(required=False, max_length=500)
    key_messages = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line, up to {MAX_KEY_MESSAGES}.",
    )
    call_to_action = forms.CharField(required=False, max_length=500)
    target_length = forms.IntegerField(
        required=False,
        min_value=MIN_TARGET_SECONDS,
        max_value=MAX_TARGET_SECONDS,
        help_text="Seconds.",
    )
    aspect_ratio = forms.ChoiceField(
        required=False, choices=[("", "—")] + [(ratio, ratio) for ratio in ASPECT_RATIOS]
    )

    def clean_key_messages(self) -> list[str]:
        lines = [
            line.strip() for line in self.cleaned_data["key_messages"].splitlines() if line.strip()
        ]
        if len(lines) > MAX_KEY_MESSAGES:
            raise forms.ValidationError(f"Keep to at most {MAX_KEY_MESSAGES} key messages.")
        return lines

    @classmethod
    def from_brief(cls, brief: dict) -> "BriefForm":
        initial = dict(brief, key_messages="\n".join(brief.get("key_messages") or []))
        return cls(initial=initial)


class ProductForm(forms.ModelForm):
    link = forms.URLField(
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://shop.example/glowserum"}),
    )

    class Meta:
        model = Product
        fields = ["name", "description", "link"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": "GlowSerum", "autocomplete": "off"}),
            "description": forms.Textarea(
                attrs={"rows": 3, "placeholder": "A vitamin C serum in a green glass bottle"}
            ),
        }


class ProjectProductForm(forms.Form):
    product = forms.IntegerField(required=False, min_value=1)
