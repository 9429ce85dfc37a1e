"""Read endpoints for systems; every one gets its records through a selector or policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import policies, selectors
from ..models import Team, User
from .serializers import MeSerializer, TeamSerializer


class HasDirectory(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("core.view_staff_directory"))


class MeView(APIView):
    """The account the token or session belongs to, with its roles and permissions."""

    permission_classes = [IsAuthenticated]
    access_rule = "signed in: a caller may see its own account"

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]  # IsAuthenticated guarantees a User
        return Response(MeSerializer(user).data)


class TeamListView(generics.ListAPIView[Team]):
    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated, HasDirectory]
    access_rule = "permission: core.view_staff_directory"

    def get_queryset(self):
        viewer: User = self.request.user  # type: ignore[assignment]
        return selectors.team_list(viewer=viewer)


class TeamDetailView(generics.RetrieveAPIView[Team]):
    serializer_class = TeamSerializer
    permission_classes = [IsAuthenticated, HasDirectory]
    access_rule = "permission: core.view_staff_directory; record through policies.team_for"

    def get_object(self) -> Team:
        viewer: User = self.request.user  # type: ignore[assignment]
        team = policies.team_for(viewer, self.kwargs["pk"])
        return selectors.team_list(viewer=viewer).get(pk=team.pk)


class SchemaView(SpectacularAPIView):
    access_rule = "signed in: the API description, for integrators holding a token"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request.user.is_authenticated:
            raise PermissionDenied
        return super().get(request, *args, **kwargs)
