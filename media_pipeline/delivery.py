"""Owner-checked media: a stored file is served only to the owner of an object that holds it.

Each app registers the file fields it stores and the path from the model to the owning user:

    register_owned_file(Scene, "video", owner="storyboard__project__owner")

`/media/<path>` then answers the file when some registered row holding that path belongs to
the requesting user (staff may see every file), and 404 otherwise, exactly like a missing
file. `?download=<name>` asks for it as an attachment saved under `name` (files are stored
under their content hash, which makes a poor file name). Files are content-addressed and may be shared by copies of a project, so ownership is
"some object of yours holds it", not "the first object found".

Delivery: `FileResponse` with byte ranges (video seeking) from local storage; a redirect to a
presigned, expiring URL when the storage is S3; `X-Accel-Redirect` to an internal nginx
location when MEDIA_ACCEL_REDIRECT_PREFIX is set, so the proxy sends the bytes.
"""

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_GET

from media_pipeline import storage

RANGE_RE = re.compile(r"^bytes=(?P<start>\d*)-(?P<end>\d*)$")
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class OwnedFile:
    model: type[models.Model]
    field: str
    owner: str  # a lookup from the model to the user, e.g. "project__owner"

    def holders(self, path: str, user: models.Model | None) -> models.QuerySet:
        """Rows of this model holding `path` (and owned by `user`, unless None)."""
        lookups = {self.field: path} if user is None else {self.field: path, self.owner: user}
        return self.model._default_manager.filter(**lookups).values_list("pk").order_by()


_owned: list[OwnedFile] = []


def register_owned_file(model: type[models.Model], field: str, *, owner: str) -> None:
    entry = OwnedFile(model, field, owner)
    if entry not in _owned:
        _owned.append(entry)


def owned_files() -> list[OwnedFile]:
    return list(_owned)


def may_see(user: models.Model, path: str) -> bool:
    if not user.is_authenticated or not user.is_active or not path:
        return False
    return _held(path, owner=None if user.is_staff else user)


def is_held(path: str) -> bool:
    """Whether any registered row holds the file (else it may be deleted)."""
    return _held(path, owner=None)


def _held(path: str, *, owner: models.Model | None) -> bool:
    first, *others = [entry.holders(path, owner) for entry in _owned]
    # One query however many models hold files: SELECT … UNION ALL SELECT … LIMIT 1.
    return first.union(*others, all=True).exists()


@login_not_required
@require_GET
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    if ".." in path.split("/") or not may_see(request.user, path):
        raise Http404("No such file.")
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        return _as_download(_accel_redirect(path), request)
    if not storage.on_local_disk():
        return HttpResponseRedirect(default_storage.url(path))
    return _as_download(_file_response(request, path), request)


def _as_download(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    try:
        name = get_valid_filename(request.GET.get("download", ""))
    except SuspiciousFileOperation:  # no name asked for, or nothing usable left of it
        return response
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _accel_redirect(path: str) -> HttpResponse:
    response = HttpResponse(content_type=_content_type(path))
    response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip('/')}/{path}"
    return response


def _file_response(request: HttpRequest, path: str) -> HttpResponse:
    if not default_storage.exists(path):
        raise Http404("No such file.")
    size = default_storage.size(path)
    byte_range = _byte_range(request.headers.get("Range", ""), size)
    handle = default_storage.open(path, "rb")
    if byte_range is None:
        response = FileResponse(handle, content_type=_content_type(path))
    else:
        start, end = byte_range
        chunks = _read_range(handle, start, end - start + 1)
        response = StreamingHttpResponse(chunks, status=206, content_type=_content_type(path))
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range a `Range: bytes=a-b` header asks for, clamped to the file; None for all."""
    match = RANGE_RE.match(header.strip())
    if not match or size == 0 or not (match["start"] or match["end"]):
        return None
    if match["start"]:
        start = int(match["start"])
        end = min(int(match["end"]) if match["end"] else size - 1, size - 1)
    else:
        start, end = max(0, size - int(match["end"])), size - 1
    return (start, end) if start <= end else None


def _read_range(handle: File, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _content_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"
