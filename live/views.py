from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from live.registry import may_follow, snapshot_html


@never_cache
@require_GET
def snapshot(request: HttpRequest, project_id: int) -> HttpResponse:
    """A page's live regions as out-of-band HTML, polled while its socket is down."""
    if not may_follow(request.user, project_id):
        raise Http404("No such project.")
    return HttpResponse(snapshot_html(request.user, project_id, request.GET.get("page", "")))
