import pytest
from django.urls import reverse

from media_pipeline import moderation
from media_pipeline.moderation import ContentRefused
from operations.models import Flag
from projects import services
from projects.briefs import brief_update
from projects.models import ChatMessage
from storyboards import scene_services
from storyboards.models import GenerationStatus, Scene
from tests.factories import COMPLETE_BRIEF, ProjectFactory, SceneFactory

pytestmark = pytest.mark.django_db
BAD = "and then we behead the competition"


@pytest.fixture(autouse=True)
def local_rules(settings):
    settings.MODERATION_BACKEND = "local"
    settings.MODERATION_WORDS = ["behead", "terrorist attack"]


@pytest.fixture
def scene(user):
    return SceneFactory(
        storyboard__project__owner=user,
        storyboard__is_current=True,
        state=Scene.State.IMAGE,
        text_status=GenerationStatus.DONE,
        image_status=GenerationStatus.DONE,
    )


def assert_flagged(*, what: str, user, project_id: int) -> Flag:
    flag = Flag.objects.get()
    assert (flag.what, flag.user, flag.project_id) == (what, user, project_id)
    assert (flag.status, flag.backend) == (Flag.Status.OPEN, "local")
    assert flag.excerpt.startswith(BAD[:20]) or BAD in flag.excerpt
    return flag


def test_chat_message_is_refused_flagged_and_never_stored(user):
    project = ProjectFactory(owner=user)
    with pytest.raises(ContentRefused, match="Please rephrase it"):
        services.chat_message_send(project=project, content=BAD)
    assert not ChatMessage.objects.exists()
    flag = assert_flagged(what="chat message", user=user, project_id=project.pk)
    assert flag.reason == "listed word: behead"


def test_brief_field_is_refused(user):
    project = ProjectFactory(owner=user)
    with pytest.raises(ContentRefused):
        brief_update(project=project, data={**COMPLETE_BRIEF, "tone": BAD})
    project.refresh_from_db()
    assert project.brief["tone"] is None
    assert_flagged(what="brief", user=user, project_id=project.pk)


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda scene: scene_services.scene_update_text(scene=scene, text=BAD), "scene text"),
        (
            lambda scene: scene_services.scene_rewrite_text(scene=scene, instruction=BAD),
            "scene instruction",
        ),
        (
            lambda scene: scene_services.scene_generate_image(scene=scene, instruction=BAD),
            "image instruction",
        ),
    ],
)
def test_scene_inputs_are_refused_before_anything_changes(scene, user, call, what):
    with pytest.raises(ContentRefused):
        call(scene)
    fresh = Scene.objects.get(pk=scene.pk)
    assert (fresh.text, fresh.image_status, fresh.image_instruction) == (scene.text, "done", "")
    assert_flagged(what=what, user=user, project_id=scene.storyboard.project_id)


def test_clean_text_passes_and_files_nothing(user):
    project = ProjectFactory(owner=user)
    services.chat_message_send(project=project, content="A serum for busy people.")
    assert ChatMessage.objects.filter(role="user").count() == 1
    assert not Flag.objects.exists()


def test_the_openai_backend_asks_the_moderation_endpoint(settings, openai_fake, user):
    settings.MODERATION_BACKEND = "auto"
    openai_fake.flag("behead", category="violence")
    project = ProjectFactory(owner=user)
    with pytest.raises(ContentRefused):
        services.chat_message_send(project=project, content=BAD)
    services.chat_message_send(project=project, content="A calm serum ad.")
    assert [body["input"] for body in openai_fake.moderation_requests] == [BAD, "A calm serum ad."]
    assert {body["model"] for body in openai_fake.moderation_requests} == {"omni-moderation-latest"}
    flag = Flag.objects.get()
    assert (flag.backend, flag.reason) == ("openai", "violence")
    assert moderation.backend().name == "openai"


def test_the_page_shows_a_polite_message_and_keeps_the_form(client_logged_in, user):
    project = ProjectFactory(owner=user)
    response = client_logged_in.post(
        reverse("projects:chat_send", args=[project.pk]), {"content": BAD}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response.content.decode() == moderation.REFUSED_MESSAGE
    assert Flag.objects.count() == 1
