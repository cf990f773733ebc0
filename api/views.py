"""The account's Access tokens page: make, name, list and revoke personal access tokens."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from api.forms import TokenForm
from api.tokens import token_create, token_get_for_user, token_list_for_user, token_revoke


def _render(
    request: HttpRequest, *, form: TokenForm | None = None, secret: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "tokens": token_list_for_user(request.user),
        "form": form or TokenForm(),
        "secret": secret,
    }
    template = "api/_tokens.html" if request.htmx else "api/tokens.html"
    return render(request, template, context, status=status)


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _render(request)


@require_POST
def token_new(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=422 if request.htmx else 200)
    _, secret = token_create(
        user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at
    )
    # Shown in this response only: the secret is not stored and cannot be shown again.
    return _render(request, secret=secret)


@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token_revoke(token=token_get_for_user(request.user, token_id))
    return _render(request) if request.htmx else redirect("tokens:list")
