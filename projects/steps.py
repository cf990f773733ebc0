"""Which step pages a project can show, so the step layout and the guards agree."""

from dataclasses import dataclass

from django.urls import reverse

from projects.models import STEP_ORDER, Project, Step

STEP_URL_NAMES = {
    Step.BRIEF: "projects:brief",
    Step.MOOD: "storyboards:mood",
    Step.SCENES: "storyboards:scenes",
    Step.FINAL: "storyboards:final",
}
LOCKED_REASONS = {
    Step.MOOD: "Finish the brief first: every field of the brief card needs a value.",
    Step.SCENES: "Pick a mood board first.",
    Step.FINAL: "Approve a video for every scene first.",
}


@dataclass(frozen=True)
class StepLink:
    step: Step
    url: str
    reachable: bool
    done: bool


def step_is_reachable(project: Project, step: str) -> bool:
    return STEP_ORDER.index(step) <= project.step_index()


def step_url(project: Project, step: str) -> str:
    return reverse(STEP_URL_NAMES[Step(step)], args=[project.pk])


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
