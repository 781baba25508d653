#!/usr/bin/env python3
"""The current authenticator-app code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) for a
base32 key, e.g. a demo agent's key that `make dev` prints. Dev and tests only."""
import base64
import hashlib
import hmac
import struct
import sys
import time


def code(key: str, now: float) -> str:
    clean = key.replace(" ", "").upper()
    secret = base64.b32decode(clean + "=" * (-len(clean) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(now) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    word = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{word % 1_000_000:06d}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/totp.py BASE32-KEY")
    print(code(sys.argv[1], time.time()))
