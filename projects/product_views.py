"""The product library pages: the list, one product with its photos, the project's product.

Photos upload several at a time over HTMX (static/js/products.js shows each file's progress
and takes drops); the response is the photo grid, with every refused file named and why.
A photo whose cutout is being made polls its own tile until it is done (`_product_photo.html`).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects import product_services as services
from projects.forms import ProductForm, ProjectProductForm
from projects.models import Product
from projects.product_services import ProductError, UploadOutcome
from projects.selectors import (
    product_get_for_user,
    product_image_get_for_user,
    product_list_for_user,
    project_get_for_user,
)


@require_http_methods(["GET", "POST"])
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = services.product_create(owner=request.user, **form.cleaned_data)
        return redirect("projects:product", product_id=product.pk)
    products = product_list_for_user(request.user)
    return render(request, "projects/product_list.html", {"products": products, "form": form})


@require_http_methods(["GET", "POST"])
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(request.user, product_id)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        services.product_update(product=product, **form.cleaned_data)
        messages.success(request, f"Saved “{product.name}”.")
        return redirect("projects:product", product_id=product.pk)
    return render(request, "projects/product_detail.html", {"product": product, "form": form})


@require_POST
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(request.user, product_id)
    services.product_delete(product=product)
    messages.success(request, f"Deleted “{product.name}”.")
    return redirect("projects:products")


@require_POST
def product_photos_upload(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(request.user, product_id)
    files = request.FILES.getlist("photos")
    outcome = services.product_images_add(product=product, files=files)
    if not files:
        outcome.refused.append(("", "Choose one or more photos first."))
    return _photos(request, product, outcome)


@require_POST
def product_video_upload(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get_for_user(request.user, product_id)
    upload = request.FILES.get("video")
    if upload is None:
        return _photos(request, product, UploadOutcome(refused=[("", "Choose a video first.")]))
    return _photos(request, product, services.product_video_add(product=product, upload=upload))


@require_GET
def product_photo_tile(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    image = product_image_get_for_user(request.user, product_id, image_id)
    return render(request, "projects/_product_photo.html", {"image": image, "poll": True})


@require_POST
def product_photo_action(
    request: HttpRequest, product_id: int, image_id: int, action: str
) -> HttpResponse:
    """Delete, move earlier or later, make main, or cut out again: each one service call."""
    image = product_image_get_for_user(request.user, product_id, image_id)
    if action not in PHOTO_ACTIONS:
        raise Http404("No such action.")
    outcome = UploadOutcome()
    try:
        PHOTO_ACTIONS[action](image)
    except ProductError as error:
        outcome.refused.append((image.original_name, str(error)))
    return _photos(request, image.product, outcome)


PHOTO_ACTIONS = {
    "delete": lambda image: services.product_image_delete(image=image),
    "earlier": lambda image: services.product_image_move(image=image, offset=-1),
    "later": lambda image: services.product_image_move(image=image, offset=1),
    "main": lambda image: services.product_image_make_main(image=image),
    "retry": lambda image: services.product_image_cutout_retry(image=image),
}


@require_POST
def project_product(request: HttpRequest, project_id: int) -> HttpResponse:
    """Choose the project's product (or none); its name and description fill the brief."""
    project = project_get_for_user(request.user, project_id)
    form = ProjectProductForm(request.POST)
    product = None
    if form.is_valid() and form.cleaned_data["product"]:
        product = product_get_for_user(request.user, form.cleaned_data["product"])
    services.project_choose_product(project=project, product=product)
    return redirect("projects:brief", project_id=project.pk)


def _photos(request: HttpRequest, product: Product, outcome: UploadOutcome) -> HttpResponse:
    if not request.htmx:
        for name, why in outcome.refused:
            messages.error(request, f"{name}: {why}" if name else why)
        return redirect("projects:product", product_id=product.pk)
    product = product_get_for_user(request.user, product.pk)
    context = {"product": product, "refused": outcome.refused, "added": len(outcome.added)}
    return render(request, "projects/_product_photos.html", context)
