"""A plugin rule that calls a container helper with the wrong arguments gets a rule-error that says what was
wrong and how to call it (docs/writing-rules.md: ``iter_all_containers(resource, ctx.workloads)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from guardlint import plugin
from guardlint.api import lint_text
from guardlint.findings import Severity
from guardlint.rules.api import rule
from guardlint.testing import registry_with, settings_for

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: a, image: a}]}\n"


def _rule_error(body: Callable[[Any, Any], Iterator[Any]]) -> str:
    def check(resource: Any, params: Any, ctx: Any) -> Iterator[Any]:
        yield from body(resource, ctx)

    r = rule(code="ACME009", name="misused-helper", title="Calls a helper", severity=Severity.INFO, pack="acme",
             remediation="Fix it.")(check)
    report = lint_text(POD, "pod.yaml", settings=settings_for(registry_with([r], entry_points=False),
                                                              ["misused-helper", "rule-error"]))
    [finding] = report.active
    assert finding.rule == "rule-error"
    return finding.message


@pytest.mark.parametrize(("helper", "arguments", "expected"), [
    (plugin.iter_pod_specs, lambda resource, ctx: (resource, ctx),
     ("TypeError: iter_pod_specs() takes the pod-template table (ctx.workloads) as its second argument, not a "
      "RuleContext (the rule's context: its pod-template table is ctx.workloads): call "
      "iter_pod_specs(resource, ctx.workloads)")),
    (plugin.iter_all_containers, lambda resource, ctx: (resource, ctx),
     ("TypeError: iter_all_containers() takes the pod-template table (ctx.workloads) as its second argument, not "
      "a RuleContext (the rule's context: its pod-template table is ctx.workloads): call "
      "iter_all_containers(resource, ctx.workloads)")),
    (plugin.iter_pod_specs, lambda resource, ctx: (ctx.workloads, resource),
     ("iter_pod_specs() takes the pod-template table (ctx.workloads) as its second argument, not a Resource: "
      "call iter_pod_specs(resource, ctx.workloads)")),
    (plugin.iter_pod_specs, lambda resource, ctx: (resource.data, ctx.workloads),
     ("iter_pod_specs() takes the object (a Resource) as its first argument, not a dict: call "
      "iter_pod_specs(resource, ctx.workloads)")),
    (plugin.iter_all_containers, lambda resource, ctx: (resource.data, ctx.workloads),
     ("iter_all_containers() takes the object (a Resource) as its first argument, not a dict: call "
      "iter_all_containers(resource, ctx.workloads)")),
    (plugin.iter_containers, lambda resource, ctx: (resource,),
     ("iter_containers() takes a pod (from iter_pod_specs) as its first argument, not a Resource: call "
      "iter_containers(pod) for each pod of iter_pod_specs(resource, ctx.workloads), or "
      "iter_all_containers(resource, ctx.workloads) for every container of the object")),
])
def test_a_misused_helper_says_how_to_call_it(
    helper: Callable[..., Iterator[Any]], arguments: Callable[[Any, Any], tuple[Any, ...]], expected: str,
) -> None:
    message = _rule_error(lambda resource, ctx: iter(list(helper(*arguments(resource, ctx)))))
    assert message.startswith("rule 'misused-helper' (ACME009) failed on Pod web: ")
    assert expected in message


def test_the_helpers_called_as_documented_still_work() -> None:
    names: list[str] = []

    def check(resource: Any, params: Any, ctx: Any) -> Iterator[Any]:
        names.extend(c.name for pod in plugin.iter_pod_specs(resource, ctx.workloads)
                     for c in plugin.iter_containers(pod))
        names.extend(c.name for c in plugin.iter_all_containers(resource, ctx.workloads))
        yield from ()

    r = rule(code="ACME010", name="good-helper", title="Calls a helper", severity=Severity.INFO, pack="acme",
             remediation="Fix it.")(check)
    report = lint_text(POD, "pod.yaml", settings=settings_for(registry_with([r], entry_points=False),
                                                              ["good-helper", "rule-error"]))
    assert report.active == () and names == ["a", "a"]


def test_a_failure_inside_the_table_is_not_blamed_on_the_arguments() -> None:
    """Only a wrong argument becomes the misuse message: an AttributeError raised inside the lookup for a real
    Resource propagates as it is."""
    from guardlint.model.workloads import default_table

    class Broken:
        _pods = None

        def pods_of(self, resource: Any) -> Any:
            raise AttributeError("inner failure")

    from guardlint.model.resource import resources_of
    from guardlint.source.loader import load_text

    [resource] = resources_of(load_text(POD, "pod.yaml").documents[0])
    with pytest.raises(AttributeError, match=r"^inner failure$"):
        plugin.iter_pod_specs(resource, Broken())  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match=r"^inner failure$"):
        plugin.iter_all_containers(resource, Broken())  # type: ignore[arg-type]
    assert [p.path for p in plugin.iter_pod_specs(resource, default_table())] == [("spec",)]
