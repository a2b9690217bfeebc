"""The GPU and AI-workloads pack (GPU): accelerator requests, isolation, scheduling and training health."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.gpu import (
        device_hostpath,
        device_list_mount,
        fractional_quantity,
        negative_quantity,
        node_targeted_without_request,
        pod_level_resources,
        privileged_gpu_container,
        quota_not_enforced,
        request_limit_mismatch,
        request_without_limit,
        resource_name_invalid,
        resource_name_unknown,
        runtime_class_without_request,
        visible_devices_env,
        zero_quantity,
    )

    return (
        request_without_limit.RULE,  # GPU001
        request_limit_mismatch.RULE,  # GPU002
        fractional_quantity.RULE,  # GPU003
        negative_quantity.RULE,  # GPU004
        zero_quantity.RULE,  # GPU005
        resource_name_invalid.RULE,  # GPU006
        resource_name_unknown.RULE,  # GPU007
        pod_level_resources.RULE,  # GPU008
        quota_not_enforced.RULE,  # GPU009
        visible_devices_env.RULE,  # GPU020
        privileged_gpu_container.RULE,  # GPU021
        device_hostpath.RULE,  # GPU022
        device_list_mount.RULE,  # GPU023
        runtime_class_without_request.RULE,  # GPU024
        node_targeted_without_request.RULE,  # GPU025
    )
