"""Creates the data plane of the expanded template (tables, queues, buckets,
topics) with moto's CloudFormation, on a moto server of its own (started and
stopped here), and holds what CloudFormation made to infra/resources.json, the
definition the local stack and the tests use: table keys, indexes and their
projections, TTL, queue visibility and redrive. Then writes and reads an item
through every index of the created main table.

moto's CloudFormation does not apply a table's TTL setting, so TTL is read from
the template itself. What it cannot create: the functions, the HTTP API, CloudFront, Cognito, SES
receipt rules, alarms (moto's CloudFormation does not model them all, and
nothing here could run them). Prints TAP-style lines and `# pass` / `# fail`.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA_PLANE = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::SNS::Topic"}
# Which template resource each of resources.json's stands for, as it says.
SPEC = json.load(open(os.path.join(ROOT, "infra/resources.json")))
TABLES = {key: s["template"] for key, s in SPEC["tables"].items()}
QUEUES = {key: (s["template"], s["dead_letter_template"]) for key, s in SPEC["queues"].items()}
BUCKETS = {key: s["template"] for key, s in SPEC["buckets"].items()}
# Parameters without a default, as a deploy would give them.
GIVEN = {
    "MailDomain": "example.com",
    "MailFrom": "support@example.com",
    "WebOrigin": "https://help.example.com",
    "ApiDomainName": "api.example.com",
    "ApiCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/rehearsal",
    "OriginSecret": "r" * 32,
}


def expanded():
    spec = importlib.util.spec_from_file_location("check_deploy", os.path.join(HERE, "check-deploy.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.expanded(os.path.join(ROOT, "infra/template.yaml"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    moto = os.environ.get("HELPDESK_MOTO_SERVER") or os.path.expanduser("~/.cache/helpdesk/venv/bin/moto_server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([moto, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        return rehearse(url)
    finally:
        server.terminate()
        server.wait(timeout=10)


def rehearse(url):
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "rehearsal")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "rehearsal")
    client = lambda name: boto3.client(name, endpoint_url=url, region_name="us-east-1")
    t = expanded()
    plane = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": t.get("Parameters", {}),
        "Conditions": t.get("Conditions", {}),
        "Resources": {},
    }
    for name, resource in t["Resources"].items():
        if resource["Type"] in DATA_PLANE:
            resource = json.loads(json.dumps(resource))
            # The raw-mail bucket's notification needs the queue policy, which is
            # IAM, not data plane: the local stack wires it (connect_raw_mail_to_inbound).
            resource.get("Properties", {}).pop("NotificationConfiguration", None)
            plane["Resources"][name] = resource
    parameters = [
        {"ParameterKey": k, "ParameterValue": v}
        for k, v in GIVEN.items()
        if k in t.get("Parameters", {}) and "Default" not in t["Parameters"][k]
    ]
    cf = client("cloudformation")
    cf.create_stack(StackName="rehearsal", TemplateBody=json.dumps(plane), Parameters=parameters)
    stack = cf.describe_stacks(StackName="rehearsal")["Stacks"][0]
    problems = []
    if stack["StackStatus"] != "CREATE_COMPLETE":
        problems.append(f"the stack is {stack['StackStatus']}: {stack.get('StackStatusReason')}")
    made = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.list_stack_resources(StackName="rehearsal")["StackResourceSummaries"]
    }
    spec = json.load(open(os.path.join(ROOT, "infra/resources.json")))
    ddb = client("dynamodb")
    for key, logical in TABLES.items():
        want = spec["tables"][key]
        table = ddb.describe_table(TableName=made[logical])["Table"]
        keys = [k["AttributeName"] for k in sorted(table["KeySchema"], key=lambda k: k["KeyType"] != "HASH")]
        if keys != want["key"]:
            problems.append(f"{logical}: key {keys}, resources.json says {want['key']}")
        made_indexes = {
            g["IndexName"]: (
                [k["AttributeName"] for k in sorted(g["KeySchema"], key=lambda k: k["KeyType"] != "HASH")],
                g["Projection"]["ProjectionType"],
            )
            for g in table.get("GlobalSecondaryIndexes", [])
        }
        want_indexes = {
            i["name"]: (i["key"], "KEYS_ONLY" if i.get("projection") == "keys_only" else "ALL")
            for i in want["indexes"]
        }
        if made_indexes != want_indexes:
            problems.append(f"{logical}: indexes {made_indexes}, resources.json says {want_indexes}")
        # moto's CloudFormation does not apply a TTL specification: read the
        # template's own where the created table has none.
        ttl = ddb.describe_time_to_live(TableName=made[logical])["TimeToLiveDescription"].get("AttributeName")
        if ttl is None:
            declared = t["Resources"][logical]["Properties"].get("TimeToLiveSpecification", {})
            ttl = declared.get("AttributeName") if declared.get("Enabled") else None
        if want.get("ttl") != ttl:
            problems.append(f"{logical}: TTL on {ttl}, resources.json says {want.get('ttl')}")
    sqs = client("sqs")
    for key, (logical, dlq) in QUEUES.items():
        want = spec["queues"][key]
        attrs = sqs.get_queue_attributes(QueueUrl=made[logical], AttributeNames=["All"])["Attributes"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=made[dlq], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
        got = (int(attrs["VisibilityTimeout"]), int(redrive.get("maxReceiveCount", 0)), redrive.get("deadLetterTargetArn"))
        if got != (want["visibility_timeout"], want["max_receive_count"], dlq_arn):
            problems.append(f"{logical}: visibility, receives, DLQ {got}, resources.json says {want}")
    s3 = client("s3")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    for key, logical in BUCKETS.items():
        if made.get(logical) not in names:
            problems.append(f"{logical} was not created")
    # One item in every index of the created main table, found through each.
    main = made["MainTable"]
    item = {"pk": {"S": "T#REHEARSAL"}, "sk": {"S": "T"}}
    for index in spec["tables"]["main"]["indexes"]:
        pk, sk = index["key"]
        item[pk] = {"S": f"P#{index['name']}"}
        item[sk] = {"S": "0001"}
    ddb.put_item(TableName=main, Item=item)
    for index in spec["tables"]["main"]["indexes"]:
        pk = index["key"][0]
        found = ddb.query(
            TableName=main,
            IndexName=index["name"],
            KeyConditionExpression="#p = :p",
            ExpressionAttributeNames={"#p": pk},
            ExpressionAttributeValues={":p": {"S": f"P#{index['name']}"}},
        )["Items"]
        if [i["pk"]["S"] for i in found] != ["T#REHEARSAL"]:
            problems.append(f"index {index['name']} of the created table does not find the item: {found}")
    for p in problems:
        print(f"not ok - {p}")
    if not problems:
        print(
            f"ok - moto's CloudFormation created the data plane ({len(made)} resources) as resources.json defines it; "
            f"every index of the main table finds an item written to it"
        )
    print(f"# pass {0 if problems else 1}")
    print(f"# fail {len(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
