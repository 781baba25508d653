#!/usr/bin/env python3
"""Creates the resources of infra/resources.json on the local stack (idempotent).

Runs inside the stack's venv (boto3 comes with moto). Endpoints and dummy
credentials come from the environment that stack.sh sets.
"""
import json
import os
import re
import sys

import boto3
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "resources.json")


def client(service, endpoint_env):
    return boto3.client(service, endpoint_url=os.environ[endpoint_env],
                        region_name=os.environ["AWS_REGION"])


def table_spec(name, spec):
    attrs = set(spec["key"])
    for index in spec["indexes"]:
        attrs.update(index["key"])

    def key_schema(key):
        schema = [{"AttributeName": key[0], "KeyType": "HASH"}]
        if len(key) > 1:
            schema.append({"AttributeName": key[1], "KeyType": "RANGE"})
        return schema

    args = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
        "KeySchema": key_schema(spec["key"]),
    }
    if spec.get("stream"):
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec["stream"]}
    if spec["indexes"]:
        args["GlobalSecondaryIndexes"] = [
            {"IndexName": i["name"], "KeySchema": key_schema(i["key"]),
             "Projection": {"ProjectionType": "KEYS_ONLY" if i.get("projection") == "keys_only" else "ALL"}}
            for i in spec["indexes"]
        ]
    return args


def add_missing_indexes(ddb, name, spec):
    """A stack left running across a change that adds an index gets it too."""
    have = {i["IndexName"] for i in ddb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])}
    wanted = table_spec(name, spec)
    for index in wanted.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        ddb.update_table(
            TableName=name,
            AttributeDefinitions=wanted["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        print(f"added index {index['IndexName']} to {name}", file=sys.stderr)


def add_missing_stream(ddb, name, spec):
    """A stack left running across the change that added the table's stream gets it too."""
    if not spec.get("stream"):
        return
    table = ddb.describe_table(TableName=name)["Table"]
    if table.get("StreamSpecification", {}).get("StreamEnabled"):
        return
    ddb.update_table(TableName=name, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": spec["stream"]})
    print(f"added a {spec['stream']} stream to {name}", file=sys.stderr)


def tables_only(suffix, drop):
    """Tables of their own for one run (`make test`'s runner), named with
    `suffix`: created and printed as exports, or (`drop`) deleted."""
    with open(RESOURCES) as f:
        res = json.load(f)
    ddb = client("dynamodb", "AWS_ENDPOINT_URL_DYNAMODB")
    existing = set(ddb.list_tables()["TableNames"])
    for spec in res["tables"].values():
        name = spec["name"] + suffix
        if drop:
            if name in existing:
                ddb.delete_table(TableName=name)
            continue
        if name not in existing:
            ddb.create_table(**table_spec(name, spec))
            if spec["ttl"]:
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": spec["ttl"]})
        print(f"export {spec['env']}={name}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] in ("--tables", "--drop-tables"):
        suffix = sys.argv[2]
        if not re.fullmatch(r"-[a-z0-9-]{1,40}", suffix):
            raise SystemExit(f"not a table suffix: {suffix!r}")
        tables_only(suffix, drop=sys.argv[1] == "--drop-tables")
        return
    with open(RESOURCES) as f:
        res = json.load(f)
    env = {}

    ddb = client("dynamodb", "AWS_ENDPOINT_URL_DYNAMODB")
    existing = set(ddb.list_tables()["TableNames"])
    for spec in res["tables"].values():
        name = spec["name"]
        if name not in existing:
            ddb.create_table(**table_spec(name, spec))
            if spec["ttl"]:
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": spec["ttl"]})
        else:
            add_missing_indexes(ddb, name, spec)
            add_missing_stream(ddb, name, spec)
        env[spec["env"]] = name

    sqs = client("sqs", "AWS_ENDPOINT_URL_SQS")
    queue_arns = {}
    for key, spec in res["queues"].items():
        dlq_url = sqs.create_queue(QueueName=spec["name"] + "-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # A test that scales time down (the fault test) shortens every queue's visibility.
        visibility = os.environ.get("HELPDESK_QUEUE_VISIBILITY_SECONDS") or spec["visibility_timeout"]
        url = sqs.create_queue(QueueName=spec["name"], Attributes={
            "VisibilityTimeout": str(visibility),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                         "maxReceiveCount": str(spec["max_receive_count"])}),
        })["QueueUrl"]
        queue_arns[key] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        env[spec["env"]] = url
        env[spec["env"].replace("_QUEUE_URL", "_DLQ_URL")] = dlq_url

    s3 = client("s3", "AWS_ENDPOINT_URL_S3")
    for spec in res["buckets"].values():
        try:
            s3.create_bucket(Bucket=spec["name"])
        except ClientError as e:
            if e.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        if spec.get("cors"):
            s3.put_bucket_cors(Bucket=spec["name"], CORSConfiguration={"CORSRules": [{
                "AllowedOrigins": spec["cors"]["allowed_origins"],
                "AllowedMethods": spec["cors"]["allowed_methods"],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": spec["cors"]["max_age"],
            }]})
        if spec.get("notify_queue"):
            s3.put_bucket_notification_configuration(Bucket=spec["name"], NotificationConfiguration={
                "QueueConfigurations": [{
                    "QueueArn": queue_arns[spec["notify_queue"]],
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": spec["prefix"]}]}},
                }]})
        env[spec["env"]] = spec["name"]

    mail = res["mail"]
    ses = client("sesv2", "AWS_ENDPOINT_URL_SESV2")
    try:
        ses.create_email_identity(EmailIdentity=mail["domain"])
    except ClientError as e:
        if e.response["Error"]["Code"] != "AlreadyExistsException":
            raise
    # moto's v2 sending checks the v1 verified list.
    client("ses", "AWS_ENDPOINT_URL_SESV2").verify_domain_identity(Domain=mail["domain"])
    env[mail["domain_env"]] = mail["domain"]
    env[mail["from_env"]] = mail["from"]
    env[mail["reply_keys_env"]] = mail["reply_keys"]
    env[mail["help_url_env"]] = mail["help_url"]

    for k, v in sorted(env.items()):
        print(f"export {k}={v}")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one clear line instead of a traceback
        print(f"provisioning the local stack failed: {e}", file=sys.stderr)
        sys.exit(1)
