"""The capture card, pushed live to the Capture page of every project using the product."""

from django.template.loader import render_to_string

import live
from live.registry import User
from nerf.selectors import capture_list_for_user
from projects.selectors import project_find_for_user

PAGE = "capture"


def render_capture(user: User, job_id: int) -> str:
    job = capture_list_for_user(user).filter(pk=job_id).first()
    if job is None:
        return ""
    return render_to_string("nerf/_capture_card.html", {"job": job, "oob": True})


def capture_snapshot(user: User, project_id: int) -> str:
    project = project_find_for_user(user, project_id)
    if project is None or project.product_id is None:
        return ""
    jobs = capture_list_for_user(user).filter(product_id=project.product_id)[:5]
    return "".join(
        render_to_string("nerf/_capture_card.html", {"job": job, "oob": True}) for job in jobs
    )


CAPTURE = live.kind("capture", page=PAGE, render=render_capture)
live.snapshot(PAGE, capture_snapshot)
