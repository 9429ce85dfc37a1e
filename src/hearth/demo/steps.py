"""The ordered steps that build a synthetic council.

Any installed app can add records at generation time without touching this app: put a module named
`demo_steps.py` in the app and register a function there::

    from hearth.demo.steps import register_step

    @register_step("children", order=100)
    def generate_children(ctx: GenerationContext) -> None:
        ...

Steps run in `order` (then name) inside one transaction. This app's steps (workforce.py): roles 0,
council 10, workforce 20 (teams, staff, demo accounts). Children and casework belong from 100 on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from .context import GenerationContext

StepFunction = Callable[[GenerationContext], None]


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    function: StepFunction

    @property
    def qualified_name(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


_registry: dict[str, Step] = {}


def register_step(name: str, order: int) -> Callable[[StepFunction], StepFunction]:
    def decorator(function: StepFunction) -> StepFunction:
        step = Step(name=name, order=order, function=function)
        existing = _registry.get(name)
        if existing is not None and existing.qualified_name != step.qualified_name:
            raise ImproperlyConfigured(
                f"Two generation steps are named {name!r}: "
                f"{existing.qualified_name} and {step.qualified_name}"
            )
        _registry[name] = step
        return function

    return decorator


def unregister_step(name: str) -> None:
    _registry.pop(name, None)


def load_steps() -> None:
    """Import every installed app's `demo_steps` module (this app's included)."""
    autodiscover_modules("demo_steps")


def registered_steps() -> list[Step]:
    load_steps()
    return sorted(_registry.values(), key=lambda s: (s.order, s.name))
