import pytest
from django.urls import reverse

from projects.models import Step
from tests.factories import MoodFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name", ["storyboards:mood", "storyboards:scenes", "storyboards:final"]
)
def test_unreached_steps_redirect_to_the_brief_with_a_message(client_logged_in, user, url_name):
    project = ProjectFactory(owner=user)
    response = client_logged_in.get(reverse(url_name, args=[project.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:brief", args=[project.pk])
    assert (
        "Finish the brief first" in response.content.decode()
        or "first" in response.content.decode()
    )


def test_a_complete_brief_opens_the_mood_step_only(client_logged_in, user):
    project = ProjectFactory(owner=user, complete_brief=True)
    assert client_logged_in.get(reverse("storyboards:mood", args=[project.pk])).status_code == 200
    response = client_logged_in.get(reverse("storyboards:scenes", args=[project.pk]))
    assert response["Location"] == reverse("storyboards:mood", args=[project.pk])


def test_a_chosen_mood_opens_the_scenes_step(client_logged_in, user):
    project = ProjectFactory(owner=user, complete_brief=True, step=Step.SCENES)
    MoodFactory(project=project, selected=True)
    assert client_logged_in.get(reverse("storyboards:scenes", args=[project.pk])).status_code == 200
    response = client_logged_in.get(reverse("storyboards:final", args=[project.pk]))
    assert response["Location"] == reverse("storyboards:scenes", args=[project.pk])


def test_the_stepper_marks_the_current_step_and_locks_later_ones(client_logged_in, user):
    project = ProjectFactory(owner=user, complete_brief=True)
    body = client_logged_in.get(reverse("storyboards:mood", args=[project.pk])).content.decode()
    assert 'aria-current="step"' in body
    assert body.count('class="step locked"') == 2
