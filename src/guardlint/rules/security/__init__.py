"""The security pack (SEC): Pod Security Standards and further workload, RBAC and GitOps checks."""

from __future__ import annotations

from typing import Any

from guardlint.rules.api import Rule


def rules() -> tuple[Rule[Any], ...]:
    from guardlint.rules.security import (
        forbidden_apparmor_profile,
        forbidden_selinux_options,
        host_path_volume,
        host_port,
        host_process_container,
        missing_seccomp_profile,
        non_default_capability,
        privilege_escalation_allowed,
        privileged_container,
        probe_or_lifecycle_host,
        restricted_volume_type,
        root_user_id,
        run_as_root_allowed,
        shared_host_namespace,
        unconfined_seccomp_profile,
        unmasked_proc_mount,
        unmasked_proc_mount_restricted,
        unpinned_image,
        unrestricted_capabilities,
        unsafe_sysctl,
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
    )
