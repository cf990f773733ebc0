from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from nerf.models import NerfJob
from projects.models import Product
from projects.selectors import User


def capture_list_for_user(user: User) -> QuerySet[NerfJob]:
    if not user.is_authenticated or not user.is_active:
        return NerfJob.objects.none()
    return NerfJob.objects.filter(product__owner=user).select_related("product")


def capture_get_for_user(user: User, capture_id: int) -> NerfJob:
    return get_object_or_404(capture_list_for_user(user), pk=capture_id)


def capture_turntable(product: Product) -> str:
    """The storage path of the product's latest finished turntable, or ""."""
    done = product.nerf_jobs.filter(status=NerfJob.Status.COMPLETE).exclude(turntable="")
    return done.values_list("turntable", flat=True).first() or ""
