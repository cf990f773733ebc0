from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from projects.selectors import project_get_for_user
from projects.steps import locked_reason, step_is_reachable, step_url


def project_step(step: str) -> Callable:
    """Load the user's project (404 otherwise) and keep the steps in order.

    A step that is not reachable yet redirects to the furthest reachable one, with a message.
    The view is called as view(request, project, ...).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, project_id: int, *args, **kwargs) -> HttpResponse:
            project = project_get_for_user(request.user, project_id)
            if not step_is_reachable(project, step):
                messages.info(request, locked_reason(step))
                return redirect(step_url(project, project.step))
            return view(request, project, *args, **kwargs)

        return wrapper

    return decorator
