from django import template

from projects.models import Project
from projects.steps import tool_links

register = template.Library()


@register.simple_tag
def project_tools(project: Project) -> list[tuple[str, str]]:
    """(label, url) of the registered product tools for this project."""
    return tool_links(project)
