"""Which containers mount a pod volume, and how."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.model.workloads import ContainerRef, PodSpecRef, iter_containers


def mounts_of(pod: PodSpecRef, volume_name: object) -> Iterator[tuple[ContainerRef, int, bool]]:
    """(container, index in volumeMounts, read-only) for every mount of the volume named ``volume_name``."""
    for c in iter_containers(pod):
        for j, mount in iter_maps(c.data, ("volumeMounts",)):
            if mount.get("name") == volume_name:
                yield c, j, mount.get("readOnly") is True
