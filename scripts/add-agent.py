#!/usr/bin/env python3
"""Adds an agent to a deployed desk: the user in the agents' Cognito user pool (who
gets Cognito's invitation mail with a temporary password), its group, and the
agent record in the main table, keyed by the user name Cognito puts in the access
token's `username` claim. The pool takes emails as user names, so that claim is
the user's generated id (its `sub`), not the email: a record keyed by the email
would never be found.

    make admin EMAIL=you@example.com [NAME="Your Name"] [STACK=helpdesk]
    make agent EMAIL=ana@example.com ROLE=agent CATEGORIES=billing,shipping

The stack's outputs (UserPoolId, MainTableName) are read with CloudFormation unless
--pool-id and --table are given. Running it again for the same address changes
nothing that is already right and says so; an existing record with another role
or other categories is left alone unless --update is given. Endpoints come from
the usual AWS settings (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and AWS_ENDPOINT_URL_DYNAMODB
point it at the local runner's pool and DynamoDB Local in the tests).
"""
import argparse
import re
import sys

import boto3
from botocore.exceptions import ClientError

GROUPS = {"agent": "agents", "supervisor": "supervisors", "admin": "admins"}
LOCAL_SPECIALS = set("!#$%&'*+/=?^_`{|}~-.")
LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
CATEGORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def valid_email(address):
    """The rules the desk's EmailAddress::parse applies (a record with an address
    it refuses could not be read back)."""
    if len(address) > 254 or address.count("@") < 1:
        return False
    local, domain = address.rsplit("@", 1)
    labels = domain.split(".")
    return (0 < len(local) <= 64 and not local.startswith(".") and not local.endswith(".")
            and ".." not in local
            and all(c.isascii() and (c.isalnum() or c in LOCAL_SPECIALS) for c in local)
            and len(domain) <= 253 and len(labels) >= 2
            and all(LABEL.match(label) for label in labels)
            and any(c.isalpha() for c in labels[-1]))


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--role", choices=sorted(GROUPS), default="admin")
    p.add_argument("--categories", default="", help="comma-separated category ids")
    p.add_argument("--stack", default="helpdesk")
    p.add_argument("--pool-id")
    p.add_argument("--table")
    p.add_argument("--update", action="store_true", help="overwrite a record that differs")
    p.add_argument("--no-invite", action="store_true",
                   help="create the user without Cognito's invitation mail (then set a password yourself)")
    p.add_argument("--temporary-password", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.email = args.email.strip().lower()
    if not valid_email(args.email):
        p.error(f"--email: {args.email!r} is not an email address")
    args.name = " ".join(args.name.split()) or args.email.split("@")[0]
    if len(args.name) > 80 or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in args.name):
        p.error("--name: one line of at most 80 characters")
    args.categories = [c.strip() for c in args.categories.split(",") if c.strip()]
    bad = [c for c in args.categories if not CATEGORY.match(c)]
    if bad:
        p.error(f"--categories: {', '.join(bad)} is not a category id")
    if args.role == "agent" and not args.categories:
        p.error("--categories: an agent sees only their categories; name at least one")
    return args


def stack_outputs(stack):
    cfn = boto3.client("cloudformation")
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in found}


def ensure_user(cognito, pool, args):
    """The user's name as tokens carry it; creates the user if it is new, and
    mails a new temporary password to one who never signed in (an invitation
    expires after 7 days)."""
    request = dict(
        UserPoolId=pool,
        Username=args.email,
        UserAttributes=[{"Name": "email", "Value": args.email},
                        {"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    if args.no_invite:
        request["MessageAction"] = "SUPPRESS"
    if args.temporary_password:
        request["TemporaryPassword"] = args.temporary_password
    try:
        cognito.admin_create_user(**request)
        print(f"user {args.email}: created; Cognito mails the temporary password")
    except ClientError as e:
        if e.response["Error"]["Code"] != "UsernameExistsException":
            raise
        status = cognito.admin_get_user(UserPoolId=pool, Username=args.email)["UserStatus"]
        if status == "FORCE_CHANGE_PASSWORD" and not args.no_invite:
            cognito.admin_create_user(UserPoolId=pool, Username=args.email, MessageAction="RESEND",
                                      DesiredDeliveryMediums=["EMAIL"])
            print(f"user {args.email}: exists, never signed in; a new temporary password is mailed")
        else:
            print(f"user {args.email}: exists already")
    # The user name, not the email: with emails as user names Cognito generates
    # it, and it is what the access token's `username` claim holds.
    return cognito.admin_get_user(UserPoolId=pool, Username=args.email)["Username"]


def ensure_group(cognito, pool, args, username):
    """In the role's group, and (with --update) out of the other roles' groups:
    agent-api grants the lower of group and record, so a stale higher group
    would let a later record change raise the role unnoticed."""
    wanted = GROUPS[args.role]
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=wanted)
    print(f"group {wanted}: {args.email} is in it")
    if args.update:
        for group in GROUPS.values():
            if group != wanted:
                cognito.admin_remove_user_from_group(UserPoolId=pool, Username=username, GroupName=group)


def record(args, username):
    return {
        "pk": {"S": "AGENT"},
        "sk": {"S": username},
        "agent": {"M": {
            "id": {"S": username},
            "name": {"S": args.name},
            "email": {"S": args.email},
            "role": {"S": args.role},
            "categories": {"L": [{"S": c} for c in args.categories]},
        }},
    }


def ensure_record(ddb, table, args, username):
    item = record(args, username)
    try:
        ddb.put_item(TableName=table, Item=item,
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
        print(f"agent record {username}: written ({args.role})")
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
    old = ddb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}).get("Item")
    if old == item:
        print(f"agent record {username}: already as asked")
        return True
    if not args.update:
        print(f"agent record {username}: exists with other values; left alone (--update overwrites)",
              file=sys.stderr)
        return False
    ddb.put_item(TableName=table, Item=item)
    print(f"agent record {username}: updated ({args.role})")
    return True


def main(argv):
    args = parse(argv)
    pool, table = args.pool_id, args.table
    if not (pool and table):
        outputs = stack_outputs(args.stack)
        pool = pool or outputs["UserPoolId"]
        table = table or outputs["MainTableName"]
    cognito = boto3.client("cognito-idp")
    username = ensure_user(cognito, pool, args)
    # The record first: a record left alone (other values, no --update) leaves
    # the groups alone too.
    if not ensure_record(boto3.client("dynamodb"), table, args, username):
        return 1
    ensure_group(cognito, pool, args, username)
    print(f"done: {args.email} signs in at the console with the mailed temporary password, "
          "chooses a password and sets up an authenticator app (required of every agent)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ClientError as e:
        sys.exit(f"add-agent: {e.response['Error']['Code']}: {e.response['Error'].get('Message', '')}")
