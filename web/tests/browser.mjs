// What every browser test shares: where the local runner is, and Debian's
// Chromium driven by playwright-core (never a browser download).

import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { chromium } from "playwright-core";

export const BASE = process.env.BASE_URL || "http://127.0.0.1:3000";

export function launchChromium() {
  // Chromium never gets a preloaded library (make test-times preloads libfaketime
  // into the test processes, and Chromium hangs with it): it keeps the real clock.
  const { LD_PRELOAD, ...env } = process.env;
  return chromium.launch({
    env,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// A browser context for one customer: its API requests reach the runner from a
/// loopback address of their own (127.x.y.z), as different customers come from
/// different addresses. The page still makes every request; only the transport
/// changes, so the hourly per-address limits count this customer alone, also when
/// the suite runs many times on one stack.
export async function customer(browser, options = {}) {
  const context = await browser.newContext(options);
  const localAddress = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  await context.route(`${BASE}/api/**`, async (route) => {
    const request = route.request();
    const headers = { ...request.headers() };
    delete headers.host;
    const body = request.postDataBuffer();
    const answer = await new Promise((resolve, reject) => {
      const outgoing = http.request(
        request.url(),
        { method: request.method(), headers, localAddress },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      outgoing.on("error", reject);
      if (body) outgoing.write(body);
      outgoing.end();
    });
    const flat = Object.fromEntries(
      Object.entries(answer.headers).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(", ") : String(v),
      ]),
    );
    await route.fulfill({ status: answer.status, headers: flat, body: answer.body });
  });
  return context;
}

/// The current code of an authenticator app holding `key` (RFC 6238: base32 key,
/// HMAC-SHA1, 30-second steps, 6 digits), as an agent reads it off their phone.
export function totp(key, now = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of key.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const digest = createHmac("sha1", bytes).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/// A demo agent's password and authenticator key, as `make dev` prints them.
export function demoLogin(user) {
  const demo = JSON.parse(
    readFileSync(new URL("../../dev/runner/demo-data.json", import.meta.url)),
  );
  const login = demo.logins.find((l) => l.agent === user);
  if (!login) throw new Error(`no demo login ${user}`);
  return login;
}

/// A demo agent's bearer token for API calls from the test itself.
export async function demoToken(user) {
  const { password, totp_secret: key } = demoLogin(user);
  const res = await fetch(`${BASE}/dev/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: user, password, code: totp(key) }),
  });
  if (!res.ok) throw new Error(`${user} could not sign in: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const usedSteps = new Map();

/// A code the pool has not taken yet from `who`: it takes each code once, as
/// Cognito does. The next step's code is accepted early (the pool allows one
/// step of clock drift either way), so a second sign-in within 30 seconds does
/// not have to wait; a third may, until the next step begins.
export async function freshCode(who, key) {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    const used = usedSteps.get(who) ?? -1;
    const next = [step, step + 1].find((s) => s > used);
    if (next !== undefined) {
      usedSteps.set(who, next);
      return totp(key, next * 30_000);
    }
    await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 50));
  }
}

/// The first mail the local runner sent to `address` that says `text` (soft line
/// breaks undone; waits up to 10 s), or null.
export async function mailTo(address, text = "") {
  for (let i = 0; i < 40; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    const mail = mails.find(
      (m) => m.destinations.includes(address) && m.raw_data.replace(/=\r?\n/g, "").includes(text),
    );
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/// POSTs JSON from a loopback address of its own (127.x.y.z): each simulated
/// customer has their own IP, so the per-IP limit on submissions is not the one
/// that many tests from one machine run into.
export function postFrom(url, body) {
  const localAddress = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/// A console page signed in as `user` with a token from the runner's scripting
/// sign-in, put where the console keeps its session (no form: the pool takes
/// each authenticator code once, as Cognito does).
export async function signInWithToken(context, user) {
  const page = await context.newPage();
  const token = await demoToken(user);
  await context.addInitScript((t) => {
    sessionStorage.setItem(
      "helpdesk.session",
      JSON.stringify({ token: t, expires: Date.now() + 3_000_000 }),
    );
  }, token);
  await page.goto(`${BASE}/agent/`);
  await page.getByRole("heading", { level: 1, name: "Unassigned" }).waitFor();
  return page;
}
