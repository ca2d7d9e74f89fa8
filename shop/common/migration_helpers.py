"""Helpers for data migrations that several apps share."""

from django.contrib.auth.management import create_permissions

MODERATORS_GROUP = "moderators"


def grant_to_moderators(apps, schema_editor, *, app_label: str, codenames: list[str]) -> None:
    """Give the moderators group some of an app's permissions (DESIGN §4 admin rights).

    Permissions are normally created after migrate; create them now so a fresh
    database gets a complete group in one run.
    """
    app_config = apps.get_app_config(app_label)
    # Migration state app configs have no models module; create_permissions skips
    # configs without one, so mark it for the call (the documented recipe).
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
