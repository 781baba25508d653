"""Holds every AWS call the test suite made to the role its function has.

Each function's clients append `<function>\t<IAM action>` to the log named on
the command line while the suite runs (testkit::iam, HELPDESK_IAM_LOG). This
script expands the SAM template with the SAM translator (the roles SAM makes,
policy templates included), and fails when a function called something its role
does not allow, or when the suite recorded no call at all for a function. It
also lists what a role grants that no call used (least privilege), without
failing: some grants serve paths the suite cannot reach locally.

Resources (tables, queues, buckets) are not compared yet: only actions.
"""

import fnmatch
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

FUNCTIONS = {
    "submit-form": "SubmitFormFunction",
    "agent-api": "AgentApiFunction",
    "inbound-mail": "InboundMailFunction",
    "send-reply": "SendReplyFunction",
    "sla-escalation": "SlaEscalationFunction",
}

# What the AWS managed policies SAM attaches allow (their documents are not in
# the template).
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
}

# Granted for AWS itself rather than for our code: the logs, and the event
# source mapping polling a queue with the function's role.
NOT_OURS = {"logs:*", "sqs:ReceiveMessage", "sqs:DeleteMessage"}


class NoManagedPolicies:
    def load(self):
        return {}


def roles(template_path):
    template = yaml_parse(open(template_path).read())
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # The translator wants an S3 location; the code is irrelevant here.
            resource["Properties"]["CodeUri"] = f"s3://offline/{name}"
    out = transform(template, {}, NoManagedPolicies())
    granted = {}
    for function, logical in FUNCTIONS.items():
        role = out["Resources"].get(f"{logical}Role")
        if role is None:
            sys.exit(f"the transformed template has no role for {logical}")
        actions = []
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if statement.get("Effect") != "Allow":
                    continue
                action = statement.get("Action", [])
                actions += [action] if isinstance(action, str) else action
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            actions += MANAGED.get(str(arn).rsplit("/", 1)[-1], [])
        granted[function] = sorted(set(actions))
    return granted


def allowed(action, patterns):
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)


def main():
    log, template = sys.argv[1], sys.argv[2]
    used = {f: set() for f in FUNCTIONS}
    if os.path.exists(log):
        for line in open(log):
            function, _, action = line.rstrip("\n").partition("\t")
            if function in used and action:
                used[function].add(action)
    granted = roles(template)
    failed = 0
    for function in FUNCTIONS:
        calls = sorted(used[function])
        missing = [a for a in calls if not allowed(a, granted[function])]
        unused = [
            p
            for p in granted[function]
            if not allowed(p, NOT_OURS) and not any(fnmatch.fnmatchcase(a.lower(), p.lower()) for a in calls)
        ]
        if not calls:
            print(f"not ok - {function}: the suite recorded no AWS call for it (is HELPDESK_IAM_LOG set?)")
            failed += 1
        elif missing:
            print(f"not ok - {function}: its role does not allow {', '.join(missing)}")
            failed += 1
        else:
            print(f"ok - {function}: {len(calls)} actions, all allowed by its role")
        if unused:
            print(f"  {function}: granted, no call in the suite used: {', '.join(unused)}")
    print(f"# pass {len(FUNCTIONS) - failed}")
    print(f"# fail {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
