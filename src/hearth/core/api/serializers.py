from rest_framework import serializers

from ..models import Role, Team, User


class MeSerializer(serializers.ModelSerializer[User]):
    roles: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "job_title", "roles", "permissions"]

    def get_permissions(self, obj: User) -> list[str]:
        return sorted(obj.get_all_permissions())


class TeamSerializer(serializers.ModelSerializer[Team]):
    manager: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        read_only=True, slug_field="email"
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "service_area",
            "manager",
            "caseload_amber",
            "caseload_red",
            "is_active",
            "member_count",
        ]
