"""The JSON endpoints: each loads through an owner-scoped selector (404 otherwise) and calls the
same service as the page's view, so guards, rate limits and live pushes are the pages' own.

Paths and names follow the original design's API, so its clients work with little change; the
few additions (projects, picking a mood, the whole-board actions, films' cancel/retry/delete,
files) are what a script needs to go from a brief to a film without the pages.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router, Status
from ninja.errors import AuthorizationError
from ninja.files import UploadedFile

from api import schemas, streams
from api.auth import session_signed_in
from api.errors import problem
from api.schemas import (
    ActionOut,
    CaptureOut,
    CompositionIn,
    CompositionOut,
    DurationIn,
    ImageInstructionIn,
    InstructionIn,
    MoodOut,
    PhotosAddedOut,
    ProductIn,
    ProductOut,
    ProjectIn,
    ProjectOut,
    ProjectProductIn,
    ProjectRef,
    SceneOut,
    StoryboardOut,
    TextIn,
    UsageOut,
)
from api.tokens import token_is_live
from live.rendering import off_loop
from media_pipeline import delivery
from media_pipeline.models import ProviderUsage
from nerf import services as capture_services
from nerf.selectors import capture_get_for_user
from projects import product_services
from projects import services as project_services
from projects.briefs import brief_update
from projects.models import Product
from projects.ratelimit import rate_limit_hit
from projects.selectors import product_get_for_user, product_list_for_user, project_get_for_user
from storyboards import compositions, scene_services
from storyboards import services as mood_services
from storyboards.final_selectors import composition_get_for_user
from storyboards.selectors import (
    mood_get_for_user,
    scene_get_for_user,
    storyboard_get_for_user,
)

T = TypeVar("T")
USAGE_DAYS = 1
router = Router()


def found(row: T | None, noun: str, object_id: int) -> T:
    """The row, or 404: another user's object looks exactly like a missing one."""
    if row is None:
        raise Http404(f"No {noun} {object_id} of yours exists.")
    return row


def _scene(request: HttpRequest, scene_id: int) -> Any:
    return found(scene_get_for_user(request.user, scene_id), "scene", scene_id)


def _storyboard(request: HttpRequest, storyboard_id: int) -> Any:
    return found(storyboard_get_for_user(request.user, storyboard_id), "storyboard", storyboard_id)


def _composition(request: HttpRequest, composition_id: int) -> Any:
    row = composition_get_for_user(request.user, composition_id)
    return found(row, "composition", composition_id)


# --- Projects ------------------------------------------------------------------------


@router.post("/projects", response={201: ProjectOut}, tags=["projects"])
def project_create(request: HttpRequest, body: ProjectIn) -> tuple[int, dict]:
    rate_limit_hit(user_id=request.user.pk, bucket="projects")
    product = _product_or_none(request, body.product_id)
    project = project_services.project_create(owner=request.user, title=body.title)
    if product is not None:
        product_services.project_choose_product(project=project, product=product)
    if body.brief is not None:
        brief_update(project=project, data=body.brief.dict())
    return Status(201, schemas.project_out(project))


@router.put("/projects/{project_id}/product", response=ProjectOut, tags=["projects"])
def project_product_set(request: HttpRequest, project_id: int, body: ProjectProductIn) -> dict:
    """Choose the project's product (or none); its name and description fill the brief."""
    project = project_get_for_user(request.user, project_id)
    product = _product_or_none(request, body.product_id)
    return schemas.project_out(
        product_services.project_choose_product(project=project, product=product)
    )


def _product_or_none(request: HttpRequest, product_id: int | None) -> Product | None:
    return None if product_id is None else product_get_for_user(request.user, product_id)


@router.get("/projects/{project_id}", response=ProjectOut, tags=["projects"])
def project_get(request: HttpRequest, project_id: int) -> dict:
    return schemas.project_out(project_get_for_user(request.user, project_id))


# --- Moods ---------------------------------------------------------------------------


@router.post("/moods/generate", response={202: list[MoodOut]}, tags=["moods"])
def moods_generate(request: HttpRequest, body: ProjectRef) -> tuple[int, list]:
    project = project_get_for_user(request.user, body.project_id)
    mood_services.mood_generate_all(project=project, user=request.user)
    return Status(
        202, [schemas.mood_out(mood) for mood in project.moods.prefetch_related("images")]
    )


@router.get("/moods/{mood_id}", response=MoodOut, tags=["moods"])
def mood_get(request: HttpRequest, mood_id: int) -> dict:
    return schemas.mood_out(found(mood_get_for_user(request.user, mood_id), "mood", mood_id))


@router.post("/moods/{mood_id}/select", response=ProjectOut, tags=["moods"])
def mood_select(request: HttpRequest, mood_id: int) -> dict:
    mood = found(mood_get_for_user(request.user, mood_id), "mood", mood_id)
    return schemas.project_out(mood_services.mood_select(project=mood.project, mood=mood))


# --- Storyboards ---------------------------------------------------------------------


@router.post("/storyboards/initialize", response={202: StoryboardOut}, tags=["storyboards"])
def storyboard_initialize(request: HttpRequest, body: ProjectRef) -> tuple[int, dict]:
    project = project_get_for_user(request.user, body.project_id)
    storyboard = scene_services.storyboard_initialize(project=project, user=request.user)
    return Status(202, schemas.storyboard_out(storyboard))


@router.get("/storyboards/{storyboard_id}", response=StoryboardOut, tags=["storyboards"])
def storyboard_get(request: HttpRequest, storyboard_id: int) -> dict:
    return schemas.storyboard_out(_storyboard(request, storyboard_id))


@router.post(
    "/storyboards/{storyboard_id}/regenerate", response={202: StoryboardOut}, tags=["storyboards"]
)
def storyboard_regenerate(request: HttpRequest, storyboard_id: int) -> tuple[int, dict]:
    """Plan every scene anew: a new storyboard, which replaces this one once it is ready."""
    project = _storyboard(request, storyboard_id).project
    storyboard = scene_services.storyboard_initialize(project=project, user=request.user)
    return Status(202, schemas.storyboard_out(storyboard))


BOARD_ACTIONS = {
    "approve-texts": scene_services.storyboard_approve_texts,
    "generate-images": scene_services.storyboard_generate_images,
    "generate-videos": scene_services.storyboard_generate_videos,
    "retry-failed": scene_services.storyboard_retry_failed,
}


def _board_action(slug: str) -> None:
    service = BOARD_ACTIONS[slug]

    def action(request: HttpRequest, storyboard_id: int) -> tuple[int, dict]:
        started = service(storyboard=_storyboard(request, storyboard_id))
        return Status(202, {"started": started})

    action.__name__ = f"storyboard_{slug.replace('-', '_')}"
    action.__doc__ = service.__doc__
    path = f"/storyboards/{{storyboard_id}}/{slug}"
    router.post(path, response={202: ActionOut}, tags=["storyboards"])(action)


for _slug in BOARD_ACTIONS:
    _board_action(_slug)


@router.post("/storyboards/{storyboard_id}/finish", response=ProjectOut, tags=["storyboards"])
def storyboard_finish(request: HttpRequest, storyboard_id: int) -> dict:
    """Open the Final step once every scene has an up-to-date clip."""
    storyboard = _storyboard(request, storyboard_id)
    scene_services.storyboard_finish(storyboard=storyboard)
    return schemas.project_out(storyboard.project)


# --- Scenes --------------------------------------------------------------------------


def _scene_after(request: HttpRequest, scene_id: int) -> tuple[int, dict]:
    return Status(202, schemas.scene_out(_scene(request, scene_id)))


@router.get("/scenes/{scene_id}", response=SceneOut, tags=["scenes"])
def scene_get(request: HttpRequest, scene_id: int) -> dict:
    return schemas.scene_out(_scene(request, scene_id))


@router.post("/scenes/{scene_id}/text", response=SceneOut, tags=["scenes"])
def scene_text(request: HttpRequest, scene_id: int, body: TextIn) -> dict:
    scene_services.scene_update_text(scene=_scene(request, scene_id), text=body.text)
    return schemas.scene_out(_scene(request, scene_id))


@router.post("/scenes/{scene_id}/regenerate-text", response={202: SceneOut}, tags=["scenes"])
def scene_regenerate_text(
    request: HttpRequest, scene_id: int, body: InstructionIn
) -> tuple[int, dict]:
    scene = _scene(request, scene_id)
    scene_services.scene_rewrite_text(scene=scene, instruction=body.instruction)
    return _scene_after(request, scene_id)


@router.post("/scenes/{scene_id}/approve-text", response={202: SceneOut}, tags=["scenes"])
def scene_approve_text(request: HttpRequest, scene_id: int) -> tuple[int, dict]:
    scene_services.scene_approve_text(scene=_scene(request, scene_id))
    return _scene_after(request, scene_id)


@router.post("/scenes/{scene_id}/regenerate-image", response={202: SceneOut}, tags=["scenes"])
def scene_regenerate_image(
    request: HttpRequest, scene_id: int, body: ImageInstructionIn | None = None
) -> tuple[int, dict]:
    instruction = body.instruction if body else None
    scene_services.scene_generate_image(scene=_scene(request, scene_id), instruction=instruction)
    return _scene_after(request, scene_id)


@router.post("/scenes/{scene_id}/approve-image", response={202: SceneOut}, tags=["scenes"])
def scene_approve_image(request: HttpRequest, scene_id: int) -> tuple[int, dict]:
    scene_services.scene_approve_image(scene=_scene(request, scene_id))
    return _scene_after(request, scene_id)


@router.post("/scenes/{scene_id}/regenerate-video", response={202: SceneOut}, tags=["scenes"])
def scene_regenerate_video(request: HttpRequest, scene_id: int) -> tuple[int, dict]:
    scene_services.scene_generate_video(scene=_scene(request, scene_id))
    return _scene_after(request, scene_id)


@router.patch("/scenes/{scene_id}/duration", response=SceneOut, tags=["scenes"])
def scene_duration(request: HttpRequest, scene_id: int, body: DurationIn) -> dict:
    scene = _scene(request, scene_id)
    motion = body.motion or scene.motion
    scene_services.scene_update_timing(scene=scene, duration=body.duration, motion=motion)
    return schemas.scene_out(_scene(request, scene_id))


# --- Compositions --------------------------------------------------------------------


@router.post("/compositions/initialize", response={202: CompositionOut}, tags=["compositions"])
def composition_initialize(request: HttpRequest, body: CompositionIn) -> tuple[int, dict]:
    project = project_get_for_user(request.user, body.project_id)
    settings = body.dict(exclude={"project_id"})
    composition = compositions.composition_start(project=project, user=request.user, **settings)
    return Status(202, schemas.composition_out(composition))


@router.get("/compositions/{composition_id}", response=CompositionOut, tags=["compositions"])
def composition_get(request: HttpRequest, composition_id: int) -> dict:
    return schemas.composition_out(_composition(request, composition_id))


@router.post(
    "/compositions/{composition_id}/cancel", response=CompositionOut, tags=["compositions"]
)
def composition_cancel(request: HttpRequest, composition_id: int) -> dict:
    compositions.composition_cancel(composition=_composition(request, composition_id))
    return schemas.composition_out(_composition(request, composition_id))


@router.post(
    "/compositions/{composition_id}/retry", response={202: CompositionOut}, tags=["compositions"]
)
def composition_retry(request: HttpRequest, composition_id: int) -> tuple[int, dict]:
    composition = _composition(request, composition_id)
    compositions.composition_retry(composition=composition, user=request.user)
    return Status(202, schemas.composition_out(_composition(request, composition_id)))


@router.delete("/compositions/{composition_id}", response={204: None}, tags=["compositions"])
def composition_delete(request: HttpRequest, composition_id: int) -> tuple[int, None]:
    compositions.composition_delete(composition=_composition(request, composition_id))
    return Status(204, None)


@router.get("/audio/{composition_id}", response=CompositionOut, tags=["audio"])
def audio_get(request: HttpRequest, composition_id: int) -> dict:
    """The film's music (`audio_url`): generated by its composition job, or the uploaded track."""
    return schemas.composition_out(_composition(request, composition_id))


# --- Products and their 3D capture ----------------------------------------------------


@router.post("/products", response={201: ProductOut}, tags=["products"])
def product_create(request: HttpRequest, body: ProductIn) -> tuple[int, dict]:
    product = product_services.product_create(owner=request.user, **body.dict())
    return Status(201, schemas.product_out(product))


@router.get("/products", response=list[ProductOut], tags=["products"])
def product_list(request: HttpRequest) -> list[dict]:
    return [schemas.product_out(product) for product in product_list_for_user(request.user)]


@router.get("/products/{product_id}", response=ProductOut, tags=["products"])
def product_get(request: HttpRequest, product_id: int) -> dict:
    return schemas.product_out(product_get_for_user(request.user, product_id))


@router.post("/products/{product_id}/photos", response={201: PhotosAddedOut}, tags=["products"])
def product_photos_add(
    request: HttpRequest, product_id: int, photos: File[list[UploadedFile]]
) -> tuple[int, dict] | HttpResponse:
    """Multipart `photos` (one or more): each is checked on its own; refused ones say why.

    422 `photos_refused` (with `refused`) when none landed.
    """
    product = product_get_for_user(request.user, product_id)
    outcome = product_services.product_images_add(product=product, files=photos)
    refused = [{"name": name, "reason": why} for name, why in outcome.refused]
    if not outcome.added:
        return problem(
            422,
            "photos_refused",
            "No file was added; `refused` gives each file's reason.",
            refused=refused,
        )
    added = {image.pk for image in outcome.added}
    listed = schemas.product_out(product_get_for_user(request.user, product_id))["photos"]
    return Status(
        201, {"added": [photo for photo in listed if photo["id"] in added], "refused": refused}
    )


@router.delete("/products/{product_id}", response={204: None}, tags=["products"])
def product_delete(request: HttpRequest, product_id: int) -> tuple[int, None]:
    product_services.product_delete(product=product_get_for_user(request.user, product_id))
    return Status(204, None)


@router.post("/products/{product_id}/capture", response={202: CaptureOut}, tags=["captures"])
def capture_start(request: HttpRequest, product_id: int) -> tuple[int, dict]:
    """Start a 3D capture from the product's photos: camera poses, training, then rendering."""
    product = product_get_for_user(request.user, product_id)
    job = capture_services.capture_start(product=product, user=request.user)
    return Status(202, schemas.capture_out(job))


@router.get("/captures/{capture_id}", response=CaptureOut, tags=["captures"])
def capture_get(request: HttpRequest, capture_id: int) -> dict:
    return schemas.capture_out(capture_get_for_user(request.user, capture_id))


@router.post("/captures/{capture_id}/cancel", response=CaptureOut, tags=["captures"])
def capture_cancel(request: HttpRequest, capture_id: int) -> dict:
    capture_services.capture_cancel(job=capture_get_for_user(request.user, capture_id))
    return schemas.capture_out(capture_get_for_user(request.user, capture_id))


@router.post("/captures/{capture_id}/retry", response={202: CaptureOut}, tags=["captures"])
def capture_retry(request: HttpRequest, capture_id: int) -> tuple[int, dict]:
    """Run the failed or cancelled stage again; earlier stages' results are kept."""
    capture_services.capture_retry(job=capture_get_for_user(request.user, capture_id))
    return Status(202, schemas.capture_out(capture_get_for_user(request.user, capture_id)))


# --- Files and the admin -------------------------------------------------------------


@router.get("/files/{path:path}", url_name="file", tags=["files"])
def file_get(request: HttpRequest, path: str) -> HttpResponse:
    """A stored file (image, clip, film) of one of your objects; `?download=<name>` saves it."""
    return delivery.serve_media(request, path)


@router.get("/admin/metrics/usage", response=UsageOut, tags=["admin"])
def admin_usage(request: HttpRequest) -> dict:
    """Provider calls of the last day, by capability and backend (staff only)."""
    if not request.user.is_staff:
        raise AuthorizationError(message="Only staff may read the metrics.")
    since = timezone.now() - timedelta(days=USAGE_DAYS)
    rows = (
        ProviderUsage.objects.filter(created_at__gte=since)
        .values("capability", "backend")
        .annotate(
            calls=Count("id"),
            failures=Count("id", filter=~Q(outcome=ProviderUsage.Outcome.SUCCESS)),
            cost_estimate=Sum("cost_estimate"),
        )
        .order_by("capability", "backend")
    )
    return {
        "since": since,
        "rows": [{**row, "cost_estimate": float(row["cost_estimate"])} for row in rows],
    }


# --- SSE streams ---------------------------------------------------------------------

STREAM_DOC = {
    "responses": {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}
}


def _still_allowed(request: HttpRequest) -> Callable[[], bool]:
    """What the stream re-checks at each heartbeat: its token is live, or its session is."""
    token = getattr(request, "access_token", None)
    if token is not None:
        return partial(token_is_live, token.pk)
    return partial(session_signed_in, request.session.session_key, request.auth.pk)


def _open(request: HttpRequest, source: streams.Source) -> HttpResponse:
    after = streams.last_event_id(request.headers.get("Last-Event-ID"))
    stream = streams.event_stream(source, after=after, still_allowed=_still_allowed(request))
    return streams.stream_response(stream)


@router.get("/storyboards/{storyboard_id}/stream", tags=["storyboards"], openapi_extra=STREAM_DOC)
async def storyboard_stream(request: HttpRequest, storyboard_id: int) -> HttpResponse:
    """`scene_update` per changed scene; ends with `storyboard_complete` or `storyboard_error`."""
    storyboard = await off_loop(storyboard_get_for_user, request.auth, storyboard_id)
    storyboard = found(storyboard, "storyboard", storyboard_id)
    return _open(request, streams.StoryboardSource(storyboard.pk, storyboard.project_id))


@router.get(
    "/compositions/{composition_id}/stream", tags=["compositions"], openapi_extra=STREAM_DOC
)
async def composition_stream(request: HttpRequest, composition_id: int) -> HttpResponse:
    """`progress` per step of the film; ends with `complete` or `error`."""
    composition = await off_loop(composition_get_for_user, request.auth, composition_id)
    composition = found(composition, "composition", composition_id)
    project_id = composition.storyboard.project_id
    return _open(request, streams.CompositionSource(composition.pk, project_id))
