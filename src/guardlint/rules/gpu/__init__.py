"""The GPU and AI-workloads pack (GPU): accelerator requests, isolation, scheduling and training health."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.gpu import (
        dra_claim_reference_missing,
        dra_container_claim_unknown,
        dra_pod_claim_source_invalid,
        dra_request_shape_invalid,
        gpu_clean_pod_policy_keeps_pods,
        gpu_cpu_memory_requests_missing,
        gpu_device_hostpath,
        gpu_device_list_mount,
        gpu_exceeds_node_capacity,
        gpu_fractional_quantity,
        gpu_gang_scheduling_missing,
        gpu_in_init_container,
        gpu_job_unbounded_retries,
        gpu_job_without_deadline,
        gpu_kueue_queue_label_missing,
        gpu_mig_mixed_with_full_gpu,
        gpu_negative_quantity,
        gpu_node_selection_missing,
        gpu_node_targeted_without_request,
        gpu_pod_level_resources,
        gpu_privileged_container,
        gpu_quota_not_enforced,
        gpu_request_limit_mismatch,
        gpu_request_without_limit,
        gpu_resource_name_invalid,
        gpu_resource_name_unknown,
        gpu_rollout_needs_surge,
        gpu_runtime_class_missing,
        gpu_runtime_class_without_request,
        gpu_shm_missing,
        gpu_toleration_missing,
        gpu_visible_devices_env,
        gpu_zero_quantity,
    )

    return (
        gpu_request_without_limit.RULE,  # GPU001
        gpu_request_limit_mismatch.RULE,  # GPU002
        gpu_fractional_quantity.RULE,  # GPU003
        gpu_negative_quantity.RULE,  # GPU004
        gpu_zero_quantity.RULE,  # GPU005
        gpu_resource_name_invalid.RULE,  # GPU006
        gpu_resource_name_unknown.RULE,  # GPU007
        gpu_pod_level_resources.RULE,  # GPU008
        gpu_quota_not_enforced.RULE,  # GPU009
        gpu_visible_devices_env.RULE,  # GPU020
        gpu_privileged_container.RULE,  # GPU021
        gpu_device_hostpath.RULE,  # GPU022
        gpu_device_list_mount.RULE,  # GPU023
        gpu_runtime_class_without_request.RULE,  # GPU024
        gpu_node_targeted_without_request.RULE,  # GPU025
        gpu_exceeds_node_capacity.RULE,  # GPU040
        gpu_mig_mixed_with_full_gpu.RULE,  # GPU041
        gpu_in_init_container.RULE,  # GPU042
        gpu_rollout_needs_surge.RULE,  # GPU043
        gpu_toleration_missing.RULE,  # GPU044
        gpu_node_selection_missing.RULE,  # GPU045
        gpu_runtime_class_missing.RULE,  # GPU046
        gpu_shm_missing.RULE,  # GPU060
        gpu_cpu_memory_requests_missing.RULE,  # GPU061
        gpu_job_without_deadline.RULE,  # GPU062
        gpu_job_unbounded_retries.RULE,  # GPU063
        gpu_clean_pod_policy_keeps_pods.RULE,  # GPU064
        gpu_gang_scheduling_missing.RULE,  # GPU065
        gpu_kueue_queue_label_missing.RULE,  # GPU066
        dra_container_claim_unknown.RULE,  # GPU080
        dra_pod_claim_source_invalid.RULE,  # GPU081
        dra_claim_reference_missing.RULE,  # GPU082
        dra_request_shape_invalid.RULE,  # GPU083
    )
