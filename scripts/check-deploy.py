"""A deploy rehearsal, offline: expands infra/template.yaml with the SAM
translator, as `sam deploy` would before CloudFormation sees it, and checks what
a first deploy would otherwise find out the hard way:

- every `Ref`, `Fn::GetAtt` and `${…}` in `Fn::Sub` names a parameter, a pseudo
  parameter or a resource of the expanded template (a condition, a parameter);
- a resource that exists only under a condition is referred to only from
  resources under the same condition (or one that implies it), or through
  `Fn::If` on it: otherwise turning the condition off breaks the deploy;
- every SQS event source mapping reports batch item failures, so one bad
  message never fails (and redelivers) its whole batch.

Prints TAP-style lines and `# pass` / `# fail` counts for make test's summary.
"""

import re
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

PSEUDO = {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"}


class NoManagedPolicies:
    def load(self):
        return {}


def expanded(path):
    template = yaml_parse(open(path).read())
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://offline/{name}"
    return transform(template, {}, NoManagedPolicies())


def references(node, guards=()):
    """(name, guards) for every reference in `node`; `guards` are the conditions
    of the Fn::If branches it sits in."""
    if isinstance(node, dict):
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref" and isinstance(value, str):
                yield value, guards
                return
            if key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                yield target, guards
                return
            if key == "Fn::Sub":
                text, extra = (value, {}) if isinstance(value, str) else (value[0], value[1])
                for name in re.findall(r"\$\{([^}!]+)\}", text):
                    name = name.split(".")[0]
                    if name not in extra:
                        yield name, guards
                yield from references(extra, guards)
                return
            if key == "Fn::If" and isinstance(value, list) and len(value) == 3:
                yield from references(value[1], guards + (value[0],))
                yield from references(value[2], guards)
                return
        for v in node.values():
            yield from references(v, guards)
    elif isinstance(node, list):
        for v in node:
            yield from references(v, guards)


def implies(conditions, a, b):
    """Whether condition `a` being true makes `b` true (a == b, or a is an
    Fn::And with b among its parts)."""
    if a == b:
        return True
    parts = conditions.get(a, {}).get("Fn::And", [])
    return any(isinstance(p, dict) and p.get("Condition") and implies(conditions, p["Condition"], b) for p in parts)


def main():
    t = expanded(sys.argv[1])
    resources = t["Resources"]
    parameters = set(t.get("Parameters", {}))
    conditions = t.get("Conditions", {})
    problems = []
    checked = 0
    for name, resource in resources.items():
        own = resource.get("Condition")
        for target, guards in references({k: v for k, v in resource.items() if k != "Condition"}):
            checked += 1
            if target in PSEUDO or target in parameters:
                continue
            if target not in resources:
                problems.append(f"{name} refers to {target}, which the expanded template does not have")
                continue
            needed = resources[target].get("Condition")
            if needed and not (own and implies(conditions, own, needed)) and not any(implies(conditions, g, needed) for g in guards):
                problems.append(f"{name} refers to {target}, which exists only if {needed}")
    for name, condition in conditions.items():
        for target, _ in references(condition):
            checked += 1
            if target not in PSEUDO and target not in parameters:
                problems.append(f"condition {name} refers to {target}, which is no parameter")
    mappings = [(n, r) for n, r in resources.items() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    for name, mapping in mappings:
        checked += 1
        types = mapping["Properties"].get("FunctionResponseTypes", [])
        if "ReportBatchItemFailures" not in types:
            problems.append(f"{name} does not report batch item failures: one bad message would fail its batch")
    if not mappings:
        problems.append("no event source mapping in the expanded template: the queues feed nothing")
    for p in problems:
        print(f"not ok - {p}")
    if not problems:
        print(f"ok - {checked} references and {len(mappings)} queue mappings hold in the expanded template ({len(resources)} resources)")
    print(f"# pass {0 if problems else 1}")
    print(f"# fail {len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
