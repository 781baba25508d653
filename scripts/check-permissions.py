"""Holds every AWS call the test suite made to the role its function has: the
IAM action and the resource it acts on.

Each function's clients append `<function>\t<action>\t<resource>` to the log
named on the command line while the suite runs (testkit::iam,
HELPDESK_IAM_LOG); the resource is the local one (`table:NAME[/index/I]`,
`queue:NAME`, `bucket:NAME/KEY`, `parameter:/PATH`, `identity:DOMAIN`).
This script expands the SAM template with the SAM translator (the roles SAM
makes, policy templates included), turns each statement's resources into ARN
patterns (GetAtt, Ref and Sub resolved; a template parameter may be any value,
so it becomes `*`), maps each local name to the template resource it stands for,
and fails when a call's action and resource are not allowed together by one
statement of its function's role (wildcards matched as IAM matches them), when a
call names a resource the template does not declare, or when the suite recorded
no call for a function. It also lists what a role grants that no call used
(least privilege), without failing: some grants serve paths the suite cannot
reach locally.

Local names: the stack's are infra/resources.json's (`helpdesk-main`, also with
a suffix such as `-run-123` for a run's own tables), a test's own copies are
`test-<key>-…` (testkit::local), and a dead-letter queue adds `-dlq`; which
template resource each stands for, resources.json says (`template`,
`dead_letter_template`), and the template test holds those to the template.
"""

import fnmatch
import json
import os
import re
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

FUNCTIONS = {
    "submit-form": "SubmitFormFunction",
    "agent-api": "AgentApiFunction",
    "inbound-mail": "InboundMailFunction",
    "send-reply": "SendReplyFunction",
    "sla-escalation": "SlaEscalationFunction",
    "search-indexer": "SearchIndexerFunction",
}
REGION, ACCOUNT = "us-east-1", "123456789012"

# What the AWS managed policies SAM attaches allow (their documents are not in
# the template), on every resource.
MANAGED = {
    "AWSLambdaBasicExecutionRole": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "AWSLambdaSQSQueueExecutionRole": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ],
    "AWSLambdaDynamoDBExecutionRole": [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ],
}

# Granted for AWS itself rather than for our code: the logs, and the event
# source mapping polling a queue with the function's role.
NOT_OURS = {"logs:*", "sqs:ReceiveMessage", "sqs:DeleteMessage"}


class NoManagedPolicies:
    def load(self):
        return {}


def expanded(template_path):
    template = yaml_parse(open(template_path).read())
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # The translator wants an S3 location; the code is irrelevant here.
            resource["Properties"]["CodeUri"] = f"s3://offline/{name}"
    return transform(template, {}, NoManagedPolicies())


class Resolver:
    """A template value as an ARN pattern: a resource's name is `{Logical}`."""

    def __init__(self, template):
        self.resources = template["Resources"]
        self.parameters = template.get("Parameters", {})

    def arn(self, logical):
        kind = self.resources[logical]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{{{logical}}}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{{{logical}}}"
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{{{logical}}}"
        raise ValueError(f"no ARN form for {logical} ({kind}): extend check-permissions.py")

    def name(self, ref):
        if ref in ("AWS::Partition",):
            return "aws"
        if ref == "AWS::Region":
            return REGION
        if ref == "AWS::AccountId":
            return ACCOUNT
        if ref in self.parameters:
            return "*"
        if ref in self.resources:
            return f"{{{ref}}}"
        raise ValueError(f"Ref to unknown {ref}")

    def attribute(self, logical, attr):
        if attr == "Arn":
            return self.arn(logical)
        if attr == "QueueName":
            return f"{{{logical}}}"
        raise ValueError(f"GetAtt {logical}.{attr}: extend check-permissions.py")

    def sub(self, text, variables):
        def one(match):
            key = match.group(1)
            if key in variables:
                return variables[key]
            if "." in key:
                logical, attr = key.split(".", 1)
                return self.attribute(logical, attr)
            return self.name(key)

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def value(self, v):
        if isinstance(v, str):
            return v
        if isinstance(v, dict) and len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref":
                return self.name(arg)
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.attribute(logical, attr)
            if fn == "Fn::Sub":
                if isinstance(arg, str):
                    return self.sub(arg, {})
                text, variables = arg
                return self.sub(text, {k: self.value(x) for k, x in variables.items()})
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(self.value(p) for p in parts)
        raise ValueError(f"cannot resolve {v!r}: extend check-permissions.py")


def roles(template):
    """Per function: its statements, each (action patterns, resource patterns)."""
    resolve = Resolver(template)
    granted = {}
    for function, logical in FUNCTIONS.items():
        role = template["Resources"].get(f"{logical}Role")
        if role is None:
            sys.exit(f"the transformed template has no role for {logical}")
        statements = []
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                resources = statement.get("Resource", [])
                resources = resources if isinstance(resources, list) else [resources]
                statements.append((actions, [resolve.value(r) for r in resources]))
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            managed = MANAGED.get(str(resolve.value(arn)).rsplit("/", 1)[-1], [])
            if managed:
                statements.append((managed, ["*"]))
        granted[function] = statements
    return granted


def local_names(resources_json):
    """resources.json key → (local base name, template resource, its dead-letter queue)."""
    return {
        key: (spec["name"], spec["template"], spec.get("dead_letter_template"))
        for group in ("tables", "queues", "buckets")
        for key, spec in resources_json[group].items()
    }


def logical_of(local, bases):
    """The template resource a local name stands for, or None."""
    dlq = local.endswith("-dlq")
    stem = local[: -len("-dlq")] if dlq else local
    for key, (name, logical, dead) in bases.items():
        test_name = f"test-{key.replace('_', '-')}-"
        if stem == name or stem.startswith(f"{name}-") or stem.startswith(test_name):
            return dead if dlq else logical
    return None


def arn_of(resource, bases):
    """A recorded resource as the ARN IAM would check; (arn, problem)."""
    if resource in ("", "*"):
        return "*", None
    kind, _, rest = resource.partition(":")
    if kind == "parameter":
        return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{rest}", None
    if kind == "identity":
        return f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{rest}", None
    local, _, tail = rest.partition("/")
    logical = logical_of(local, bases)
    if logical is None:
        return None, f"{resource} is no resource the template declares"
    form = {"table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{{{logical}}}",
            "queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{{{logical}}}",
            "bucket": f"arn:aws:s3:::{{{logical}}}"}.get(kind)
    if form is None:
        return None, f"{resource}: unknown kind"
    return form + (f"/{tail}" if tail else ""), None


def matches(value, patterns, case=True):
    if case:
        return any(fnmatch.fnmatchcase(value, p) for p in patterns)
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def main():
    log, template_path = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    resources_json = json.load(open(os.path.join(root, "infra", "resources.json")))
    template = expanded(template_path)
    granted = roles(template)
    bases = local_names(resources_json)
    used = {f: set() for f in FUNCTIONS}
    if os.path.exists(log):
        for line in open(log):
            function, _, rest = line.rstrip("\n").partition("\t")
            action, _, resource = rest.partition("\t")
            if function in used and action:
                used[function].add((action, resource or "*"))
    failed = 0
    for function in FUNCTIONS:
        statements = granted[function]
        calls = sorted(used[function])
        refused, seen = [], set()
        for action, resource in calls:
            arn, problem = arn_of(resource, bases)
            if problem:
                refused.append(f"{action} on {problem}")
                continue
            fits = [i for i, (acts, res) in enumerate(statements)
                    if matches(action, acts, case=False) and matches(arn, res)]
            if fits:
                seen.update((i, action) for i in fits)
                seen.update((i, arn) for i in fits)
            else:
                refused.append(f"{action} on {arn}")
        unused = []
        for i, (acts, res) in enumerate(statements):
            unused += [a for a in acts if not matches(a, NOT_OURS, case=False)
                       and not any(k == i and fnmatch.fnmatchcase(x.lower(), a.lower()) for k, x in seen)]
            unused += [r for r in res if r != "*"
                       and not any(k == i and fnmatch.fnmatchcase(x, r) for k, x in seen)]
        if not calls:
            print(f"not ok - {function}: the suite recorded no AWS call for it (is HELPDESK_IAM_LOG set?)")
            failed += 1
        elif refused:
            print(f"not ok - {function}: its role does not allow {'; '.join(sorted(set(refused)))}")
            failed += 1
        else:
            kinds = len({a for a, _ in calls})
            print(f"ok - {function}: {kinds} actions on {len(calls)} resources, all allowed by its role")
        if unused:
            print(f"  {function}: granted, no call in the suite used: {', '.join(sorted(set(unused)))}")
    print(f"# pass {len(FUNCTIONS) - failed}")
    print(f"# fail {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
