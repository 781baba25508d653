"""Creates the data plane of the expanded template (tables, queues, buckets,
topics) with moto's CloudFormation, on a moto server of its own (started and
stopped here), and holds what CloudFormation made to infra/resources.json, the
definition the local stack and the tests use: table keys, indexes and their
projections, TTL, queue visibility and redrive. Then writes and reads an item
through every index of the created main table, and (given HELPDESK_RUNNER, the
local runner's binary, as make test gives it) runs the desk on what was created:
the runner with all five functions on those tables, queues and buckets (moto's
DynamoDB, not DynamoDB Local), `make smoke` with a ticket against it, and the
ticket's confirmation sent.

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
    passed, failed = (0 if problems else 1), len(problems)
    flow = desk_on(url, made, spec)
    if flow is not None:
        print(f"{'ok' if flow == [] else 'not ok'} - the desk on what CloudFormation created: "
              + ("make smoke submitted a ticket and its confirmation was sent" if flow == [] else "; ".join(flow)))
        passed, failed = passed + (flow == []), failed + (flow != [])
    print(f"# pass {passed}")
    print(f"# fail {failed}")
    return 1 if failed else 0


def desk_on(url, made, spec):
    """Runs the local runner (all five functions) on the created tables, queues
    and buckets, and `make smoke` against it with a ticket: None when
    HELPDESK_RUNNER (the runner's binary) is not given, else the problems."""
    runner = os.environ.get("HELPDESK_RUNNER")
    if not runner:
        print("# the desk on the created data plane: skipped (set HELPDESK_RUNNER to the local-runner binary)")
        return None
    mail = spec["mail"]
    ses = boto3.client("ses", endpoint_url=url, region_name="us-east-1")
    ses.verify_domain_identity(Domain=mail["domain"])
    boto3.client("sesv2", endpoint_url=url, region_name="us-east-1").create_email_identity(
        EmailIdentity=mail["domain"])
    port, smtp = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "HELPDESK_"))}
    env.update({
        "AWS_ENDPOINT_URL": url, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "rehearsal",
        "AWS_SECRET_ACCESS_KEY": "rehearsal", "AWS_EC2_METADATA_DISABLED": "true",
        "HELPDESK_MOTO_URL": url, "HELPDESK_PORT": str(port), "HELPDESK_SMTP_PORT": str(smtp),
        "HELPDESK_WEB_DIR": os.path.join(ROOT, "web"),
        mail["domain_env"]: mail["domain"], mail["from_env"]: mail["from"],
        mail["reply_keys_env"]: mail["reply_keys"], mail["help_url_env"]: f"http://127.0.0.1:{port}",
    })
    for group in ("tables", "queues", "buckets"):
        for key, s in spec[group].items():
            env[s["env"]] = made[s["template"]]
            if group == "queues":
                env[s["env"].replace("_QUEUE_URL", "_DLQ_URL")] = made[s["dead_letter_template"]]
    log = open(os.path.join(ROOT, ".local", "runner-rehearsal.log"), "w")
    process = subprocess.Popen([runner], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    return [f"the runner ended (exit {process.returncode}); see .local/runner-rehearsal.log"]
                time.sleep(0.1)
        address = "rehearsal@customers.example"
        smoke = subprocess.run([sys.executable, os.path.join(HERE, "smoke.py"), base, address],
                               capture_output=True, text=True, timeout=120)
        if smoke.returncode != 0:
            return [f"make smoke failed: {smoke.stdout.strip()} {smoke.stderr.strip()}"[:2000]]
        reference = next((line.split()[2].rstrip(":") for line in smoke.stdout.splitlines()
                          if line.startswith("note ticket ")), None)
        for _ in range(150):
            mails = json.load(urllib.request.urlopen(f"{base}/dev/mail.json", timeout=5))
            if any(address in m["destinations"] and reference and reference in m["raw_data"] for m in mails):
                return []
            time.sleep(0.2)
        return [f"no confirmation of {reference} to {address} was sent (see .local/runner-rehearsal.log)"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
