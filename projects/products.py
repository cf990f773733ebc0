"""What later apps add to a product, registered so `projects` imports none of them.

register_turntable_source(capture_turntable)   # nerf: the latest finished 3D turntable
product_turntable(product)                      # storyboards: "" when there is none
"""

from collections.abc import Callable

from projects.models import Product

_turntable_sources: list[Callable[[Product], str]] = []


def register_turntable_source(source: Callable[[Product], str]) -> None:
    if source not in _turntable_sources:
        _turntable_sources.append(source)


def product_turntable(product: Product | None) -> str:
    """The storage path of the product's transparent turntable clip, or ""."""
    if product is None:
        return ""
    return next((path for source in _turntable_sources if (path := source(product))), "")
