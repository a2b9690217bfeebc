"""Documentation links that more than one rule cites, each written once (``Reference(title, url)``).

A link only one rule cites stays in that rule's module; a pack's own links (vendor documentation) stay in
the pack's ``_refs.py``.
"""

from __future__ import annotations

from guardlint.rules.api import Reference

# -- workloads and their controllers ----------------------------------------------------------------------

DEPLOYMENTS = Reference(
    "Kubernetes: Deployments", "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"
)
JOBS = Reference("Kubernetes: Jobs", "https://kubernetes.io/docs/concepts/workloads/controllers/job/")
JOB_TERMINATION = Reference(
    "Kubernetes: Jobs, job termination and cleanup",
    "https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup",
)
CRONJOBS = Reference("Kubernetes: CronJob", "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/")
HPA = Reference(
    "Kubernetes: Horizontal Pod Autoscaling",
    "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
)
KEDA_SCALED_OBJECT = Reference(
    "KEDA: ScaledObject specification", "https://keda.sh/docs/latest/reference/scaledobject-spec/",
)
PDB = Reference(
    "Kubernetes: Specifying a Disruption Budget for your Application",
    "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
)
LABELS = Reference(
    "Kubernetes: Labels and Selectors",
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
)
SERVICES = Reference("Kubernetes: Service", "https://kubernetes.io/docs/concepts/services-networking/service/")
PROBES = Reference(
    "Kubernetes: Configure Liveness, Readiness and Startup Probes",
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
)

# -- resources --------------------------------------------------------------------------------------------

MANAGE_RESOURCES = Reference(
    "Kubernetes: Resource Management for Pods and Containers",
    "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
)
LIMIT_RANGE = Reference("Kubernetes: Limit Ranges", "https://kubernetes.io/docs/concepts/policy/limit-range/")
POD_LEVEL_RESOURCES = Reference(
    "Kubernetes: Assign Pod-level CPU and memory resources",
    "https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/",
)

# -- security ---------------------------------------------------------------------------------------------

SECURITY_CONTEXT = Reference(
    "Kubernetes: Configure a Security Context for a Pod or Container",
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
)
CAPABILITIES = Reference(
    "Kubernetes: Set capabilities for a Container",
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
)
SECCOMP = Reference(
    "Kubernetes: Restrict a Container's Syscalls with seccomp", "https://kubernetes.io/docs/tutorials/security/seccomp/"
)
USER_NAMESPACES = Reference(
    "Kubernetes: User Namespaces", "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/"
)
HOST_PATH = Reference("Kubernetes: hostPath volumes", "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath")
SECRETS_GOOD_PRACTICES = Reference(
    "Kubernetes: Good practices for Kubernetes Secrets",
    "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
)
RBAC_GOOD_PRACTICES = Reference(
    "Kubernetes: Role Based Access Control Good Practices",
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
)
