from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from projects.models import ChatMessage, Project


def project_list_for_user(user: AbstractBaseUser) -> QuerySet[Project]:
    return (
        Project.objects.filter(owner=user)
        .select_related("selected_mood")
        .prefetch_related("selected_mood__images")
    )


def project_get_for_user(user: AbstractBaseUser, project_id: int) -> Project:
    """The user's project, or 404: another user's project must look exactly like a missing one."""
    return get_object_or_404(project_list_for_user(user), pk=project_id)


def chat_messages_for_project(project: Project) -> QuerySet[ChatMessage]:
    return project.messages.all()
