"""Service accounts of pods and the bindings that name them."""

from __future__ import annotations

from guardlint.model.access import get_bool, get_str, iter_maps
from guardlint.model.index import ResourceIndex, same_namespace
from guardlint.model.resource import Resource
from guardlint.model.workloads import PodSpecRef

BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


def service_account_name(pod: PodSpecRef) -> str:
    """The service account a pod runs as (``default`` when neither field is set)."""
    return get_str(pod.spec, ("serviceAccountName",)) or get_str(pod.spec, ("serviceAccount",)) or "default"


def service_account_automount(index: ResourceIndex, name: str, referrer: Resource) -> bool | None:
    """``automountServiceAccountToken`` of the ServiceAccount object, if it is in the referrer's tree."""
    sa = index.find_related("ServiceAccount", name, referrer)
    return get_bool(sa.data, ("automountServiceAccountToken",)) if sa is not None else None


def is_bound(index: ResourceIndex, name: str, referrer: Resource) -> bool:
    """Whether a RoleBinding or ClusterRoleBinding in the referrer's tree names the service account."""
    namespace = referrer.namespace

    def build() -> dict[str, list[tuple[Resource, str | None]]]:
        out: dict[str, list[tuple[Resource, str | None]]] = {}
        for kind in BINDING_KINDS:
            for binding in index.of_kind(kind, any_namespace=True):
                for _, subject in iter_maps(binding.data, ("subjects",)):
                    sub_name = subject.get("name")
                    if subject.get("kind") == "ServiceAccount" and isinstance(sub_name, str):
                        out.setdefault(sub_name, []).append(
                            (binding, get_str(subject, ("namespace",)) or binding.namespace))
        return out

    bound: dict[str, list[tuple[Resource, str | None]]] = index.memo("security.bound-service-accounts", build)
    return any(
        same_namespace(sub_ns, namespace) and index.same_tree(referrer, binding)
        for binding, sub_ns in bound.get(name, ())
    )
