"""The security pack (SEC): Pod Security Standards and further workload, RBAC, networking and GitOps checks.

Codes: SEC001-SEC019 one rule per Pod Security Standards check (tags ``pss``, ``pss-baseline``,
``pss-restricted``); SEC020-SEC029 images; SEC030-SEC049 workload hardening and secrets in pods; SEC050-SEC059
GitOps hygiene; SEC060-SEC069 RBAC; SEC070-SEC079 networking; SEC090 (declarative) deprecated fields.
"""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.security import (
        cluster_admin_binding,
        credentials_in_configmap,
        dangerous_capability,
        default_service_account,
        exported_live_object,
        exposed_service,
        forbidden_apparmor_profile,
        forbidden_selinux_options,
        host_aliases,
        host_path_volume,
        host_port,
        host_process_container,
        image_pull_policy_not_always,
        ingress_without_tls,
        low_user_or_group_id,
        missing_seccomp_profile,
        net_raw_not_dropped,
        nginx_snippet_annotation,
        node_proxy_access,
        non_default_capability,
        plaintext_secret,
        pod_exec_access,
        privilege_escalation_allowed,
        privileged_container,
        probe_or_lifecycle_host,
        rbac_escalation_access,
        restricted_volume_type,
        root_user_id,
        run_as_root_allowed,
        secret_env_reference,
        secret_in_env_value,
        secret_read_access,
        sensitive_host_path,
        service_account_token_automounted,
        shared_host_namespace,
        shared_process_namespace,
        token_create_access,
        unconfined_seccomp_profile,
        unmasked_proc_mount,
        unmasked_proc_mount_restricted,
        unpinned_image,
        unrestricted_capabilities,
        unsafe_sysctl,
        wildcard_rbac_rule,
        workload_create_access,
        writable_host_path,
        writable_root_filesystem,
    )

    return (
        host_process_container.RULE,  # SEC001
        shared_host_namespace.RULE,  # SEC002
        privileged_container.RULE,  # SEC003
        non_default_capability.RULE,  # SEC004
        host_path_volume.RULE,  # SEC005
        host_port.RULE,  # SEC006
        probe_or_lifecycle_host.RULE,  # SEC007
        forbidden_apparmor_profile.RULE,  # SEC008
        forbidden_selinux_options.RULE,  # SEC009
        unmasked_proc_mount.RULE,  # SEC010
        unconfined_seccomp_profile.RULE,  # SEC011
        unsafe_sysctl.RULE,  # SEC012
        restricted_volume_type.RULE,  # SEC013
        privilege_escalation_allowed.RULE,  # SEC014
        run_as_root_allowed.RULE,  # SEC015
        root_user_id.RULE,  # SEC016
        missing_seccomp_profile.RULE,  # SEC017
        unrestricted_capabilities.RULE,  # SEC018
        unmasked_proc_mount_restricted.RULE,  # SEC019
        unpinned_image.RULE,  # SEC020
        image_pull_policy_not_always.RULE,  # SEC021
        writable_root_filesystem.RULE,  # SEC030
        dangerous_capability.RULE,  # SEC031
        net_raw_not_dropped.RULE,  # SEC032
        low_user_or_group_id.RULE,  # SEC033
        service_account_token_automounted.RULE,  # SEC034
        default_service_account.RULE,  # SEC035
        sensitive_host_path.RULE,  # SEC036
        writable_host_path.RULE,  # SEC037
        host_aliases.RULE,  # SEC038
        shared_process_namespace.RULE,  # SEC039
        secret_in_env_value.RULE,  # SEC040
        secret_env_reference.RULE,  # SEC041
        plaintext_secret.RULE,  # SEC050
        credentials_in_configmap.RULE,  # SEC051
        exported_live_object.RULE,  # SEC052
        wildcard_rbac_rule.RULE,  # SEC060
        cluster_admin_binding.RULE,  # SEC061
        secret_read_access.RULE,  # SEC062
        pod_exec_access.RULE,  # SEC063
        rbac_escalation_access.RULE,  # SEC064
        workload_create_access.RULE,  # SEC065
        node_proxy_access.RULE,  # SEC066
        token_create_access.RULE,  # SEC067
        exposed_service.RULE,  # SEC070
        ingress_without_tls.RULE,  # SEC071
        nginx_snippet_annotation.RULE,  # SEC072
    )
