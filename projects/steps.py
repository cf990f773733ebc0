"""Which step pages a project can show, so the step layout and the guards agree.

Each app registers the steps it serves (in its AppConfig.ready), so `projects` names no URL
of a later app:

    register_step(Step.MOOD, "storyboards:mood", locked_reason="Finish the brief first: …")
"""

from dataclasses import dataclass

from django.urls import reverse

from projects.models import STEP_ORDER, Project, Step


@dataclass(frozen=True)
class StepPage:
    url_name: str
    locked_reason: str


_pages: dict[Step, StepPage] = {}


def register_step(step: Step, url_name: str, *, locked_reason: str = "") -> None:
    _pages[Step(step)] = StepPage(url_name=url_name, locked_reason=locked_reason)


def locked_reason(step: str) -> str:
    return _pages[Step(step)].locked_reason


@dataclass(frozen=True)
class StepLink:
    step: Step
    url: str
    reachable: bool
    done: bool


def step_is_reachable(project: Project, step: str) -> bool:
    return STEP_ORDER.index(step) <= project.step_index()


def step_url(project: Project, step: str) -> str:
    return reverse(_pages[Step(step)].url_name, args=[project.pk])


def step_links(project: Project) -> list[StepLink]:
    return [
        StepLink(
            step=step,
            url=step_url(project, step),
            reachable=step_is_reachable(project, step),
            done=STEP_ORDER.index(step) < project.step_index(),
        )
        for step in Step
    ]


def step_page_context(project: Project, step: str, **extra) -> dict:
    """What the shared step layout (projects/step_base.html) needs, plus the page's own values."""
    return {
        "project": project,
        "step": step,
        "step_label": Step(step).label,
        "step_links": step_links(project),
        **extra,
    }


def project_unlock_step(*, project: Project, step: str) -> None:
    """Move the project's furthest step forward to `step` (never backwards)."""
    if STEP_ORDER.index(step) > project.step_index():
        Project.objects.filter(pk=project.pk).update(step=step)
        project.step = step


def project_lock_after(*, project: Project, step: str) -> None:
    """Pull the furthest step back to `step` when what later steps stood on is gone."""
    if project.step_index() > STEP_ORDER.index(step):
        Project.objects.filter(pk=project.pk).update(step=step)
        project.step = step


# Pages of later apps that work on a project's product (the 3D capture), linked from the
# product panel of the Brief page: registered like the steps, so `projects` names no URL.
_tools: list[tuple[str, str]] = []


def register_tool(label: str, url_name: str) -> None:
    if (label, url_name) not in _tools:
        _tools.append((label, url_name))


def tool_links(project: Project) -> list[tuple[str, str]]:
    return [(label, reverse(url_name, args=[project.pk])) for label, url_name in _tools]
