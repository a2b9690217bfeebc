#!/usr/bin/env python3
"""Build guardlint's compact Kubernetes API schemas from the ``kubernetes-validate`` package data.

Source: the per-version JSON schemas that the ``kubernetes-validate`` PyPI package publishes
(https://github.com/willthames/kubernetes-validate, Apache-2.0, © Will Thames), themselves generated from the
OpenAPI v2 specification of each Kubernetes release (Apache-2.0, © The Kubernetes Authors). Only the
``*-local-strict/_definitions.json`` file of each version is read.

Usage (a refresh for a new Kubernetes release, offline once the archives are downloaded)::

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv     # newest release: 1.25 and up
    pip download --no-deps kubernetes-validate==1.24.1 -d /tmp/kv     # the last release with 1.11 - 1.24
    python scripts/build_schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl \\
        /tmp/kv/kubernetes-validate-1.24.1.tar.gz

Archives given later win for a version present in several. For a new Kubernetes minor: download the
kubernetes-validate release that adds it, run the script with it (and the older archives), raise
``LATEST_KUBERNETES`` in ``guardlint/config/model.py``, add the new release's removals and deprecations to
``guardlint/apischema/lifecycle.py`` and run the tests (they check the lifecycle table against the
served kinds recorded here).

What is kept of a definition is what validation needs, nothing else: types (``null`` dropped: every
Kubernetes field may be null), properties, required fields, closed objects (strict: ``additionalProperties:
false``), map values, list items, formats the API decoder enforces, and references. Descriptions,
patch strategies and list markers are dropped. Enumerations are not in the published schemas (the
generator strips them from descriptions); ``ENUMS`` below adds the values the API server's validation
accepts for a field (``NotSupported`` errors), from the Kubernetes API reference. Identical definitions
are stored once across all versions.

Output, in ``src/guardlint/_data/k8s-schemas/``:

* ``definitions.txt``: one line per distinct definition, ``<id>\\t<compact JSON>``, sorted by id; not
  compressed, so that a run reads only the definitions it uses without decompressing all of them (the
  wheel compresses it);
* ``v1.30.json.gz`` (one per version): ``at``, for each definition name the byte offset in
  ``definitions.txt`` where its JSON starts (it ends with the line), and ``kinds``, the definition name of each kind by
  ``group/version/Kind`` (``v1/Pod`` for the core group), with ``served``: the kinds whose objects carry
  ``ObjectMeta`` (what the API serves as resources);
* ``served.json``: for every served kind, the first and the last version that serves it (the API
  lifecycle rules use it for kinds that are not yet, or no longer, available);
* ``SOURCE.md``: where the data comes from, its licence and the archives it was built from.

Compact node keys: ``T`` type (``s`` string, ``i`` integer, ``n`` number, ``b`` boolean, ``o`` object,
``a`` array), ``P`` properties, ``R`` required, ``C`` closed object, ``M`` map values, ``I`` items,
``E`` enum, ``F`` format, ``$`` reference to a definition name, ``X`` special type (``q`` quantity,
``ios`` int-or-string).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "guardlint" / "_data" / "k8s-schemas"

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
TYPES = {"string": "s", "integer": "i", "number": "n", "boolean": "b", "object": "o", "array": "a"}
FORMATS = {"int32", "int64", "byte", "date-time"}

_PULL = ["Always", "Never", "IfNotPresent"]
_PROTOCOL = ["TCP", "UDP", "SCTP"]
_ACCESS = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
_TRAFFIC = ["Cluster", "Local"]
ENUMS: dict[tuple[str, str], list[str]] = {
    # (definition name without "io.k8s.api." / "io.k8s.apimachinery.pkg.apis.", property): accepted values.
    # Property names ending in "[]" constrain the items of a list.
    ("core.v1.Container", "imagePullPolicy"): _PULL,
    ("core.v1.EphemeralContainer", "imagePullPolicy"): _PULL,
    ("core.v1.Container", "terminationMessagePolicy"): ["File", "FallbackToLogsOnError"],
    ("core.v1.EphemeralContainer", "terminationMessagePolicy"): ["File", "FallbackToLogsOnError"],
    ("core.v1.PodSpec", "restartPolicy"): ["Always", "OnFailure", "Never"],
    ("core.v1.PodSpec", "dnsPolicy"): ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    ("core.v1.PodSpec", "preemptionPolicy"): ["PreemptLowerPriority", "Never"],
    ("core.v1.ContainerPort", "protocol"): _PROTOCOL,
    ("core.v1.ServicePort", "protocol"): _PROTOCOL,
    ("core.v1.EndpointPort", "protocol"): _PROTOCOL,
    ("networking.v1.NetworkPolicyPort", "protocol"): _PROTOCOL,
    ("core.v1.ServiceSpec", "type"): ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
    ("core.v1.ServiceSpec", "sessionAffinity"): ["None", "ClientIP"],
    ("core.v1.ServiceSpec", "externalTrafficPolicy"): _TRAFFIC,
    ("core.v1.ServiceSpec", "internalTrafficPolicy"): _TRAFFIC,
    ("core.v1.ServiceSpec", "ipFamilyPolicy"): ["SingleStack", "PreferDualStack", "RequireDualStack"],
    ("core.v1.ServiceSpec", "ipFamilies[]"): ["IPv4", "IPv6"],
    ("core.v1.Toleration", "operator"): ["Exists", "Equal"],
    ("core.v1.Toleration", "effect"): ["NoSchedule", "PreferNoSchedule", "NoExecute"],
    ("core.v1.Taint", "effect"): ["NoSchedule", "PreferNoSchedule", "NoExecute"],
    ("core.v1.NodeSelectorRequirement", "operator"): ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"],
    ("meta.v1.LabelSelectorRequirement", "operator"): ["In", "NotIn", "Exists", "DoesNotExist"],
    ("core.v1.PersistentVolumeClaimSpec", "accessModes[]"): _ACCESS,
    ("core.v1.PersistentVolumeSpec", "accessModes[]"): _ACCESS,
    ("core.v1.PersistentVolumeClaimSpec", "volumeMode"): ["Block", "Filesystem"],
    ("core.v1.PersistentVolumeSpec", "volumeMode"): ["Block", "Filesystem"],
    ("core.v1.PersistentVolumeSpec", "persistentVolumeReclaimPolicy"): ["Retain", "Recycle", "Delete"],
    ("core.v1.TopologySpreadConstraint", "whenUnsatisfiable"): ["DoNotSchedule", "ScheduleAnyway"],
    ("core.v1.SeccompProfile", "type"): ["Unconfined", "RuntimeDefault", "Localhost"],
    ("core.v1.HTTPGetAction", "scheme"): ["HTTP", "HTTPS"],
    ("apps.v1.DeploymentStrategy", "type"): ["Recreate", "RollingUpdate"],
    ("apps.v1.StatefulSetSpec", "podManagementPolicy"): ["OrderedReady", "Parallel"],
    ("apps.v1.StatefulSetUpdateStrategy", "type"): ["RollingUpdate", "OnDelete"],
    ("apps.v1.DaemonSetUpdateStrategy", "type"): ["RollingUpdate", "OnDelete"],
    ("batch.v1.CronJobSpec", "concurrencyPolicy"): ["Allow", "Forbid", "Replace"],
    ("batch.v1.JobSpec", "completionMode"): ["NonIndexed", "Indexed"],
    ("networking.v1.NetworkPolicySpec", "policyTypes[]"): ["Ingress", "Egress"],
    ("networking.v1.HTTPIngressPath", "pathType"): ["Exact", "Prefix", "ImplementationSpecific"],
    ("autoscaling.v2.MetricSpec", "type"): ["Object", "Pods", "Resource", "ContainerResource", "External"],
    ("autoscaling.v2.MetricTarget", "type"): ["Utilization", "Value", "AverageValue"],
    ("policy.v1.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy"): ["IfHealthyBudget", "AlwaysAllow"],
}


def _short(name: str) -> str:
    for prefix in ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def compact(schema: dict[str, Any], def_name: str = "", prop: str = "") -> dict[str, Any]:
    """The validation-relevant part of one JSON Schema node."""
    if "$ref" in schema:
        return {"$": _ref_name(schema["$ref"])}
    out: dict[str, Any] = {}
    if any(k in schema for k in ("oneOf", "anyOf", "allOf", "not", "patternProperties")):
        raise ValueError(f"unsupported keyword in {def_name}.{prop}: {sorted(schema)}")
    raw_type = schema.get("type")
    types = [raw_type] if isinstance(raw_type, str) else list(raw_type or [])
    types = [t for t in types if t != "null"]
    if len(types) > 1:
        raise ValueError(f"several types in {def_name}.{prop}: {types}")
    if types:
        out["T"] = TYPES[types[0]]
    if schema.get("format") in FORMATS:
        out["F"] = schema["format"]
    props = schema.get("properties")
    if props:
        out["P"] = {k: compact(v, def_name, k) for k, v in sorted(props.items())}
        enum_key = _short(def_name)
        for key, node in out["P"].items():
            values = ENUMS.get((enum_key, key))
            if values is not None:
                node["E"] = values
            values = ENUMS.get((enum_key, key + "[]"))
            if values is not None and "I" in node:
                node["I"] = {**node["I"], "E": values}
    if schema.get("required"):
        out["R"] = sorted(schema["required"])
    extra = schema.get("additionalProperties")
    if extra is False:
        out["C"] = 1
    elif isinstance(extra, dict):
        out["M"] = compact(extra, def_name, prop + "{}")
    if "items" in schema and isinstance(schema["items"], dict):
        out["I"] = compact(schema["items"], def_name, prop + "[]")
    return out


def definition(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    if name == QUANTITY:
        return {"X": "q"}
    if name == INT_OR_STRING:
        return {"X": "ios"}
    return compact(schema, name)


def _read_archive(path: Path) -> dict[str, bytes]:
    """``{"1.30": _definitions.json bytes}`` for each ``*-local-strict`` version in a wheel or sdist."""
    pattern = re.compile(r"kubernetes-json-schema/v1\.(\d+)\.0-local-strict/_definitions\.json$")
    found: dict[str, bytes] = {}
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                m = pattern.search(info.filename)
                if m:
                    found[f"1.{m.group(1)}"] = zf.read(info)
    else:
        with tarfile.open(path) as tf:
            for member in tf.getmembers():
                m = pattern.search(member.name)
                if m and member.isfile():
                    fh = tf.extractfile(member)
                    assert fh is not None
                    found[f"1.{m.group(1)}"] = fh.read()
    return found


def build(archives: list[Path], oldest: int) -> tuple[dict[str, str], dict[str, Any]]:
    raw: dict[str, bytes] = {}
    for archive in archives:
        raw.update(_read_archive(archive))
    pool: dict[str, str] = {}
    versions: dict[str, Any] = {}
    for version in sorted(raw, key=lambda v: int(v.split(".")[1])):
        if int(version.split(".")[1]) < oldest:
            continue
        doc = json.loads(raw[version])
        defs = doc.get("$defs") or doc["definitions"]
        ids: dict[str, str] = {}
        kinds: dict[str, str] = {}
        served: list[str] = []
        for name, schema in sorted(defs.items()):
            text = json.dumps(definition(name, schema), sort_keys=True, separators=(",", ":"))
            digest = hashlib.sha1(text.encode()).hexdigest()[:10]
            pool.setdefault(digest, text)
            ids[name] = digest
            gvks = schema.get("x-kubernetes-group-version-kind") or []
            meta = (schema.get("properties") or {}).get("metadata") or {}
            has_object_meta = _ref_name(meta.get("$ref", "")) == OBJECT_META
            if len(gvks) != 1 and not has_object_meta:
                continue  # DeleteOptions, WatchEvent...: shared by every group, not objects
            for gvk in gvks:
                api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                key = f"{api}/{gvk['kind']}"
                kinds[key] = name
                if has_object_meta:
                    served.append(key)
        versions[version] = {"ids": ids, "kinds": kinds, "served": sorted(set(served))}
    return pool, versions


def layout(pool: dict[str, str]) -> tuple[bytes, dict[str, int]]:
    """The bytes of ``definitions.txt`` and, for each definition id, the offset where its JSON starts."""
    lines: list[bytes] = []
    starts: dict[str, int] = {}
    at = 0
    for digest, text in sorted(pool.items()):
        line = f"{digest}\t{text}\n".encode()
        starts[digest] = at + len(digest) + 1
        lines.append(line)
        at += len(line)
    return b"".join(lines), starts


def write(pool: dict[str, str], versions: dict[str, Any], archives: list[Path]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data, starts = layout(pool)
    # Replaced by a rename, never written in place: guardlint maps definitions.txt (apischema.store._pool), and a
    # process that has it mapped (a library user, a run during the rebuild) dies of SIGBUS when it reads a page
    # of a file truncated under it; a renamed-over file stays mapped whole until the process ends.
    temporary = OUT / "definitions.txt.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, OUT / "definitions.txt")
    (OUT / "definitions.txt.gz").unlink(missing_ok=True)  # the compressed form of releases up to 0.2.0
    for old in OUT.glob("v1.*.json.gz"):
        old.unlink()
    for version, index in versions.items():
        located = {"at": {name: starts[digest] for name, digest in index["ids"].items()},
                   "kinds": index["kinds"], "served": index["served"]}
        body = json.dumps(located, sort_keys=True, separators=(",", ":"))
        (OUT / f"v{version}.json.gz").write_bytes(gzip.compress(body.encode(), compresslevel=9, mtime=0))
    names = ", ".join(a.name for a in archives)
    span = f"{min(versions, key=_minor)} to {max(versions, key=_minor)}"
    spans: dict[str, list[str]] = {}
    for version in sorted(versions, key=_minor):
        for key in versions[version]["served"]:
            spans.setdefault(key, [version, version])[1] = version
    body = json.dumps({"versions": sorted(versions, key=_minor), "served": spans}, sort_keys=True, indent=0)
    (OUT / "served.json").write_text(body + "\n", encoding="utf-8")
    (OUT / "SOURCE.md").write_text(
        "# Kubernetes API schemas (compact form)\n\n"
        f"Built by `scripts/build_schemas.py` from {names}: the `*-local-strict/_definitions.json` file of each\n"
        f"Kubernetes version ({span}).\n\n"
        "- Data: the JSON schemas published by the `kubernetes-validate` package\n"
        "  (https://github.com/willthames/kubernetes-validate), Apache License 2.0, Copyright Will Thames;\n"
        "  generated from the OpenAPI specification of Kubernetes (https://github.com/kubernetes/kubernetes),\n"
        "  Apache License 2.0, Copyright The Kubernetes Authors.\n"
        "- Changes: descriptions and patch metadata removed, identical definitions shared across versions,\n"
        "  field enumerations added from the Kubernetes API reference (see `ENUMS` in the script).\n",
        encoding="utf-8",
    )


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archives", nargs="+", type=Path, help="kubernetes-validate wheels or sdists")
    parser.add_argument("--oldest", type=int, default=11, help="oldest Kubernetes minor to keep (default 11)")
    args = parser.parse_args(argv)
    pool, versions = build(args.archives, args.oldest)
    if not versions:
        print("no *-local-strict/_definitions.json found in the archives", file=sys.stderr)
        return 1
    write(pool, versions, args.archives)
    sizes = {p.name: p.stat().st_size for p in OUT.iterdir()}
    print(f"{len(versions)} versions, {len(pool)} distinct definitions; " +
          ", ".join(f"{k} {v:,} bytes" for k, v in sorted(sizes.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())

