"""Files that tools read with ``apiVersion: v1`` but that are not Kubernetes objects (a kubeconfig, a legacy
kube-scheduler policy) are skipped with their reason, not reported as unknown core kinds."""

from __future__ import annotations

import pytest

from guardlint.api import lint_text

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
  - name: dev
    cluster: {server: "https://127.0.0.1:6443"}
contexts:
  - name: dev
    context: {cluster: dev, user: dev}
current-context: dev
users:
  - name: dev
    user: {token: abc}
"""

SCHEDULER_POLICY = '{"kind": "Policy", "apiVersion": "v1", "predicates": [{"name": "PodFitsHostPorts"}]}\n'


@pytest.mark.parametrize(("text", "reason"), [
    (KUBECONFIG, "a kubeconfig file (client configuration), not a Kubernetes object"),
    (SCHEDULER_POLICY, ("a kube-scheduler policy file (scheduler configuration before Kubernetes 1.23), "
                        "not a Kubernetes object")),
])
def test_tool_files_are_skipped_with_their_reason(text: str, reason: str) -> None:
    report = lint_text(text, "cfg.yaml", use_config_file=False, select=["all"])
    assert report.findings == () and report.errors == ()
    assert report.resources == 0
    assert [s.reason for s in report.skipped] == [reason]


def test_core_kinds_and_other_groups_are_still_objects() -> None:
    report = lint_text("apiVersion: v1\nkind: Confg\nmetadata: {name: x}\n", "x.yaml", use_config_file=False,
                       select=["invalid-api-kind"])
    assert [f.rule for f in report.findings] == ["invalid-api-kind"]
    report = lint_text("apiVersion: example.com/v1\nkind: Config\nmetadata: {name: x}\n", "x.yaml",
                       use_config_file=False, select=["all"])
    assert report.resources == 1
