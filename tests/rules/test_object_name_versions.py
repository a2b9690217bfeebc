"""Kubernetes-version boundaries of invalid-object-name's name formats."""

from __future__ import annotations

from guardlint.rules.schema.invalid_object_name import name_function


def test_service_names_relaxed_from_1_36_not_1_35() -> None:
    # RelaxedServiceNameValidation: alpha (off) in 1.34 and 1.35 (the 1.35 beta was reverted, kubernetes#135426),
    # beta and on by default in 1.36.
    assert name_function("", "Service", (1, 34)) == "dns1035"
    assert name_function("", "Service", (1, 35)) == "dns1035"
    assert name_function("", "Service", (1, 36)) == "label"
    assert name_function("", "Service", (1, 37)) == "label"


def test_statefulset_names_are_labels_from_1_27() -> None:
    assert name_function("apps", "StatefulSet", (1, 26)) == "subdomain"
    assert name_function("apps", "StatefulSet", (1, 27)) == "label"
