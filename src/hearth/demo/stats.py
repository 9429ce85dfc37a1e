"""Figures about the council in the database, for `manage.py council_stats`.

The output holds `counts` (rows per model of every `hearth.*` app) and one section per
registered function. Any installed app can contribute a section in a `demo_stats.py` module::

    from hearth.demo.stats import register_stats

    @register_stats("children_in_need")
    def children_in_need(council: Council | None) -> dict[str, object]:
        return {"at_reference_date": ...}

Figures must be deterministic for a seed: no generation timestamps, no primary keys, floats rounded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from hearth.core.models import Council

StatsFunction = Callable[[Council | None], dict[str, Any]]

_registry: dict[str, StatsFunction] = {}
RESERVED = {"counts"}


def register_stats(name: str) -> Callable[[StatsFunction], StatsFunction]:
    if name in RESERVED:
        raise ImproperlyConfigured(f"{name!r} is reserved in council_stats")

    def decorator(function: StatsFunction) -> StatsFunction:
        _registry[name] = function
        return function

    return decorator


def unregister_stats(name: str) -> None:
    _registry.pop(name, None)


def model_counts() -> dict[str, int]:
    """Rows in every model (including many-to-many tables) of every `hearth.*` app."""
    counts = {}
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("hearth."):
            continue
        for model in app_config.get_models(include_auto_created=True):
            if model._meta.proxy:
                continue
            counts[model._meta.label_lower] = model._default_manager.count()
    return dict(sorted(counts.items()))


def collect_stats() -> dict[str, Any]:
    autodiscover_modules("demo_stats")
    council = Council.objects.order_by("pk").first()
    result: dict[str, Any] = {"counts": model_counts()}
    for name in sorted(_registry):
        result[name] = _registry[name](council)
    return result


def stats_json() -> str:
    return json.dumps(collect_stats(), indent=2, sort_keys=True, default=str)
