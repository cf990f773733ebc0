"""Every staff action on a flag: its effect and the log entries it leaves (who, what, when)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from live.consumers import SIGNED_OUT
from operations.actions import (
    ActionRefused,
    artifact_delete,
    flag_dismiss,
    project_hide,
    project_release,
    user_suspend,
)
from operations.models import Flag, ProjectHold
from storyboards.models import Mood, Scene
from tests.factories import MoodFactory, ProjectFactory, SceneFactory, UserFactory
from tests.live.conftest import TIMEOUT, connected_page, logged_in_client, session_headers

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": SIGNED_OUT}


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


@pytest.fixture
def flag(user, project):
    return Flag.objects.create(
        what="chat message",
        user=user,
        project=project,
        excerpt="something rude",
        reason="harassment",
        backend="local",
    )


def log_of(obj) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)))


def assert_logged(obj, *, staff, message: str, action_flag: int = CHANGE, since) -> None:
    [entry] = log_of(obj)
    assert entry.user_id == staff.pk
    assert entry.change_message == message
    assert entry.action_flag == action_flag
    assert since <= entry.action_time <= timezone.now()


def assert_reviewed(flag: Flag, *, staff, status: str, message: str, since) -> None:
    flag.refresh_from_db()
    assert flag.status == status
    assert flag.reviewed_by == staff
    assert since <= flag.reviewed_at <= timezone.now()
    assert_logged(flag, staff=staff, message=message, since=since)


def test_dismissing_closes_the_flag_and_touches_nothing_else(staff, flag, user, project):
    since = timezone.now()
    flag_dismiss(flag=flag, staff=staff)

    assert_reviewed(
        flag, staff=staff, status=Flag.Status.DISMISSED, message="Dismissed the flag.", since=since
    )
    user.refresh_from_db()
    assert user.is_active
    assert not ProjectHold.objects.exists()
    assert log_of(project) == []


def test_hiding_holds_the_project_and_logs_it_on_the_project_and_the_flag(staff, flag, project):
    since = timezone.now()
    hold = project_hide(flag=flag, staff=staff)

    assert (hold.project, hold.flag, hold.created_by) == (project, flag, staff)
    assert_logged(
        project, staff=staff, message=f"Hid the project for review (flag {flag.pk}).", since=since
    )
    assert_reviewed(
        flag,
        staff=staff,
        status=Flag.Status.ACTIONED,
        message="Hid the project for review.",
        since=since,
    )


def test_hiding_refuses_a_flag_without_a_project(staff, user):
    flag = Flag.objects.create(what="prompt", user=user, excerpt="x", reason="r", backend="local")

    with pytest.raises(ActionRefused, match="no project"):
        project_hide(flag=flag, staff=staff)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    assert log_of(flag) == []


def test_releasing_ends_the_hold_and_logs_it_on_the_project(staff, flag, project):
    project_hide(flag=flag, staff=staff)
    LogEntry.objects.all().delete()
    since = timezone.now()

    project_release(project=project, staff=staff)

    assert not ProjectHold.objects.filter(project=project).exists()
    assert_logged(
        project,
        staff=staff,
        message="Ended the review; the project is visible again.",
        since=since,
    )


def test_deleting_an_artifact_removes_it_and_logs_a_deletion(staff, flag, project):
    mood = MoodFactory(project=project)
    mood_pk = mood.pk
    since = timezone.now()

    artifact_delete(flag=flag, staff=staff, artifact=mood)

    assert not Mood.objects.filter(pk=mood_pk).exists()
    [entry] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Mood), object_id=str(mood_pk)
    )
    assert (entry.user_id, entry.action_flag) == (staff.pk, DELETION)
    assert entry.change_message == f"Deleted (flag {flag.pk})."
    assert_reviewed(
        flag,
        staff=staff,
        status=Flag.Status.ACTIONED,
        message=f"Deleted mood {mood_pk} ({mood}).",
        since=since,
    )


def test_deleting_finds_the_project_of_a_scene_through_its_storyboard(staff, flag, project):
    scene = SceneFactory(storyboard__project=project)

    artifact_delete(flag=flag, staff=staff, artifact=scene)

    assert not Scene.objects.filter(pk=scene.pk).exists()


def test_deleting_refuses_an_artifact_of_another_project(staff, flag):
    elsewhere = MoodFactory()

    with pytest.raises(ActionRefused, match="flagged project"):
        artifact_delete(flag=flag, staff=staff, artifact=elsewhere)
    assert Mood.objects.filter(pk=elsewhere.pk).exists()
    assert LogEntry.objects.count() == 0


def test_suspending_deactivates_the_user_and_logs_it_on_the_user_and_the_flag(staff, flag, user):
    since = timezone.now()
    user_suspend(flag=flag, staff=staff)

    user.refresh_from_db()
    assert not user.is_active
    assert_logged(user, staff=staff, message=f"Suspended the user (flag {flag.pk}).", since=since)
    assert_reviewed(
        flag, staff=staff, status=Flag.Status.ACTIONED, message="Suspended the user.", since=since
    )


def test_suspending_closes_every_socket_of_the_user_at_once(staff, flag, user, project):
    phone, laptop = logged_in_client(user), logged_in_client(user)

    async def scenario():
        async with (
            connected_page(project.pk, session_headers(phone), snapshot=False) as first,
            connected_page(project.pk, session_headers(laptop), snapshot=False) as second,
        ):
            await sync_to_async(user_suspend)(flag=flag, staff=staff)
            assert await first.receive_output(timeout=TIMEOUT) == CLOSED
            assert await second.receive_output(timeout=TIMEOUT) == CLOSED

    async_to_sync(scenario)()


def test_suspending_refuses_a_flag_without_a_user(staff, project):
    flag = Flag.objects.create(
        what="prompt", project=project, excerpt="x", reason="r", backend="local"
    )

    with pytest.raises(ActionRefused, match="no user"):
        user_suspend(flag=flag, staff=staff)


def admin_action(client, model: str, action: str, pk: int):
    return client.post(
        reverse(f"admin:operations_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [pk]},
        follow=True,
    )


def test_staff_suspend_from_the_review_queue_and_the_flag_history_says_who(
    staff_client, flag, user
):
    response = admin_action(staff_client, "flag", "suspend_user", flag.pk)

    assert f"Suspended the user of flag {flag.pk}." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    history = staff_client.get(reverse("admin:operations_flag_history", args=[flag.pk]))
    assert "Suspended the user." in history.content.decode()
    assert staff_client.staff.email in history.content.decode()


def test_staff_dismiss_and_hide_from_the_review_queue(staff_client, flag, user, project):
    other = Flag.objects.create(
        what="brief", user=user, project=project, excerpt="x", reason="r", backend="local"
    )

    admin_action(staff_client, "flag", "dismiss", flag.pk)
    admin_action(staff_client, "flag", "hide_project", other.pk)

    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.DISMISSED
    assert ProjectHold.objects.get().flag == other


def test_a_refused_action_tells_staff_why_and_changes_nothing(staff_client, user):
    flag = Flag.objects.create(what="prompt", user=user, excerpt="x", reason="r", backend="local")

    response = admin_action(staff_client, "flag", "hide_project", flag.pk)

    assert f"Flag {flag.pk}: This flag has no project to hide." in response.content.decode()
    assert Flag.objects.get(pk=flag.pk).status == Flag.Status.OPEN


def test_staff_delete_an_artifact_from_the_flag_page(staff_client, flag, project):
    mood = MoodFactory(project=project)
    url = reverse("admin:operations_flag_delete_artifact", args=[flag.pk, "mood", mood.pk])

    assert staff_client.get(url).status_code == 405
    response = staff_client.post(url)

    assert response["Location"] == reverse("admin:operations_flag_change", args=[flag.pk])
    assert not Mood.objects.filter(pk=mood.pk).exists()


def test_staff_release_a_held_project_from_the_holds_list(staff_client, flag, project):
    hold = project_hide(flag=flag, staff=staff_client.staff)

    admin_action(staff_client, "projecthold", "release", hold.pk)

    assert not ProjectHold.objects.exists()
    history = staff_client.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert "Ended the review; the project is visible again." in history.content.decode()
