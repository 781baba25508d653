#!/usr/bin/env python3
"""A smoke test of a running desk from the outside, as its users reach it: the
deployed stack after `make deploy` (URL = the stack's WebUrl), or the local
runner (make test runs it against one). Standard library only.

    make smoke URL=https://d111.cloudfront.net [MAIL=you@example.com]

Checks, without writing anything unless MAIL is given:
  - the help center, the tracking page and the console are served with the
    security headers (and HSTS over https);
  - /api/health answers "ok" (the tables, queues and buckets answer);
  - the public API lists categories and refuses a bad form with a 400 naming
    the field;
  - the agents' API refuses a request without a token (the JWT authorizer);
  - the console's config.json names a user pool and app client that answer:
    a sign-in of a made-up user is refused as a wrong password, not as an
    unknown client or a disallowed flow.
With MAIL, it also submits one ticket in the first category from that address and
checks that a reference comes back; the confirmation mail then arrives there.
Exit status 0 when every check passed; each check prints one line.
"""
import datetime
import json
import re
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin

TIMEOUT = 20


class Smoke:
    def __init__(self, base):
        self.base = base.rstrip("/") + "/"
        self.failed = 0

    def request(self, method, path, body=None, headers=None):
        url = path if path.startswith("http") else urljoin(self.base, path.lstrip("/"))
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if body is not None and "content-type" not in {k.lower() for k in req.headers}:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def check(self, what, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {what}{'' if ok else f': {detail}'}")
        if not ok:
            self.failed += 1
        return ok

    def page(self, path, marker):
        status, headers, body = self.request("GET", path)
        h = {k.lower(): v for k, v in headers.items()}
        csp = h.get("content-security-policy", "")
        problems = []
        if status != 200:
            problems.append(f"status {status}")
        if marker.encode() not in body:
            problems.append(f"no {marker!r} in the page")
        if "default-src" not in csp or "unsafe-inline" in csp.split("script-src")[-1].split(";")[0]:
            problems.append(f"content-security-policy {csp!r}")
        for name, want in [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                           ("referrer-policy", "no-referrer")]:
            if h.get(name, "").lower() != want.lower():
                problems.append(f"{name} {h.get(name)!r}")
        if self.base.startswith("https:") and "max-age" not in h.get("strict-transport-security", ""):
            problems.append("no HSTS")
        self.check(f"GET {path} is served with the security headers", not problems, "; ".join(problems))

    def json_of(self, body):
        try:
            return json.loads(body or b"null")
        except ValueError:
            return None

    def run(self, mail):
        self.page("/", "<html")
        self.page("/track/", "<html")
        self.page("/agent/", "<html")

        status, _, body = self.request("GET", "/api/health")
        self.check("GET /api/health answers ok", status == 200 and (self.json_of(body) or {}).get("status") == "ok",
                   f"{status} {body[:200]!r}")

        status, _, body = self.request("GET", "/api/categories")
        listed = self.json_of(body)
        categories = listed.get("categories", []) if isinstance(listed, dict) else []
        self.check("GET /api/categories lists the help center's categories", status == 200 and isinstance(listed, dict),
                   f"{status} {body[:200]!r}")
        if status == 200 and not categories:
            print("note a new stack has no categories yet: add a policy and categories in the console")

        status, _, body = self.request("POST", "/api/tickets", {})
        fields = json.dumps(self.json_of(body))
        self.check("POST /api/tickets with an empty form is refused, naming a field",
                   status == 400 and '"field"' in fields, f"{status} {body[:200]!r}")

        status, _, body = self.request("GET", "/api/agent/me")
        self.check("GET /api/agent/me without a token is refused by the authorizer", status == 401,
                   f"{status} {body[:200]!r}")

        self.console_pool()
        if mail:
            self.ticket(mail, categories)
        return 1 if self.failed else 0

    def console_pool(self):
        status, _, body = self.request("GET", "/agent/config.json")
        config = self.json_of(body) if status == 200 else None
        if not self.check("GET /agent/config.json names a user pool",
                          isinstance(config, dict) and config.get("auth") == "cognito" and config.get("client_id")
                          and (config.get("region") or config.get("endpoint")), f"{status} {body[:200]!r}"):
            return
        endpoint = config.get("endpoint") or f"https://cognito-idp.{config['region']}.amazonaws.com/"
        status, _, body = self.request("POST", urljoin(self.base, endpoint) if endpoint.startswith("/") else endpoint,
                                       json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": config["client_id"],
                                                   "AuthParameters": {"USERNAME": "smoke-nobody@example.invalid",
                                                                      "PASSWORD": "Not-a-password-1"}}).encode(),
                                       {"content-type": "application/x-amz-json-1.1",
                                        "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth"})
        kind = str((self.json_of(body) or {}).get("__type", "")).split("#")[-1]
        self.check("the console's user pool takes USER_PASSWORD_AUTH from its client (a made-up user is refused "
                   "as a wrong password)", status == 400 and kind == "NotAuthorizedException",
                   f"{status} {kind or body[:200]!r}")

    def ticket(self, mail, categories):
        if not self.check("a category to submit to", bool(categories), "the stack has none"):
            return
        category = categories[0]
        details = {}
        for f in category.get("fields", []):
            if not f.get("required"):
                continue
            kind = f.get("kind") or {}
            details[f["name"]] = {
                "text": "smoke"[: max(1, int(kind.get("max_len") or 5))],
                "number": kind.get("min") if kind.get("min") is not None else 1,
                "email": mail,
                "url": "https://example.com/",
                "choice": (kind.get("options") or [""])[0],
                "date": datetime.date.today().isoformat(),
            }.get(kind.get("type"), "smoke")
        status, _, body = self.request("POST", "/api/tickets", {
            "category": category["id"], "name": "Smoke Test", "email": mail,
            "subject": "Smoke test of a new deploy", "description": "Sent by make smoke; close it when it arrives.",
            "details": details, "elapsed_ms": 10000})
        answer = self.json_of(body) or {}
        reference = str(answer.get("reference", ""))
        if self.check("POST /api/tickets gives a reference", status == 201 and re.fullmatch(r"[A-Z0-9]+-[A-Z0-9]+", reference),
                      f"{status} {body[:300]!r}"):
            print(f"note ticket {reference}: its confirmation goes to {mail}")


def main(argv):
    if len(argv) not in (1, 2):
        sys.exit("usage: scripts/smoke.py URL [MAIL]")
    return Smoke(argv[0]).run(argv[1] if len(argv) == 2 else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
