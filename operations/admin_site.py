"""The admin site: email login (as the app signs in), a metrics page linked from the index."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import URLPattern, URLResolver, path


class EmailAdminLoginForm(AdminAuthenticationForm):
    """The admin's login with the email address; allauth's backend resolves it to the user."""

    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))


class ReelsmithAdminSite(admin.AdminSite):
    site_header = "Reelsmith operations"
    site_title = "Reelsmith admin"
    login_form = EmailAdminLoginForm
    index_template = "operations/admin_index.html"

    def get_urls(self) -> list[URLPattern | URLResolver]:
        from operations.views import metrics

        own = [path("metrics/", self.admin_view(metrics), name="metrics")]
        return own + super().get_urls()
