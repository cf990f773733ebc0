from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.live import snapshot_html
from projects.selectors import project_get_for_user


@never_cache
@require_GET
def live_snapshot(request: HttpRequest, project_id: int) -> HttpResponse:
    """The live regions of a project's pages as out-of-band HTML, polled while the socket is down."""
    project = project_get_for_user(request.user, project_id)
    return HttpResponse(snapshot_html(request.user, project, request.GET.get("page", "")))
