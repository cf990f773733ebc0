import pytest
from django.urls import reverse

from media_pipeline.models import ProviderUsage
from projects.models import ChatMessage, Project
from tests.factories import MoodImageFactory, ProjectFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_new_user_sees_the_empty_state(client_logged_in):
    response = client_logged_in.get(reverse("projects:list"))
    assert response.status_code == 200
    assert b"No projects yet" in response.content


def test_dashboard_lists_only_own_projects_newest_first(client_logged_in, user, other_user):
    older = ProjectFactory(owner=user, title="Older")
    newer = ProjectFactory(owner=user, title="Newer")
    ProjectFactory(owner=other_user, title="Someone else's")
    content = client_logged_in.get(reverse("projects:list")).content.decode()
    assert content.index(newer.title) < content.index(older.title)
    assert "Someone else" not in content


def test_dashboard_queries_do_not_grow_with_projects(
    client_logged_in, user, django_assert_max_num_queries
):
    for _ in range(5):
        project = ProjectFactory(owner=user)
        project.thumbnail = MoodImageFactory(mood__project=project).image.name
        project.save()
        spend(f"project:{project.pk}", "0.10")
    # The spend of every card comes with the projects, in the same query.
    with django_assert_max_num_queries(6):
        client_logged_in.get(reverse("projects:list"))


def spend(subject: str, cost: str) -> None:
    ProviderUsage.objects.create(
        capability="image",
        backend="replicate",
        outcome="success",
        seconds=1,
        cost_estimate=cost,
        subject=subject,
    )


def test_each_card_shows_what_its_project_has_cost(client_logged_in, user):
    project = ProjectFactory(owner=user, title="Serum")
    neighbour = ProjectFactory(owner=user, title="Neighbour")
    free = ProjectFactory(owner=user, title="Free")
    spend(f"project:{project.pk}", "0.125")
    spend(f"project:{project.pk}:storyboard:7", "0.30")
    # project:1 must not take project:12's calls, nor a product's or a capture's.
    spend(f"project:{project.pk}0", "5")
    spend(f"product:{project.pk}", "5")
    spend(f"project:{neighbour.pk}:storyboard:8", "1.5")

    content = client_logged_in.get(reverse("projects:list")).content.decode()

    def card(item):
        return content.split(f'id="project-{item.pk}"')[1].split("</article>")[0]

    assert "$0.43 spent" in card(project)
    assert "$1.50 spent" in card(neighbour)
    assert "nothing spent" in card(free)


def test_create_full_page_redirects_into_the_brief(client_logged_in, user):
    response = client_logged_in.post(reverse("projects:list"), {"title": "Spring launch"})
    project = Project.objects.get(owner=user)
    assert project.title == "Spring launch"
    assert response["Location"] == reverse("projects:brief", args=[project.pk])


def test_create_with_htmx_returns_the_list_partial(client_logged_in, user):
    response = client_logged_in.post(reverse("projects:list"), {"title": ""}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="project-list">')
    assert "<html" not in body
    assert "Untitled project" in body


def test_rename_with_htmx_returns_the_card(client_logged_in, user):
    project = ProjectFactory(owner=user, title="Old")
    url = reverse("projects:rename", args=[project.pk])
    form = client_logged_in.get(url, **HTMX)
    assert b'name="title"' in form.content and b"<html" not in form.content
    response = client_logged_in.post(url, {"title": "  New name "}, **HTMX)
    project.refresh_from_db()
    assert project.title == "New name"
    assert f'id="project-{project.pk}"'.encode() in response.content


def test_rename_without_htmx_redirects_to_the_list(client_logged_in, user):
    project = ProjectFactory(owner=user)
    response = client_logged_in.post(reverse("projects:rename", args=[project.pk]), {"title": "X"})
    assert response["Location"] == reverse("projects:list")


def test_rename_rejects_an_overlong_title_and_keeps_the_old_one(client_logged_in, user):
    project = ProjectFactory(owner=user, title="Keep me")
    response = client_logged_in.post(
        reverse("projects:rename", args=[project.pk]), {"title": "x" * 500}, **HTMX
    )
    project.refresh_from_db()
    assert project.title == "Keep me"
    assert b"at most 120 characters" in response.content


def test_duplicate_copies_brief_and_conversation(client_logged_in, user):
    project = ProjectFactory(owner=user, complete_brief=True, title="Launch")
    project.messages.create(role="user", content="We sell serum.")
    response = client_logged_in.post(reverse("projects:duplicate", args=[project.pk]), **HTMX)
    copy = Project.objects.exclude(pk=project.pk).get(owner=user)
    assert copy.title == "Copy of Launch"
    assert copy.brief == project.brief
    assert list(copy.messages.values_list("content", flat=True)) == ["We sell serum."]
    assert b"Copy of Launch" in response.content


def test_delete_needs_post_and_removes_the_project(client_logged_in, user):
    project = ProjectFactory(owner=user)
    url = reverse("projects:delete", args=[project.pk])
    confirm = client_logged_in.get(url)
    assert confirm.status_code == 200 and Project.objects.filter(pk=project.pk).exists()
    response = client_logged_in.post(url, **HTMX)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert b"No projects yet" in response.content


def test_open_goes_to_the_furthest_step(client_logged_in, user):
    project = ProjectFactory(owner=user, complete_brief=True)
    response = client_logged_in.get(reverse("projects:open", args=[project.pk]))
    assert response["Location"] == reverse("storyboards:mood", args=[project.pk])


def test_posts_are_csrf_protected(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("projects:list"), {"title": "x"})
    assert response.status_code == 403
    assert not Project.objects.filter(owner=user).exists()


def test_duplicating_a_long_conversation_takes_a_constant_number_of_queries(
    client_logged_in, user, django_assert_max_num_queries
):
    project = ProjectFactory(owner=user)
    ChatMessage.objects.bulk_create(
        ChatMessage(project=project, role="user", content=f"turn {n}") for n in range(200)
    )

    with django_assert_max_num_queries(25):
        client_logged_in.post(reverse("projects:duplicate", args=[project.pk]))

    copy = Project.objects.exclude(pk=project.pk).get()
    assert copy.messages.count() == 200


def test_a_thousand_projects_are_paged_24_at_a_time_in_constant_queries(
    client_logged_in, user, django_assert_max_num_queries
):
    Project.objects.bulk_create(Project(owner=user, title=f"P{n:04}") for n in range(1000))
    url = reverse("projects:list")
    with django_assert_max_num_queries(7):
        first = client_logged_in.get(url).content.decode()
    with django_assert_max_num_queries(7):
        last = client_logged_in.get(url, {"page": 42}, **HTMX).content.decode()
    assert first.count('class="project-card"') == 24
    assert 'aria-current="page">1<' in first and "?page=42" in first
    assert last.count('class="project-card"') == 1000 - 41 * 24
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_creating_projects_past_the_limit_says_when_to_try_again(client_logged_in, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projects": (2, 60)}
    for title in ("One", "Two", "Three"):
        response = client_logged_in.post(reverse("projects:list"), {"title": title}, **HTMX)
    assert list(Project.objects.filter(owner=user).values_list("title", flat=True)) == [
        "Two",
        "One",
    ]
    assert "going a little fast" in response.content.decode()


def test_duplicating_past_the_limit_copies_nothing_and_says_why(client_logged_in, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "projects": (1, 60)}
    project = ProjectFactory(owner=user, title="Launch")
    url = reverse("projects:duplicate", args=[project.pk])
    client_logged_in.post(url, **HTMX)
    response = client_logged_in.post(url, **HTMX)
    assert Project.objects.filter(owner=user).count() == 2
    assert "“Launch” was not copied. You&#x27;re going a little fast" in response.content.decode()
