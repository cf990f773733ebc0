"""Run every capability once with the configured backends and show what was stored and metered.

python manage.py generate_sample            # local backends unless keys are set
TEXT_BACKEND=local python manage.py generate_sample
"""

import io
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Max
from PIL import Image, ImageDraw

from media_pipeline import storage
from media_pipeline.base import ChatMessage, ImageStyle, MoodConcept, ScenePlan, StoredMedia
from media_pipeline.metering import usage_context
from media_pipeline.models import ProviderUsage
from media_pipeline.registry import providers

SAMPLE_CONVERSATION = (
    "We're launching GlowSerum, a vitamin C face serum, aimed at busy professionals in their "
    "thirties. Keep it warm and confident. It gives a visible glow in 7 days. It's made with clean "
    "ingredients. A 15 second vertical video that ends with Shop now."
)
SUBJECT = "generate_sample"
COMPOSITE_INSTRUCTION = "Stand the product on the pedestal, lower centre."
MOOD_COUNT = 2
SCENE_COUNT = 3
DEFAULT_SECONDS = 15


class Command(BaseCommand):
    help = "Generate a brief, moods, scenes, an image, a clip, a composite and an audio bed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--seed", type=int, default=7, help="Seed for the image, clip and audio."
        )

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        last_usage_id = ProviderUsage.objects.aggregate(last=Max("id"))["last"] or 0
        with usage_context(subject=SUBJECT):
            brief = self.write_brief()
            mood, scene = self.plan(brief)
            image = make_image(scene.image_prompt, mood, seed)
            clip = providers["video"].animate(
                image_path=image.path, duration=scene.duration, motion=scene.motion, seed=seed
            )
            composite = providers["compositing"].composite(
                scene_image_path=image.path,
                product_image_path=sample_product(),
                instruction=COMPOSITE_INSTRUCTION,
                seed=seed,
            )
            audio = providers["audio"].generate(
                prompt=f"{mood.name}, {brief.get('tone') or ''}",
                duration=brief.get("target_length") or DEFAULT_SECONDS,
                seed=seed,
            )
        for label, media in (
            ("image", image),
            ("clip", clip),
            ("composite", composite),
            ("audio", audio),
        ):
            self.show(label, media)
        self.show_usage(last_usage_id)

    def write_brief(self) -> dict[str, Any]:
        text = providers["text"]
        messages = [ChatMessage("user", SAMPLE_CONVERSATION)]
        reply = "".join(text.chat_reply(messages=messages, brief={}))
        brief = text.extract_brief(messages=[*messages, ChatMessage("assistant", reply)], brief={})
        self.stdout.write(f"assistant: {reply}\n")
        self.stdout.write(f"brief: {brief}")
        return brief

    def plan(self, brief: dict[str, Any]) -> tuple[MoodConcept, ScenePlan]:
        text = providers["text"]
        images_per_mood = settings.QUALITY_PROFILE["images_per_mood"]
        moods = text.plan_moods(brief=brief, count=MOOD_COUNT, images_per_mood=images_per_mood)
        self.stdout.write("moods: " + ", ".join(mood.name for mood in moods))
        scenes = text.plan_scenes(brief=brief, mood=asdict(moods[0]), count=SCENE_COUNT)
        for scene in scenes:
            self.stdout.write(f"scene ({scene.duration:g} s, {scene.motion}): {scene.text}")
        return moods[0], scenes[0]

    def show(self, label: str, media: StoredMedia) -> None:
        facts = [media.content_type, f"{media.size_bytes} bytes"]
        if media.width:
            facts.append(f"{media.width}×{media.height}")
        if media.duration:
            facts.append(f"{media.duration:g} s")
        self.stdout.write(f"{label}: {media.path} ({', '.join(facts)})")

    def show_usage(self, after_id: int) -> None:
        self.stdout.write("\nusage:")
        for usage in ProviderUsage.objects.filter(id__gt=after_id).order_by("id"):
            self.stdout.write(
                f"  {usage.capability:<12} {usage.backend:<10} {usage.model or '-':<20} {usage.outcome:<9} "
                f"{usage.seconds:6.2f} s  ${usage.cost_estimate}"
            )


def make_image(prompt: str, mood: MoodConcept, seed: int) -> StoredMedia:
    width, height = settings.QUALITY_PROFILE["frame_size"]
    style = ImageStyle(palette=mood.palette, keywords=mood.feel)
    return providers["image"].generate(
        prompt=prompt, width=width, height=height, seed=seed, style=style
    )[0]


def sample_product() -> str:
    """A product photo on a plain white backdrop, the way product shots usually come."""
    photo = Image.new("RGB", (400, 600), (250, 250, 248))
    draw = ImageDraw.Draw(photo)
    draw.rounded_rectangle((130, 170, 270, 560), radius=30, fill=(214, 120, 60))
    draw.rectangle((170, 80, 230, 170), fill=(40, 40, 40))
    draw.rectangle((150, 300, 250, 420), fill=(252, 250, 245))
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    return storage.store_bytes(buffer.getvalue(), kind="samples", extension="png")
