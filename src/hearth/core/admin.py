"""Django admin for superusers; day-to-day administration uses Hearth's own pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiToken, AuditEvent, Council, Role, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "first_name", "last_name", "employment_type", "is_active"]
    list_filter = ["is_active", "employment_type", "roles"]
    search_fields = ["email", "first_name", "last_name"]
    exclude = ["password"]
    filter_horizontal = ["roles"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are closed, never deleted


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "service_area", "manager", "is_active"]
    list_filter = ["service_area", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(Role)
admin.site.register(TeamMembership)
admin.site.register(Council)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_id", "person_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "person_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
