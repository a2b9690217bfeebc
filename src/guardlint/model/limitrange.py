"""LimitRange defaults: whether a LimitRange among the linted objects fills in a container's resources."""

from __future__ import annotations

from guardlint.model.access import get
from guardlint.model.index import ResourceIndex
from guardlint.model.resource import Resource


def limitrange_supplies(index: ResourceIndex, referrer: Resource, resource_name: str, section: str) -> bool:
    """Whether a LimitRange in the referrer's tree (``ResourceIndex.same_tree``) gives containers in its
    namespace a default
    ``section`` ("requests" or "limits") value for ``resource_name``.

    The API server defaults a LimitRange item as follows: a missing ``default`` (limit) comes from ``max``;
    a missing ``defaultRequest`` comes from ``default``, then from ``min``. An object without a namespace
    only counts a LimitRange without one (both land in the namespace chosen at apply time).
    """
    keys = ("default", "max") if section == "limits" else ("defaultRequest", "default", "max", "min")
    namespace = referrer.namespace
    for lr in index.in_namespace("LimitRange", namespace):
        if not index.same_tree(referrer, lr):
            continue
        for item in get(lr.data, ("spec", "limits")) or []:
            if not isinstance(item, dict) or item.get("type", "Container") != "Container":
                continue
            for key in keys:
                values = item.get(key)
                if isinstance(values, dict) and values.get(resource_name) is not None:
                    return True
    return False
