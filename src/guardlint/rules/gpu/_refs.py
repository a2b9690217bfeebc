"""References cited by the GPU pack's rules."""

from __future__ import annotations

from guardlint.rules.api import Reference

SCHEDULE_GPUS = Reference("Kubernetes: Schedule GPUs", "https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/")
EXTENDED_RESOURCES = Reference(
    "Kubernetes: Resource management, extended resources",
    "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#extended-resources",
)
VALIDATION = Reference(
    "Kubernetes source: validateResourceRequirements (pkg/apis/core/validation/validation.go)",
    "https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go",
)
DEVICE_PLUGIN = Reference("NVIDIA k8s-device-plugin (README)", "https://github.com/NVIDIA/k8s-device-plugin#readme")
TOOLKIT_ENV = Reference(
    "NVIDIA Container Toolkit: specialized configurations (NVIDIA_VISIBLE_DEVICES)",
    "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html",
)
DEVICE_PLUGIN_ISSUE_ENV = Reference(
    "NVIDIA/k8s-device-plugin#87: containers without a GPU request see every GPU",
    "https://github.com/NVIDIA/k8s-device-plugin/issues/87",
)
RESOURCE_QUOTA_EXTENDED = Reference(
    "Kubernetes: Resource quota for extended resources",
    "https://kubernetes.io/docs/concepts/policy/resource-quotas/#resource-quota-for-extended-resources",
)
INIT_CONTAINER_RESOURCES = Reference(
    "Kubernetes: Init containers, resource sharing within containers",
    "https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers",
)
ROLLING_UPDATE = Reference(
    "Kubernetes: Deployments, max surge and max unavailable",
    "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment",
)
TAINTS = Reference(
    "Kubernetes: Taints and tolerations (special hardware, ExtendedResourceToleration)",
    "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#example-use-cases",
)
RUNTIME_CLASS = Reference("Kubernetes: Runtime Class", "https://kubernetes.io/docs/concepts/containers/runtime-class/")
GPU_OPERATOR_CDI = Reference(
    "NVIDIA GPU Operator: Container Device Interface support (runtime classes)",
    "https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/cdi.html",
)
EMPTYDIR_MEMORY = Reference(
    "Kubernetes: Volumes, emptyDir with medium Memory",
    "https://kubernetes.io/docs/concepts/storage/volumes/#emptydir",
)
PYTORCH_SHM = Reference(
    "PyTorch: multiprocessing data loading needs shared memory (docker --shm-size / --ipc=host)",
    "https://github.com/pytorch/pytorch#docker-image",
)
QOS = Reference(
    "Kubernetes: Pod Quality of Service classes",
    "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
)
KUBEFLOW_RUN_POLICY = Reference(
    "Kubeflow Training Operator: RunPolicy (cleanPodPolicy, backoffLimit, activeDeadlineSeconds)",
    "https://github.com/kubeflow/training-operator/blob/release-1.9/pkg/apis/kubeflow.org/v1/common_types.go",
)
ARGO_RETRIES = Reference(
    "Argo Workflows: retrying failed or errored steps",
    "https://argo-workflows.readthedocs.io/en/latest/walk-through/retrying-failed-or-errored-steps/",
)
KUEUE_LABEL = Reference(
    "Kueue: Run a Job (the kueue.x-k8s.io/queue-name label)",
    "https://kueue.sigs.k8s.io/docs/tasks/run/jobs/",
)
GANG_ISSUE = Reference(
    "kubeflow/training-operator#165: distributed jobs deadlock without gang scheduling",
    "https://github.com/kubeflow/training-operator/issues/165",
)
VOLCANO_GANG = Reference("Volcano: gang scheduling", "https://volcano.sh/en/docs/plugins/#gang")
DRA = Reference(
    "Kubernetes: Dynamic Resource Allocation",
    "https://kubernetes.io/docs/concepts/scheduling-eviction/dynamic-resource-allocation/",
)
DRA_API = Reference(
    "Kubernetes API: ResourceClaim (resource.k8s.io/v1)",
    "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/resource-claim-v1/",
)
MIG_GUIDE = Reference(
    "NVIDIA MIG user guide: CUDA device enumeration",
    "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/",
)
PSS_HOSTPATH = Reference(
    "Pod Security Standards: HostPath volumes",
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
)
