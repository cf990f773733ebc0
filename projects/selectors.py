from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    CharField,
    DecimalField,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404

from media_pipeline.models import ProviderUsage
from projects.models import ChatMessage, CutoutStatus, Product, ProductImage, Project

User = AbstractBaseUser | AnonymousUser
# The brief page shows the latest turns; earlier ones load on demand.
CHAT_PAGE_SIZE = 30


def project_list_for_user(user: User) -> QuerySet[Project]:
    """The user's projects; none for an anonymous or inactive user."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    return Project.objects.filter(owner=user)


def project_list_with_spend_for_user(user: User) -> QuerySet[Project]:
    """The user's projects, each annotated with `spend`: the US$ its provider calls have cost.

    One correlated subquery sums the usage rows tagged "project:<id>" or "project:<id>:…" (a
    storyboard's, a film's), so a page of projects costs one query whatever its size.
    """
    return project_list_for_user(user).annotate(spend=_project_spend())


def project_with_spend_for_user(user: User, project_id: int) -> Project:
    """Like `project_get_for_user`, with `spend` as the dashboard shows it."""
    return get_object_or_404(project_list_with_spend_for_user(user), pk=project_id)


def _project_spend() -> Coalesce:
    subject = Concat(Value("project:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())
    nested = Concat(subject, Value(":"), output_field=CharField())
    money = DecimalField(max_digits=12, decimal_places=6)
    # SUM without GROUP BY: a plain Func is not an aggregate, so Django adds no grouping.
    total = (
        ProviderUsage.objects.filter(Q(subject=subject) | Q(subject__startswith=nested))
        .order_by()
        .annotate(total=Func(F("cost_estimate"), function="SUM", output_field=money))
        .values("total")[:1]
    )
    return Coalesce(Subquery(total, output_field=money), Value(0), output_field=money)


def project_get_for_user(user: User, project_id: int) -> Project:
    """The user's project, or 404: another user's project must look exactly like a missing one."""
    return get_object_or_404(project_list_for_user(user), pk=project_id)


def project_find_for_user(user: User, project_id: int) -> Project | None:
    """Like `project_get_for_user`, for code that answers "nothing" rather than 404 (live pushes)."""
    return project_list_for_user(user).filter(pk=project_id).first()


@dataclass(frozen=True)
class ChatPage:
    """A page of the conversation, oldest first, and whether earlier messages exist."""

    messages: list[ChatMessage]
    has_earlier: bool

    @property
    def first_id(self) -> int | None:
        return self.messages[0].pk if self.messages else None


def chat_page_for_project(project: Project, *, before: int | None = None) -> ChatPage:
    """The latest CHAT_PAGE_SIZE messages (before message id `before`), in one query."""
    messages = project.messages.order_by("-created_at", "-id")
    if before is not None:
        messages = messages.filter(id__lt=before)
    latest = list(messages[: CHAT_PAGE_SIZE + 1])
    return ChatPage(
        messages=latest[:CHAT_PAGE_SIZE][::-1], has_earlier=len(latest) > CHAT_PAGE_SIZE
    )


def product_list_for_user(user: User) -> QuerySet[Product]:
    """The user's products with their photos; none for an anonymous or inactive user."""
    if not user.is_authenticated or not user.is_active:
        return Product.objects.none()
    return Product.objects.filter(owner=user).prefetch_related("images")


def product_get_for_user(user: User, product_id: int) -> Product:
    return get_object_or_404(product_list_for_user(user), pk=product_id)


def product_image_get_for_user(user: User, product_id: int, image_id: int) -> ProductImage:
    """A photo of the user's product, or 404 (another user's looks like a missing one)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such photo.")
    return get_object_or_404(
        ProductImage.objects.select_related("product"),
        pk=image_id,
        product_id=product_id,
        product__owner=user,
    )


def product_cutouts(product: Product | None) -> list[str]:
    """Storage paths of the product's finished cutouts, main photo first."""
    if product is None:
        return []
    done = product.images.filter(cutout_status=CutoutStatus.DONE).exclude(cutout="")
    return [path for path in done.order_by("position", "id").values_list("cutout", flat=True)]


def main_cutout(product: Product | None) -> str:
    """The storage path of the product's first finished cutout, or "" (draw a generic product)."""
    return next(iter(product_cutouts(product)), "")
