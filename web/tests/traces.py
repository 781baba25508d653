"""Where a word is still stored: the main table's items and the buckets' objects
whose bytes contain it (case aside). The browser test of erasing runs it before
and after, against the runner's own table and buckets; it prints JSON.

    traces.py <word> [--skip-prefix search-index/]
"""

import argparse
import json
import os

import boto3


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("word")
    args.add_argument("--skip-prefix", action="append", default=[])
    a = args.parse_args()
    needle = a.word.lower()
    dynamodb = boto3.client("dynamodb")
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=os.environ["HELPDESK_MAIN_TABLE"]):
        for item in page["Items"]:
            if needle in json.dumps(item).lower():
                items.append(f'{item["pk"]["S"]} {item["sk"]["S"]}')
    s3 = boto3.client("s3")
    objects = []
    for bucket in (os.environ["HELPDESK_ATTACHMENTS_BUCKET"], os.environ["HELPDESK_RAW_MAIL_BUCKET"]):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                if any(o["Key"].startswith(p) for p in a.skip_prefix) or o["Size"] > 20_000_000:
                    continue
                try:
                    body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
                except s3.exceptions.NoSuchKey:
                    continue  # deleted since it was listed (the index's clean-up, say)
                if needle.encode() in body.lower():
                    objects.append(f'{bucket}/{o["Key"]}')
    print(json.dumps({"items": items, "objects": objects}))


if __name__ == "__main__":
    main()
