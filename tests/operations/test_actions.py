"""Every staff action on a flag: its effect and the log entries it leaves (who, what, when)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
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
