import factory
from django.contrib.auth import get_user_model

from projects.models import ChatMessage, Product, ProductImage, Project, Step
from storyboards.models import (
    Composition,
    GenerationStatus,
    Mood,
    MoodImage,
    Scene,
    Storyboard,
)

COMPLETE_BRIEF = {
    "product": "GlowSerum",
    "audience": "busy professionals in their thirties",
    "tone": "warm and confident",
    "key_messages": ["Visible glow in 7 days", "Clean ingredients"],
    "call_to_action": "Shop now",
    "target_length": 15,
    "aspect_ratio": "9:16",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.LazyAttribute(lambda user: user.email)
    password = factory.django.Password("correct horse battery")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Project {n}")

    class Params:
        complete_brief = factory.Trait(
            brief=factory.LazyFunction(lambda: dict(COMPLETE_BRIEF)), step=Step.MOOD
        )


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    project = factory.SubFactory(ProjectFactory)
    role = ChatMessage.Role.USER
    content = "We sell a glow serum."


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    owner = factory.SubFactory(UserFactory)
    name = "Glow serum"


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=64, height=64, color="white")


class MoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mood

    project = factory.SubFactory(ProjectFactory, complete_brief=True)
    position = factory.Sequence(lambda n: n)
    name = "Golden hour"
    feel = "Warm light, slow and calm."
    palette = factory.LazyFunction(lambda: ["#2b1d14", "#8a4b2a", "#e0a458", "#f4d6a0", "#fff5e6"])
    image_prompt = "golden bottle\nwarm hands"
    status = Mood.Status.DONE


class MoodImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoodImage

    mood = factory.SubFactory(MoodFactory)
    position = factory.Sequence(lambda n: n)
    image = factory.django.ImageField(width=36, height=64, color="orange")
    status = GenerationStatus.DONE


class StoryboardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storyboard

    project = factory.SubFactory(ProjectFactory, complete_brief=True)
    brief = factory.LazyAttribute(lambda storyboard: storyboard.project.brief)
    mood = factory.LazyFunction(lambda: {"name": "Golden hour", "palette": ["#2b1d14", "#e0a458"]})
    status = Storyboard.Status.READY


class SceneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scene

    storyboard = factory.SubFactory(StoryboardFactory)
    position = factory.Sequence(lambda n: n)
    text = "A close-up of the serum bottle in morning light."


class CompositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Composition

    storyboard = factory.SubFactory(StoryboardFactory, is_current=True)
