"""Agreement of the PSS rules with the Pod Security Admission reference, level by level and version by version.

Each case starts from the reference's minimal valid pod for the level and policy version (baseline: one init
container and one container, nothing else; restricted: built up cumulatively: runAsNonRoot from 1.0,
allowPrivilegeEscalation=false from 1.8, a RuntimeDefault seccomp profile from 1.19 and capabilities drop ALL
from 1.22), changes it, and states whether the reference admits the result at each level and version. The
test lints every case with ``--select pss-<level>`` at that Kubernetes version and requires "no finding"
exactly when the reference allows the pod, both as a bare Pod and as a Deployment's pod template.

The cases are written from the behaviour described in the reference's checks (see docs of the rules); they are
not copies of the reference's fixture files.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

import guardlint
from guardlint.api import Settings
from tests.helpers import settings_for

B = "baseline"
R = "restricted"
LEVELS = (B, R)
Version = tuple[int, int]
Pod = dict[str, Any]

VERSIONS: tuple[Version, ...] = (
    (1, 0), (1, 7), (1, 8), (1, 18), (1, 19), (1, 21), (1, 22), (1, 23), (1, 24), (1, 25), (1, 26), (1, 27),
    (1, 28), (1, 29), (1, 30), (1, 31), (1, 32), (1, 33), (1, 34), (1, 35), (1, 36), (1, 37), (1, 40), (1, 99),
)

PAUSE = "registry.k8s.io/pause"


def clamp(v: Version) -> Version:
    return min(v, (1, 37))


# -- minimal valid pods -----------------------------------------------------------------------------------------


def container_sc(level: str, v: Version, *, windows: bool = False) -> dict[str, Any]:
    """The container securityContext of the minimal valid pod."""
    if level == B or (windows and v >= (1, 25)):
        return {}
    sc: dict[str, Any] = {}
    if v >= (1, 8):
        sc["allowPrivilegeEscalation"] = False
    if v >= (1, 22):
        sc["capabilities"] = {"drop": ["ALL"]}
    return sc


def base_pod(level: str, v: Version, *, os_name: str | None = None) -> Pod:
    windows = os_name == "windows"
    spec: dict[str, Any] = {}
    if os_name:
        spec["os"] = {"name": os_name}
    if level == R:
        psc: dict[str, Any] = {"runAsNonRoot": True}
        if v >= (1, 19) and not (windows and v >= (1, 25)):
            psc["seccompProfile"] = {"type": "RuntimeDefault"}
        spec["securityContext"] = psc
    for key, name in (("initContainers", "initcontainer1"), ("containers", "container1")):
        c: dict[str, Any] = {"name": name, "image": PAUSE}
        sc = container_sc(level, v, windows=windows)
        if sc:
            c["securityContext"] = sc
        spec[key] = [c]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod"}, "spec": spec}


# -- mutation helpers -----------------------------------------------------------------------------------------------


def c0(pod: Pod) -> dict[str, Any]:
    c: dict[str, Any] = pod["spec"]["containers"][0]
    return c


def ic0(pod: Pod) -> dict[str, Any]:
    c: dict[str, Any] = pod["spec"]["initContainers"][0]
    return c


def sc(c: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = c.setdefault("securityContext", {})
    return value


def psc(pod: Pod) -> dict[str, Any]:
    value: dict[str, Any] = pod["spec"].setdefault("securityContext", {})
    return value


def annotate(pod: Pod, key: str, value: str) -> None:
    pod["metadata"].setdefault("annotations", {})[key] = value


def add_ephemeral(pod: Pod, level: str, v: Version, **security: Any) -> dict[str, Any]:
    """An ephemeral container set up like the minimal pod's containers, plus ``security``."""
    container: dict[str, Any] = {"name": "debug", "image": PAUSE}
    merged = {**container_sc(level, v), **security}
    if merged:
        container["securityContext"] = merged
    pod["spec"].setdefault("ephemeralContainers", []).append(container)
    return container


Mutate = Callable[[Pod, str, Version], None]
Expect = Callable[[str, Version], bool]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutate
    allowed: Expect
    """Whether the reference admits the pod at (level, requested version)."""
    os_name: str | None = None
    levels: tuple[str, ...] = LEVELS
    since: Version = (1, 0)
    """Only evaluated from this requested version (e.g. Windows minimal pods exist from 1.25)."""


def allowed_always(level: str, v: Version) -> bool:
    return True


def fails_everywhere(level: str, v: Version) -> bool:
    return False


def fails(levels: tuple[str, ...] = LEVELS, since: Version = (1, 0), until: Version | None = None) -> Expect:
    """Rejected at ``levels`` for ``since <= version < until`` (clamped), admitted otherwise."""

    def expect(level: str, v: Version) -> bool:
        cv = clamp(v)
        hit = level in levels and since <= cv and (until is None or cv < until)
        return not hit

    return expect


def restricted_only(since: Version = (1, 0), until: Version | None = None) -> Expect:
    return fails((R,), since, until)


CASES: list[Case] = []


def case(name: str, allowed: Expect, **kw: Any) -> Callable[[Mutate], Mutate]:
    def wrap(fn: Mutate) -> Mutate:
        CASES.append(Case(name, fn, allowed, **kw))
        return fn

    return wrap


# -- the minimal pods themselves ----------------------------------------------------------------------------------


@case("base", allowed_always)
def _base(pod: Pod, level: str, v: Version) -> None:
    pass


@case("base-linux", allowed_always, os_name="linux")
def _base_linux(pod: Pod, level: str, v: Version) -> None:
    pass


@case("base-windows", allowed_always, os_name="windows", since=(1, 25))
def _base_windows(pod: Pod, level: str, v: Version) -> None:
    pass


# -- windowsHostProcess ---------------------------------------------------------------------------------------------


@case("hostprocess-pod-with-hostnetwork", fails_everywhere)
def _hp1(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostNetwork"] = True
    psc(pod)["windowsOptions"] = {"hostProcess": True}


@case("hostprocess-containers-with-hostnetwork", fails_everywhere)
def _hp2(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostNetwork"] = True
    sc(c0(pod))["windowsOptions"] = {"hostProcess": True}
    sc(ic0(pod))["windowsOptions"] = {"hostProcess": True}


@case("hostprocess-pod-only", fails_everywhere)
def _hp3(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["windowsOptions"] = {"hostProcess": True}


@case("hostprocess-ephemeral", fails_everywhere)
def _hp4(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, windowsOptions={"hostProcess": True})


@case("hostprocess-false", allowed_always)
def _hp5(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["windowsOptions"] = {"hostProcess": False}
    sc(c0(pod))["windowsOptions"] = {"hostProcess": False, "runAsUserName": "ContainerUser"}


# -- hostNamespaces -------------------------------------------------------------------------------------------------

for _ns in ("hostIPC", "hostNetwork", "hostPID"):

    @case(f"hostnamespaces-{_ns}", fails_everywhere)
    def _hn(pod: Pod, level: str, v: Version, key: str = _ns) -> None:
        pod["spec"][key] = True


@case("hostnamespaces-all-false", allowed_always)
def _hn_false(pod: Pod, level: str, v: Version) -> None:
    pod["spec"].update(hostIPC=False, hostNetwork=False, hostPID=False)


# -- privileged -----------------------------------------------------------------------------------------------------


@case("privileged-false", allowed_always)
def _priv_false(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["privileged"] = False
    sc(ic0(pod))["privileged"] = False


@case("privileged-container", fails_everywhere)
def _priv_c(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["privileged"] = True


@case("privileged-init-container", fails_everywhere)
def _priv_ic(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["privileged"] = True


@case("privileged-ephemeral-container", fails_everywhere)
def _priv_ec(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, privileged=True)


# -- capabilities_baseline / capabilities_restricted -----------------------------------------------------------

BASELINE_CAPS = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
    "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]


def _caps(c: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = sc(c).setdefault("capabilities", {})
    return value


@case("capabilities-add-baseline-set", restricted_only(since=(1, 22)))
def _cap_pass(pod: Pod, level: str, v: Version) -> None:
    _caps(c0(pod))["add"] = list(BASELINE_CAPS)
    _caps(ic0(pod))["add"] = list(BASELINE_CAPS)


for _where, _get in (("container", c0), ("init-container", ic0)):

    @case(f"capabilities-add-net-raw-{_where}", fails_everywhere)
    def _cap_raw(pod: Pod, level: str, v: Version, get: Callable[[Pod], dict[str, Any]] = _get) -> None:
        _caps(get(pod))["add"] = ["NET_RAW"]


@case("capabilities-add-lowercase", fails_everywhere)
def _cap_lower(pod: Pod, level: str, v: Version) -> None:
    _caps(c0(pod))["add"] = ["chown"]


@case("capabilities-add-cap-prefix", fails_everywhere)
def _cap_prefix(pod: Pod, level: str, v: Version) -> None:
    _caps(c0(pod))["add"] = ["CAP_CHOWN"]


@case("capabilities-add-cap-net-bind-service", fails_everywhere)
def _cap_prefix_nbs(pod: Pod, level: str, v: Version) -> None:
    _caps(c0(pod))["add"] = ["CAP_NET_BIND_SERVICE"]


@case("capabilities-add-sys-admin-ephemeral", fails_everywhere)
def _cap_eph(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})


@case("capabilities-drop-all-add-net-bind-service", allowed_always)
def _capr_pass(pod: Pod, level: str, v: Version) -> None:
    for c in (c0(pod), ic0(pod)):
        _caps(c).update(drop=["ALL"], add=["NET_BIND_SERVICE"])


for _where, _get in (("container", c0), ("init-container", ic0)):

    @case(f"capabilities-drop-empty-{_where}", restricted_only(since=(1, 22)))
    def _capr_empty(pod: Pod, level: str, v: Version, get: Callable[[Pod], dict[str, Any]] = _get) -> None:
        _caps(get(pod))["drop"] = []


@case("capabilities-drop-each-by-name", restricted_only(since=(1, 22)))
def _capr_each(pod: Pod, level: str, v: Version) -> None:
    every = [*BASELINE_CAPS, "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN", "SYS_MODULE", "SYS_TIME"]
    for c in (c0(pod), ic0(pod)):
        _caps(c)["drop"] = list(every)


@case("capabilities-drop-all-lowercase", restricted_only(since=(1, 22)))
def _capr_lower(pod: Pod, level: str, v: Version) -> None:
    _caps(c0(pod))["drop"] = ["all"]


@case("capabilities-drop-all-add-baseline-set", restricted_only(since=(1, 22)))
def _capr_add13(pod: Pod, level: str, v: Version) -> None:
    for c in (c0(pod), ic0(pod)):
        _caps(c).update(drop=["ALL"], add=list(BASELINE_CAPS))


@case("capabilities-no-security-context", restricted_only(since=(1, 8)))
def _capr_nosc(pod: Pod, level: str, v: Version) -> None:
    c0(pod).pop("securityContext", None)  # also drops allowPrivilegeEscalation=false (1.8+)


@case("capabilities-only-allow-privilege-escalation", restricted_only(since=(1, 22)))
def _capr_nocaps(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod)).pop("capabilities", None)


@case("capabilities-null", restricted_only(since=(1, 22)))
def _capr_null(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["capabilities"] = None


@case("capabilities-empty-mapping", restricted_only(since=(1, 22)))
def _capr_emptymap(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["capabilities"] = {}


@case("capabilities-windows-add-net-raw", fails((B,)), os_name="windows", since=(1, 25))
def _cap_win(pod: Pod, level: str, v: Version) -> None:
    # restricted >= 1.25: capabilities_restricted exempts Windows pods and overrides capabilities_baseline
    _caps(c0(pod))["add"] = ["NET_RAW"]


# -- hostPathVolumes / restrictedVolumes ----------------------------------------------------------------------------


@case("hostpath-with-emptydir", fails_everywhere)
def _hpv1(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["volumes"] = [{"name": "a", "emptyDir": {}}, {"name": "b", "hostPath": {"path": "/a"}}]


@case("hostpath-two", fails_everywhere)
def _hpv2(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["volumes"] = [
        {"name": "a", "hostPath": {"path": "/a"}},
        {"name": "b", "hostPath": {"path": "/b", "type": "Directory"}},
    ]


@case("hostpath-null-source", allowed_always)
def _hpv_null(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["volumes"] = [{"name": "a", "hostPath": None}]  # no source at all: defaulted to emptyDir


@case("volumes-allowed-types", allowed_always)
def _vol_pass(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["volumes"] = [
        {"name": "volume0"},
        {"name": "volume1", "emptyDir": {}},
        {"name": "volume2", "secret": {"secretName": "test"}},
        {"name": "volume3", "persistentVolumeClaim": {"claimName": "test"}},
        {"name": "volume4",
         "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "volume5", "configMap": {"name": "test"}},
        {"name": "volume6", "projected": {"sources": []}},
        {"name": "volume7", "csi": {"driver": "inline.storage.example.com"}},
        {"name": "volume8", "ephemeral": {"volumeClaimTemplate": {"spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}},
        {"name": "volume9", "image": {"reference": "example.com/data:1.0", "pullPolicy": "IfNotPresent"}},
    ]


RESTRICTED_VOLUMES: dict[str, dict[str, Any]] = {
    "gcePersistentDisk": {"pdName": "test"},
    "awsElasticBlockStore": {"volumeID": "test"},
    "gitRepo": {"repository": "github.com/kubernetes/kubernetes"},
    "nfs": {"server": "test", "path": "/test"},
    "iscsi": {"targetPortal": "test", "iqn": "iqn.2001-04.com.example:storage.kube.sys1.xyz", "lun": 0},
    "glusterfs": {"endpoints": "test", "path": "test"},
    "rbd": {"monitors": ["test"], "image": "test"},
    "flexVolume": {"driver": "test"},
    "cinder": {"volumeID": "test"},
    "cephfs": {"monitors": ["test"]},
    "flocker": {"datasetName": "test"},
    "fc": {"wwids": ["test"]},
    "azureFile": {"secretName": "test", "shareName": "test"},
    "vsphereVolume": {"volumePath": "test"},
    "quobyte": {"registry": "localhost:1234", "volume": "test"},
    "azureDisk": {"diskName": "test", "diskURI": "https://test.blob.core.windows.net/test/test.vhd"},
    "photonPersistentDisk": {"pdID": "test"},
    "portworxVolume": {"volumeID": "test"},
    "scaleIO": {"gateway": "localhost", "system": "test", "secretRef": {"name": "test"}},
    "storageos": {"volumeName": "test"},
    "hostPath": {"path": "/dev/null"},
}

for _type, _source in RESTRICTED_VOLUMES.items():

    @case(f"volume-{_type}", fails_everywhere if _type == "hostPath" else restricted_only())
    def _vol_fail(pod: Pod, level: str, v: Version, key: str = _type, source: dict[str, Any] = _source) -> None:
        pod["spec"]["volumes"] = [{"name": "volume1", key: copy.deepcopy(source)}]


# -- hostPorts ------------------------------------------------------------------------------------------------------


@case("hostports-container-port-only", allowed_always)
def _hport_pass(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["ports"] = [{"containerPort": 12345}]
    ic0(pod)["ports"] = [{"containerPort": 12346}]


@case("hostports-zero", allowed_always)
def _hport_zero(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["ports"] = [{"containerPort": 12345, "hostPort": 0}]


@case("hostports-container", fails_everywhere)
def _hport_c(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["ports"] = [{"containerPort": 12345, "hostPort": 12345}]


@case("hostports-init-container", fails_everywhere)
def _hport_ic(pod: Pod, level: str, v: Version) -> None:
    ic0(pod)["ports"] = [{"containerPort": 12346, "hostPort": 12346}]


@case("hostports-mixed", fails_everywhere)
def _hport_mix(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["ports"] = [{"containerPort": 12345, "hostPort": 12345}, {"containerPort": 12347}]
    ic0(pod)["ports"] = [{"containerPort": 12346, "hostPort": 12346}, {"containerPort": 12348}]


# -- hostProbesAndHostLifecycle ------------------------------------------------------------------------------------


@case("probes-without-host", allowed_always)
def _probe_pass(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["livenessProbe"] = {"httpGet": {"port": 8080, "path": "/healthz"}}
    c0(pod)["readinessProbe"] = {"tcpSocket": {"port": 8080}}
    c0(pod)["startupProbe"] = {"httpGet": {"port": 8080, "host": ""}}
    c0(pod)["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}


@case("probe-liveness-http-host", fails(since=(1, 34)))
def _probe1(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["livenessProbe"] = {"httpGet": {"port": 8080, "host": "bad.host"}}


@case("probe-sidecar-readiness-tcp-host", fails(since=(1, 34)))
def _probe2(pod: Pod, level: str, v: Version) -> None:
    ic0(pod)["restartPolicy"] = "Always"
    ic0(pod)["readinessProbe"] = {"tcpSocket": {"port": 8080, "host": "8.8.8.8"}}


@case("lifecycle-poststart-http-host", fails(since=(1, 34)))
def _probe3(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["lifecycle"] = {"postStart": {"httpGet": {"port": 8080, "host": "bad.host"}}}


@case("lifecycle-prestop-tcp-host", fails(since=(1, 34)))
def _probe3b(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["lifecycle"] = {"preStop": {"tcpSocket": {"port": 8080, "host": "example.com"}}}


@case("probe-loopback-ipv4", fails(since=(1, 34)))
def _probe4(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["livenessProbe"] = {"httpGet": {"port": 8080, "host": "127.0.0.1"}}


@case("probe-loopback-ipv6", fails(since=(1, 34)))
def _probe5(pod: Pod, level: str, v: Version) -> None:
    c0(pod)["readinessProbe"] = {"tcpSocket": {"port": 8080, "host": "::1"}}


@case("probe-startup-init-container", fails(since=(1, 34)))
def _probe6(pod: Pod, level: str, v: Version) -> None:
    ic0(pod)["restartPolicy"] = "Always"
    ic0(pod)["startupProbe"] = {"httpGet": {"port": 8080, "host": "localhost"}}


# -- appArmorProfile ----------------------------------------------------------------------------------------------

APPARMOR = "container.apparmor.security.beta.kubernetes.io/"


@case("apparmor-annotations-allowed", allowed_always)
def _aa_pass(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, APPARMOR + "container1", "runtime/default")
    annotate(pod, APPARMOR + "initcontainer1", "localhost/foo")
    annotate(pod, APPARMOR + "other", "")


@case("apparmor-annotation-unconfined-container", fails_everywhere)
def _aa1(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, APPARMOR + "container1", "unconfined")


@case("apparmor-annotation-unconfined-init-container", fails_everywhere)
def _aa2(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, APPARMOR + "initcontainer1", "unconfined")


@case("apparmor-annotation-unknown-container-name", fails_everywhere)
def _aa3(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, APPARMOR + "not-a-container", "unknown")


@case("apparmor-fields-allowed", allowed_always)
def _aa_fields_pass(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["appArmorProfile"] = {"type": "RuntimeDefault"}
    sc(c0(pod))["appArmorProfile"] = {"type": "Localhost", "localhostProfile": "k8s-apparmor-example"}


@case("apparmor-field-unconfined-pod", fails_everywhere)
def _aa_f1(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["appArmorProfile"] = {"type": "Unconfined"}


@case("apparmor-field-unconfined-container", fails_everywhere)
def _aa_f2(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["appArmorProfile"] = {"type": "Unconfined"}


@case("apparmor-field-unconfined-init-container", fails_everywhere)
def _aa_f3(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["appArmorProfile"] = {"type": "Unconfined"}


@case("apparmor-field-unconfined-ephemeral", fails_everywhere)
def _aa_f4(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, appArmorProfile={"type": "Unconfined"})


# -- seLinuxOptions -------------------------------------------------------------------------------------------------


@case("selinux-empty", allowed_always)
def _se_pass1(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["seLinuxOptions"] = {}


@case("selinux-allowed-types", allowed_always)
def _se_pass2(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seLinuxOptions"] = {"type": "container_t"}
    sc(c0(pod))["seLinuxOptions"] = {"type": "container_init_t", "level": ""}
    sc(ic0(pod))["seLinuxOptions"] = {"type": "container_kvm_t", "level": "s0:c1,c2"}


@case("selinux-container-engine-t", fails(until=(1, 31)))
def _se_engine(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["seLinuxOptions"] = {"type": "container_engine_t"}


@case("selinux-bad-type-pod", fails_everywhere)
def _se1(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seLinuxOptions"] = {"type": "somevalue"}


@case("selinux-bad-type-container", fails_everywhere)
def _se2(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["seLinuxOptions"] = {"type": "somevalue"}


@case("selinux-bad-type-init-container", fails_everywhere)
def _se3(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["seLinuxOptions"] = {"type": "somevalue"}


@case("selinux-user", fails_everywhere)
def _se4(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seLinuxOptions"] = {"user": "somevalue"}


@case("selinux-role", fails_everywhere)
def _se5(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seLinuxOptions"] = {"role": "somevalue"}


@case("selinux-spc-t-ephemeral", fails_everywhere)
def _se6(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, seLinuxOptions={"type": "spc_t"})


# -- procMount / procMount_restricted ------------------------------------------------------------------------------


@case("procmount-default-user-namespace", allowed_always)
def _pm_pass(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostUsers"] = False
    sc(c0(pod))["procMount"] = "Default"
    sc(ic0(pod))["procMount"] = "Default"


for _where, _get in (("container", c0), ("init-container", ic0)):

    @case(f"procmount-unmasked-user-namespace-{_where}", lambda level, v: level == B and clamp(v) >= (1, 35))
    def _pm_userns(pod: Pod, level: str, v: Version, get: Callable[[Pod], dict[str, Any]] = _get) -> None:
        pod["spec"]["hostUsers"] = False
        sc(get(pod))["procMount"] = "Unmasked"

    @case(f"procmount-unmasked-host-users-{_where}", fails_everywhere)
    def _pm_host(pod: Pod, level: str, v: Version, get: Callable[[Pod], dict[str, Any]] = _get) -> None:
        pod["spec"]["hostUsers"] = True
        sc(get(pod))["procMount"] = "Unmasked"


@case("procmount-unmasked-unset-host-users", fails_everywhere)
def _pm_unset(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["procMount"] = "Unmasked"


@case("procmount-empty-string", fails_everywhere)
def _pm_empty(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["procMount"] = ""


@case("procmount-unmasked-ephemeral", fails_everywhere)
def _pm_eph(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, procMount="Unmasked")


# -- seccompProfile_baseline (annotations before 1.19, fields from 1.19) --------------------------------------------

SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_C = "container.seccomp.security.alpha.kubernetes.io/"


@case("seccomp-annotations-allowed", allowed_always)
def _sa_pass(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_POD, "runtime/default")
    annotate(pod, SECCOMP_C + "container1", "localhost/testing")
    annotate(pod, SECCOMP_C + "initcontainer1", "docker/default")


@case("seccomp-annotation-pod-unconfined", fails(until=(1, 19)))
def _sa1(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_POD, "unconfined")


@case("seccomp-annotation-container-unconfined", fails(until=(1, 19)))
def _sa2(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_C + "container1", "unconfined")


@case("seccomp-annotation-init-container-unconfined", fails(until=(1, 19)))
def _sa3(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_C + "initcontainer1", "unconfined")


@case("seccomp-annotation-pod-empty", fails(until=(1, 19)))
def _sa4(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_POD, "")


@case("seccomp-annotation-other-container-name", allowed_always)
def _sa5(pod: Pod, level: str, v: Version) -> None:
    annotate(pod, SECCOMP_C + "not-in-this-pod", "unconfined")


@case("seccomp-fields-runtime-default", allowed_always)
def _sf_pass(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seccompProfile"] = {"type": "RuntimeDefault"}
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}


@case("seccomp-field-unconfined-pod", fails(since=(1, 19)))
def _sf1(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seccompProfile"] = {"type": "Unconfined"}


@case("seccomp-field-unconfined-container", fails(since=(1, 19)))
def _sf2(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["seccompProfile"] = {"type": "Unconfined"}


@case("seccomp-field-unconfined-init-container", fails(since=(1, 19)))
def _sf3(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["seccompProfile"] = {"type": "Unconfined"}


@case("seccomp-field-without-type", fails(since=(1, 19)))
def _sf4(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["seccompProfile"] = {}


@case("seccomp-field-unconfined-ephemeral", fails(since=(1, 19)))
def _sf5(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, seccompProfile={"type": "Unconfined"})


# -- seccompProfile_restricted --------------------------------------------------------------------------------------


@case("seccomp-restricted-pod-localhost", allowed_always)
def _sr_pass1(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seccompProfile"] = {"type": "Localhost", "localhostProfile": "testing"}


@case("seccomp-restricted-containers-only", allowed_always)
def _sr_pass2(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}
    sc(ic0(pod))["seccompProfile"] = {"type": "Localhost", "localhostProfile": "testing"}


@case("seccomp-restricted-unset", restricted_only(since=(1, 19)))
def _sr1(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)


@case("seccomp-restricted-null", restricted_only(since=(1, 19)))
def _sr1b(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seccompProfile"] = None


@case("seccomp-restricted-only-container", restricted_only(since=(1, 19)))
def _sr2(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}


@case("seccomp-restricted-only-init-container", restricted_only(since=(1, 19)))
def _sr3(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)
    sc(ic0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}


@case("seccomp-restricted-container-unconfined", fails(since=(1, 19)))
def _sr4(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}
    sc(ic0(pod))["seccompProfile"] = {"type": "Unconfined"}


@case("seccomp-restricted-pod-unconfined-containers-valid", fails(since=(1, 19)))
def _sr5(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["seccompProfile"] = {"type": "Unconfined"}
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}
    sc(ic0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}


@case("seccomp-restricted-ephemeral-unset", restricted_only(since=(1, 19)))
def _sr6(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)
    sc(c0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}
    sc(ic0(pod))["seccompProfile"] = {"type": "RuntimeDefault"}
    add_ephemeral(pod, level, v)


@case("seccomp-windows-unset", allowed_always, os_name="windows", since=(1, 25))
def _sr_win(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)


@case("seccomp-windows-unconfined", fails((B,)), os_name="windows", since=(1, 25))
def _sr_win2(pod: Pod, level: str, v: Version) -> None:
    # restricted >= 1.25: seccompProfile_restricted exempts Windows and overrides seccompProfile_baseline
    psc(pod)["seccompProfile"] = {"type": "Unconfined"}


@case("seccomp-linux-unset", restricted_only(since=(1, 19)), os_name="linux")
def _sr_linux(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("seccompProfile", None)


# -- sysctls --------------------------------------------------------------------------------------------------------

SYSCTLS: dict[str, Version] = {
    "kernel.shm_rmid_forced": (1, 0),
    "net.ipv4.ip_local_port_range": (1, 0),
    "net.ipv4.tcp_syncookies": (1, 0),
    "net.ipv4.ping_group_range": (1, 0),
    "net.ipv4.ip_unprivileged_port_start": (1, 0),
    "net.ipv4.ip_local_reserved_ports": (1, 27),
    "net.ipv4.tcp_keepalive_time": (1, 29),
    "net.ipv4.tcp_fin_timeout": (1, 29),
    "net.ipv4.tcp_keepalive_intvl": (1, 29),
    "net.ipv4.tcp_keepalive_probes": (1, 29),
    "net.ipv4.tcp_rmem": (1, 32),
    "net.ipv4.tcp_wmem": (1, 32),
    "net.ipv4.tcp_slow_start_after_idle": (1, 37),
    "net.ipv4.tcp_notsent_lowat": (1, 37),
}

for _name, _since in SYSCTLS.items():

    @case(f"sysctl-{_name}", fails(until=_since))
    def _sysctl(pod: Pod, level: str, v: Version, name: str = _name) -> None:
        psc(pod)["sysctls"] = [{"name": name, "value": "0"}]


@case("sysctls-empty-list", allowed_always)
def _sysctl_empty(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["sysctls"] = []


@case("sysctl-other", fails_everywhere)
def _sysctl_other(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["sysctls"] = [{"name": "othersysctl", "value": "other"}]


@case("sysctl-slash-spelling", fails_everywhere)
def _sysctl_slash(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["sysctls"] = [{"name": "net/ipv4/tcp_syncookies", "value": "1"}]


@case("sysctl-safe-and-unsafe", fails_everywhere)
def _sysctl_mix(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["sysctls"] = [{"name": "kernel.shm_rmid_forced", "value": "0"}, {"name": "kernel.msgmax", "value": "1"}]


# -- allowPrivilegeEscalation ---------------------------------------------------------------------------------------


@case("ape-true-container", restricted_only(since=(1, 8)))
def _ape1(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["allowPrivilegeEscalation"] = True


@case("ape-true-init-container", restricted_only(since=(1, 8)))
def _ape2(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["allowPrivilegeEscalation"] = True


@case("ape-unset-value", restricted_only(since=(1, 8)))
def _ape3(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod)).pop("allowPrivilegeEscalation", None)


@case("ape-null-value", restricted_only(since=(1, 8)))
def _ape4(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["allowPrivilegeEscalation"] = None


@case("ape-ephemeral-unset", restricted_only(since=(1, 8)))
def _ape5(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, allowPrivilegeEscalation=None)


@case("ape-windows-true", allowed_always, os_name="windows", since=(1, 25))
def _ape_win(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["allowPrivilegeEscalation"] = True


# -- runAsNonRoot ---------------------------------------------------------------------------------------------------


@case("runasnonroot-containers-only", allowed_always)
def _rnr_pass(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("runAsNonRoot", None)
    sc(c0(pod))["runAsNonRoot"] = True
    sc(ic0(pod))["runAsNonRoot"] = True


@case("runasnonroot-unset", restricted_only())
def _rnr1(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("runAsNonRoot", None)


@case("runasnonroot-pod-false", restricted_only())
def _rnr2(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["runAsNonRoot"] = False


@case("runasnonroot-pod-false-containers-true", restricted_only())
def _rnr3(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["runAsNonRoot"] = False
    sc(c0(pod))["runAsNonRoot"] = True
    sc(ic0(pod))["runAsNonRoot"] = True


@case("runasnonroot-container-false", restricted_only())
def _rnr4(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["runAsNonRoot"] = False


@case("runasnonroot-init-container-false", restricted_only())
def _rnr5(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["runAsNonRoot"] = False


@case("runasnonroot-only-one-container", restricted_only())
def _rnr6(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("runAsNonRoot", None)
    sc(c0(pod))["runAsNonRoot"] = True


@case("runasnonroot-ephemeral-false", restricted_only())
def _rnr7(pod: Pod, level: str, v: Version) -> None:
    add_ephemeral(pod, level, v, runAsNonRoot=False)


@case("runasnonroot-run-as-user-is-not-enough", restricted_only())
def _rnr8(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("runAsNonRoot", None)
    psc(pod)["runAsUser"] = 1000


@case("runasnonroot-unset-user-namespace", restricted_only(until=(1, 35)))
def _rnr9(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostUsers"] = False
    psc(pod).pop("runAsNonRoot", None)


@case("runasnonroot-windows-unset", restricted_only(), os_name="windows", since=(1, 25))
def _rnr_win(pod: Pod, level: str, v: Version) -> None:
    psc(pod).pop("runAsNonRoot", None)


# -- runAsUser ------------------------------------------------------------------------------------------------------


@case("runasuser-nonzero", allowed_always)
def _rau_pass(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["runAsUser"] = 1000
    sc(c0(pod))["runAsUser"] = 1000
    sc(ic0(pod))["runAsUser"] = 1000


@case("runasuser-pod-zero", restricted_only(since=(1, 23)))
def _rau1(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["runAsUser"] = 0


@case("runasuser-pod-zero-containers-nonzero", restricted_only(since=(1, 23)))
def _rau1b(pod: Pod, level: str, v: Version) -> None:
    psc(pod)["runAsUser"] = 0
    sc(c0(pod))["runAsUser"] = 1000
    sc(ic0(pod))["runAsUser"] = 1000


@case("runasuser-container-zero", restricted_only(since=(1, 23)))
def _rau2(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["runAsUser"] = 0


@case("runasuser-init-container-zero", restricted_only(since=(1, 23)))
def _rau3(pod: Pod, level: str, v: Version) -> None:
    sc(ic0(pod))["runAsUser"] = 0


@case("runasuser-zero-user-namespace", restricted_only(since=(1, 23), until=(1, 35)))
def _rau4(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostUsers"] = False
    psc(pod)["runAsUser"] = 0
    sc(c0(pod))["runAsUser"] = 0
    sc(ic0(pod))["runAsUser"] = 0


@case("runasuser-zero-windows", restricted_only(since=(1, 23)), os_name="windows", since=(1, 25))
def _rau_win(pod: Pod, level: str, v: Version) -> None:
    sc(c0(pod))["runAsUser"] = 0


# -- a pod breaking several checks at once ------------------------------------------------------------------------


@case("kitchen-sink", fails_everywhere)
def _many(pod: Pod, level: str, v: Version) -> None:
    pod["spec"]["hostPID"] = True
    sc(c0(pod)).update(privileged=True, runAsUser=0, allowPrivilegeEscalation=True)
    pod["spec"]["volumes"] = [{"name": "root", "hostPath": {"path": "/"}}]


# -- the test ---------------------------------------------------------------------------------------------------------


def _wrap(pod: Pod, form: str) -> dict[str, Any]:
    if form == "pod":
        return pod
    name = pod["metadata"]["name"]
    template_meta = {k: v for k, v in pod["metadata"].items() if k != "name"}
    template_meta["labels"] = {"case": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"case": name}},
            "template": {"metadata": template_meta, "spec": pod["spec"]},
        },
    }


_SETTINGS: dict[tuple[str, Version], Settings] = {}


def _settings(level: str, v: Version) -> Settings:
    key = (level, v)
    if key not in _SETTINGS:
        _SETTINGS[key] = settings_for([f"pss-{level}"], kubernetes_version=v)
    return _SETTINGS[key]


def _cases_for(level: str, v: Version) -> list[Case]:
    return [c for c in CASES if level in c.levels and v >= c.since]


@pytest.mark.parametrize("form", ["pod", "deployment"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("version", VERSIONS, ids=[f"v{a}.{b}" for a, b in VERSIONS])
def test_verdict_matches_reference(level: str, version: Version, form: str) -> None:
    docs = []
    expected: dict[str, bool] = {}
    for i, c in enumerate(_cases_for(level, version)):
        pod = base_pod(level, version, os_name=c.os_name)
        c.mutate(pod, level, version)
        name = f"case-{i}"
        pod["metadata"]["name"] = name
        docs.append(_wrap(pod, form))
        expected[name] = c.allowed(level, version)
    text = "\n---\n".join(json.dumps(d) for d in docs)  # JSON is YAML, and much faster to write
    report = guardlint.lint_text(text, "cases.yaml", settings=_settings(level, version), raise_errors=True)
    assert not report.errors
    rejected: dict[str, list[str]] = {}
    for f in report.active:
        assert f.resource is not None and f.resource.name is not None
        rejected.setdefault(f.resource.name, []).append(f"{f.rule}: {f.message}")
    names = {f"case-{i}": c.name for i, c in enumerate(_cases_for(level, version))}
    wrong = []
    for key, allowed in expected.items():
        got = key not in rejected
        if got != allowed:
            why = "; ".join(rejected.get(key, [])) or "no finding"
            wrong.append(f"{names[key]}: reference {'allows' if allowed else 'rejects'}, guardlint: {why}")
    assert not wrong, f"{level} v{version[0]}.{version[1]} ({form}):\n  " + "\n  ".join(wrong)


def test_every_check_has_pass_and_fail_cases() -> None:
    for prefix in (
        "hostprocess", "hostnamespaces", "privileged", "capabilities", "hostpath", "volume", "hostports", "probe",
        "apparmor", "selinux", "procmount", "seccomp", "sysctl", "ape", "runasnonroot", "runasuser",
    ):
        relevant = [c for c in CASES if c.name.startswith(prefix)]
        verdicts = {c.allowed(level, v) for c in relevant for level in c.levels for v in VERSIONS}
        assert verdicts == {True, False}, prefix


def _rules_with_tag(tag: str) -> set[str]:
    from tests.helpers import registry

    return {r.name for r in registry().rules if tag in r.meta.tags}


def test_level_tags_select_one_rule_per_check() -> None:
    from tests.helpers import registry

    by_check = {r.meta.extra.get("pss-check"): r for r in registry().rules if "pss" in r.meta.tags}
    assert set(by_check) == {
        "windowsHostProcess", "hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes",
        "hostPorts", "hostProbesAndHostLifecycle", "appArmorProfile", "seLinuxOptions", "procMount",
        "seccompProfile_baseline", "sysctls", "restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot",
        "runAsUser", "seccompProfile_restricted", "capabilities_restricted", "procMount_restricted",
    }
    baseline = _rules_with_tag("pss-baseline")
    restricted = _rules_with_tag("pss-restricted")
    replaced = {by_check[c].name for c in ("hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline",
                                           "procMount")}
    assert len(baseline) == 12
    assert baseline - restricted == replaced
    assert len(restricted) == 15
    for r in registry().rules:
        if "pss" not in r.meta.tags:
            continue
        assert r.meta.extra["pss-level"] in (B, R)
        assert ("pss-baseline" in r.meta.tags) == (r.meta.extra["pss-level"] == B)


def test_message_names_level_version_and_check() -> None:
    text = yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
         "spec": {"containers": [{"name": "c", "image": PAUSE, "securityContext": {"privileged": True}}]}}
    )
    # a version newer than the newest policy version (possible only in code: the command line and config
    # files reject it) evaluates as the newest
    report = guardlint.lint_text(text, settings=settings_for(["pss-restricted"], kubernetes_version=(1, 45)))
    messages = [f.message for f in report.active]
    assert any('violates PodSecurity "baseline:v1.37", check privileged' in m for m in messages), messages
    assert any('"restricted:v1.37", check runAsNonRoot' in m for m in messages), messages


def test_pod_level_settings_cover_containers() -> None:
    """Pod-level runAsNonRoot and seccompProfile satisfy every container that leaves them unset."""
    pod = base_pod(R, (1, 37))
    pod["spec"]["ephemeralContainers"] = [
        {"name": "debug", "image": PAUSE,
         "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
    ]
    report = guardlint.lint_text(yaml.safe_dump(pod), settings=settings_for(["pss-restricted"]))
    assert not report.active, [f.message for f in report.active]


def test_missing_fields_point_at_container_or_pod() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: a
      image: registry.k8s.io/pause
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
    - name: b
      image: registry.k8s.io/pause
"""
    report = guardlint.lint_text(
        text, settings=settings_for(["run-as-root-allowed", "missing-seccomp-profile", "privilege-escalation-allowed"])
    )
    got = sorted((f.rule, f.line, ".".join(str(p) for p in f.path)) for f in report.active)
    assert got == [
        ("missing-seccomp-profile", 12, "spec.containers.1.securityContext.seccompProfile.type"),
        ("privilege-escalation-allowed", 9, "spec.containers.0.securityContext.allowPrivilegeEscalation"),
        ("privilege-escalation-allowed", 12, "spec.containers.1.securityContext.allowPrivilegeEscalation"),
        ("run-as-root-allowed", 12, "spec.containers.1.securityContext.runAsNonRoot"),
    ]
    bare = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: x:1\n"
    report = guardlint.lint_text(bare, settings=settings_for(["run-as-root-allowed", "missing-seccomp-profile"]))
    got = sorted((f.rule, f.line, ".".join(str(p) for p in f.path)) for f in report.active)
    assert got == [
        ("missing-seccomp-profile", 5, "spec.securityContext.seccompProfile.type"),
        ("run-as-root-allowed", 5, "spec.securityContext.runAsNonRoot"),
    ]
