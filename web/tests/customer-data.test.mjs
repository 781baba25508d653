// A customer's data in the agent console, as an admin uses it: one archive of
// everything held about an address (in parts when it is large), and erasing
// it from the table, the buckets and the word index. Its own file: each file
// of browser tests has the runner's four minutes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { BASE, demoToken, launchChromium, postFrom, signInWithToken } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/// Where `word` is still stored: the runner's main table and the buckets, the
/// word index's files included (web/tests/traces.py).
function traces(word) {
  const out = execFileSync(
    process.env.HELPDESK_PYTHON || "python3",
    [fileURLToPath(new URL("./traces.py", import.meta.url)), word],
    {
      encoding: "utf8",
      env: { ...process.env, AWS_DEFAULT_REGION: process.env.AWS_REGION || "us-east-1" },
    },
  );
  return JSON.parse(out);
}

/// Where `word` is still stored, once the indexer and the clean-up have had up
/// to 10 s to remove it.
async function tracesOnceGone(word) {
  let left = traces(word);
  for (let i = 0; i < 40 && (left.items.length || left.objects.length); i++) {
    await new Promise((r) => setTimeout(r, 250));
    left = traces(word);
  }
  return left;
}

/// Adam exports `address` from "Customer data": the page says `says`, and the
/// archive behind its link is read (every file's CRC checked).
async function exportAsAdmin(context, address, says) {
  const page = await signInWithToken(context, "adam");
  await page.getByRole("link", { name: "Customer data (admin)" }).click();
  await page.getByRole("heading", { level: 1, name: "Customer data" }).waitFor();
  await page.getByLabel("Customer address").fill(address);
  await page.getByRole("button", { name: "Export as one archive" }).click();
  const link = page.locator("a[data-export]");
  await link.waitFor();
  await page.getByText(says).waitFor();
  const archive = Buffer.from(await (await fetch(await link.getAttribute("href"))).arrayBuffer());
  const zip = zipNames(archive);
  assert.equal(zip.bad, null, "every file's CRC holds");
  return { page, archive, zip };
}

/// The names in a ZIP, and whether every file's CRC holds (Python's zipfile).
function zipNames(bytes) {
  const script =
    "import io, json, sys, zipfile\n" +
    "z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n" +
    "print(json.dumps({'names': z.namelist(), 'bad': z.testzip()}))";
  return JSON.parse(
    execFileSync(process.env.HELPDESK_PYTHON || "python3", ["-c", script], {
      input: bytes,
      encoding: "utf8",
    }),
  );
}

test("an admin exports a customer's data as one archive, then erases it: gone from the table, the buckets and search, the reports' counts kept", async () => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const address = `erin-${tag}@customers.example`;
  // A mail with a file, and a request from the help center, both hers.
  const raw = [
    "X-SES-Spam-Verdict: PASS",
    "X-SES-Virus-Verdict: PASS",
    `From: Erin Example <${address}>`,
    "To: support@helpdesk.test",
    `Subject: Receipt ${tag} is wrong`,
    `Message-ID: <${tag}@customers.example>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain",
    "",
    `Please look at receipt ${tag}.`,
    "--b1",
    'Content-Type: text/plain; name="notes.txt"',
    'Content-Disposition: attachment; filename="notes.txt"',
    "",
    `My notes on ${tag}.`,
    "--b1--",
    "",
  ].join("\r\n");
  const delivered = await fetch(`${BASE}/dev/inbound`, { method: "POST", body: raw });
  assert.equal(delivered.status, 202, await delivered.text());
  const { status, text } = await postFrom(`${BASE}/api/tickets`, {
    category: "billing",
    name: "Erin Example",
    email: address,
    subject: `Refund for ${tag}`,
    description: `The refund for ${tag} never came.`,
    details: { order_id: "#1001" },
    elapsed_ms: 9000,
  });
  assert.equal(status, 201, text);
  const token = await demoToken("adam");
  const asAdmin = (path) =>
    fetch(`${BASE}/api/agent${path}`, { headers: { authorization: `Bearer ${token}` } });
  let refs = [];
  for (let i = 0; i < 40 && refs.length < 2; i++) {
    const res = await asAdmin(`/customers/${address}`);
    if (res.status === 200) refs = (await res.json()).tickets.map((t) => t.reference);
    if (refs.length < 2) await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(refs.length, 2, "both requests are tickets");
  // Her confirmations went out (their outbox items name her), and everything is stored.
  for (let i = 0; i < 40; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    if (mails.filter((m) => m.destinations.includes(address)).length >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // In the word index's files too, once the indexer has taken them.
  let stored = traces(tag);
  for (let i = 0; i < 40 && !stored.objects.some((o) => o.includes("/search-index/")); i++) {
    await new Promise((r) => setTimeout(r, 250));
    stored = traces(tag);
  }
  assert.ok(stored.items.length >= 4, `items: ${stored.items}`);
  assert.ok(
    ["/raw/", "/mail/", "/search-index/"].every((p) => stored.objects.some((o) => o.includes(p))),
    `the raw mail, its file and the word index: ${stored.objects}`,
  );
  const opened = async () => (await (await asAdmin("/reports")).json()).totals.opened;
  const openedBefore = await opened();

  // The admin exports her data as one archive.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, archive, zip } = await exportAsAdmin(
    context,
    address,
    "2 requests, 2 messages and 2 files",
  );
  for (const ref of refs) {
    assert.ok(zip.names.includes(`tickets/${ref}/ticket.json`), `${ref}: ${zip.names}`);
    assert.ok(zip.names.includes(`tickets/${ref}/messages.json`));
  }
  assert.ok(
    zip.names.some((n) => n.endsWith("/files/notes.txt")),
    `${zip.names}`,
  );
  assert.ok(
    zip.names.some((n) => /\/mail\/[^/]+\.eml$/.test(n)),
    `${zip.names}`,
  );
  assert.ok(zip.names.includes("customer.json") && zip.names.includes("README.txt"));
  assert.ok(archive.includes(`My notes on ${tag}.`), "the file itself");

  // Erasing asks for the address again.
  await page.getByRole("button", { name: "Erase…" }).click();
  const confirm = page.getByRole("form", { name: `Erase ${address}` });
  await confirm.getByLabel("Address").fill(`someone-${tag}@customers.example`);
  await confirm.getByRole("button", { name: "Erase for good" }).click();
  await page.locator("#data-error", { hasText: "is not the same" }).waitFor();
  await confirm.getByLabel("Address").fill(address);
  await confirm.getByRole("button", { name: "Erase for good" }).click();
  await page.getByText(`Erased ${address}: 2 requests, 2 messages, 2 files`).waitFor();

  // Gone: from the table, the buckets (the archive made before too, and the
  // word index's files once the indexer has rewritten them) and her page.
  assert.deepEqual(await tracesOnceGone(tag), { items: [], objects: [] });
  assert.deepEqual(traces(address), { items: [], objects: [] });
  assert.equal((await asAdmin(`/customers/${address}`)).status, 404);
  // And from search, once the index has caught up: her words find nothing.
  const box = page.getByRole("searchbox", { name: "Search tickets" });
  let found = -1;
  for (let i = 0; i < 40 && found !== 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    await box.fill(tag);
    await box.press("Enter");
    await page.getByRole("heading", { level: 1, name: /^Search/ }).waitFor();
    await page.locator(".empty, table.tickets").first().waitFor();
    found = await page.locator("table.tickets tbody tr").count();
    await page.evaluate(() => (location.hash = "#/view/unassigned"));
  }
  assert.equal(found, 0, "her words are no longer found");
  // The shells keep the reports' counts.
  assert.equal(await opened(), openedBefore);
  const shell = await (await asAdmin(`/tickets/${refs[0]}`)).json();
  assert.equal(shell.ticket.subject, "(erased)");

  // The audit log has both, naming her by a fingerprint only.
  await page.getByRole("link", { name: "Audit log (admin)" }).click();
  await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
  await page.getByLabel("About customer").fill(address);
  await page.getByRole("button", { name: "Show" }).click();
  await page.locator('tr[data-action="customer_erased"]', { hasText: "2 tickets" }).waitFor();
  await page.locator('tr[data-action="customer_exported"]').waitFor();
  assert.ok(!(await page.locator("table.audit").textContent()).includes("erin-"));
  await context.close();
});

test("an address copied on someone else's request is exported and erased from it: its mail and file go, the request stays with its customer", async () => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const jane = `jane-${tag}@customers.example`;
  const frank = `frank-${tag}@partners.example`;
  // Jane's words and Frank's words, told apart in the table, buckets and index.
  const [hers, his] = [`j${tag}`, `f${tag}`];
  const mail = (lines) =>
    fetch(`${BASE}/dev/inbound`, { method: "POST", body: [...lines, ""].join("\r\n") });
  const passes = (domain) =>
    `Authentication-Results: amazonses.com; spf=pass client-ip=192.0.2.10; dkim=pass header.i=@${domain}; dmarc=pass header.from=${domain};`;
  // Jane writes, copying Frank in.
  let delivered = await mail([
    "X-SES-Spam-Verdict: PASS",
    "X-SES-Virus-Verdict: PASS",
    passes("customers.example"),
    `From: Jane Example <${jane}>`,
    "To: support@helpdesk.test",
    `Cc: Frank Partner <${frank}>`,
    `Subject: Router ${hers} keeps rebooting`,
    `Message-ID: <${hers}@customers.example>`,
    "Content-Type: text/plain",
    "",
    `My router ${hers} reboots every hour.`,
  ]);
  assert.equal(delivered.status, 202, await delivered.text());
  const ana = await demoToken("ana");
  const adam = await demoToken("adam");
  const as = (token, path, init = {}) =>
    fetch(`${BASE}/api/agent${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
  let ref = null;
  for (let i = 0; i < 40 && !ref; i++) {
    const res = await as(adam, `/customers/${jane}`);
    if (res.status === 200) ref = (await res.json()).tickets[0]?.reference ?? null;
    if (!ref) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(ref, "Jane's mail is a ticket");
  // Frank writes into it, naming the request, with a file.
  delivered = await mail([
    "X-SES-Spam-Verdict: PASS",
    "X-SES-Virus-Verdict: PASS",
    passes("partners.example"),
    `From: Frank Partner <${frank}>`,
    "To: support@helpdesk.test",
    `Subject: Re: [#${ref}] the logs`,
    `Message-ID: <${his}@partners.example>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain",
    "",
    `Here are the logs of ${his}.`,
    "--b1",
    'Content-Type: text/plain; name="router-log.txt"',
    'Content-Disposition: attachment; filename="router-log.txt"',
    "",
    `Log lines of ${his}.`,
    "--b1--",
  ]);
  assert.equal(delivered.status, 202, await delivered.text());
  // And a mail of his that was held back as spam.
  delivered = await mail([
    "X-SES-Spam-Verdict: FAIL",
    "X-SES-Virus-Verdict: PASS",
    `From: Frank Partner <${frank}>`,
    "To: support@helpdesk.test",
    `Subject: Cheap routers ${his}`,
    `Message-ID: <held-${his}@partners.example>`,
    "Content-Type: text/plain",
    "",
    `Buy routers ${his}.`,
  ]);
  assert.equal(delivered.status, 202, await delivered.text());
  let thread = null;
  for (let i = 0; i < 40; i++) {
    thread = await (await as(ana, `/tickets/${ref}`)).json();
    if (JSON.stringify(thread.thread ?? []).includes(`Here are the logs of ${his}`)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(
    JSON.stringify(thread.thread).includes(`Here are the logs of ${his}`),
    "Frank's mail is on Jane's request",
  );
  // Stored: his words in the table, his file and mail in the buckets; and
  // found by the word search once the indexer has taken them.
  const stored = traces(his);
  assert.ok(stored.items.length >= 2, `items: ${stored.items}`);
  assert.ok(
    ["/raw/", "/mail/"].every((p) => stored.objects.some((o) => o.includes(p))),
    `his raw mail and his file: ${stored.objects}`,
  );
  const found = async (words) => {
    const res = await as(ana, `/search?q=${encodeURIComponent(words)}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()).hits.map((h) => h.ticket.reference);
  };
  let theirs = [];
  for (let i = 0; i < 40 && !theirs.includes(ref); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    theirs = await found(his);
  }
  assert.deepEqual(theirs, [ref], "his words find her request before");

  // The admin exports Frank's data: his message and file from Jane's request, nothing of hers.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, archive, zip } = await exportAsAdmin(
    context,
    frank,
    "0 requests, 1 messages and 3 files",
  );
  for (const name of [`copied/${ref}/messages.json`, `copied/${ref}/files/router-log.txt`]) {
    assert.ok(zip.names.includes(name), `${name}: ${zip.names}`);
  }
  assert.ok(
    zip.names.some((n) => n.startsWith(`copied/${ref}/mail/`)) &&
      zip.names.some((n) => n.startsWith("held/")),
    `${zip.names}`,
  );
  assert.ok(!zip.names.some((n) => n.startsWith("tickets/")), `${zip.names}`);
  assert.ok(archive.includes(`Log lines of ${his}.`), "his file itself");
  assert.ok(archive.includes(`Buy routers ${his}.`), "his held mail itself");
  assert.ok(!archive.includes(`My router ${hers}`), "nothing Jane wrote");

  // Erasing him takes him out of her request.
  await page.getByRole("button", { name: "Erase…" }).click();
  const confirm = page.getByRole("form", { name: `Erase ${frank}` });
  await confirm.getByText("those requests stay").waitFor();
  await confirm.getByLabel("Address").fill(frank);
  await confirm.getByRole("button", { name: "Erase for good" }).click();
  await page
    .getByText(`Erased ${frank}: 0 requests, 1 messages, 4 files`)
    .filter({ hasText: "taken out of 1 other customers' requests" })
    .waitFor();
  await context.close();

  // Gone from the table and the buckets: his words and his address.
  assert.deepEqual(await tracesOnceGone(his), { items: [], objects: [] });
  assert.deepEqual(traces(frank), { items: [], objects: [] });
  // Jane's request stays hers, with her words, found by them and not by his.
  const kept = await (await as(ana, `/tickets/${ref}`)).json();
  assert.match(kept.ticket.subject, new RegExp(hers));
  assert.equal(kept.ticket.requester.email, jane);
  assert.ok(JSON.stringify(kept.thread).includes(`My router ${hers} reboots`));
  assert.ok(!JSON.stringify(kept).includes("frank-"), "no trace of him on her request");
  assert.ok(traces(hers).items.length > 0, "her request is still stored");
  let mine = [];
  for (let i = 0; i < 40 && (theirs.length || !mine.includes(ref)); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250));
    mine = await found(hers);
    theirs = await found(his);
  }
  assert.deepEqual(theirs, [], "his words find nothing");
  assert.ok(mine.includes(ref), "her words still find her request");
});

test("an address with more than one archive holds is exported in parts: the console offers the next part", async () => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const sam = `sam-${tag}@bulk.example`;
  // 301 mails of his held back as spam, through the receipt rule's bucket and queue.
  const held = (n) =>
    fetch(`${BASE}/dev/inbound`, {
      method: "POST",
      body: [
        "X-SES-Spam-Verdict: FAIL",
        "X-SES-Virus-Verdict: PASS",
        `From: Sam Bulk <${sam}>`,
        "To: support@helpdesk.test",
        `Subject: Offer ${n}`,
        `Message-ID: <offer-${n}-${tag}@bulk.example>`,
        "Content-Type: text/plain",
        "",
        `Offer number ${n} of ${tag}.`,
        "",
      ].join("\r\n"),
    });
  for (let from = 0; from < 301; from += 25) {
    const batch = [];
    for (let n = from; n < Math.min(from + 25, 301); n++) batch.push(held(n));
    for (const res of await Promise.all(batch)) assert.equal(res.status, 202);
  }
  // Once the 301st is held, there is a second part: from item 301 on.
  const adam = await demoToken("adam");
  const part = (from) =>
    fetch(`${BASE}/api/agent/customers/${sam}/export?from=${from}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adam}` },
    });
  let second = await part(300);
  for (let i = 0; i < 120 && second.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 500));
    second = await part(300);
  }
  assert.equal(second.status, 200, await second.clone().text());
  assert.deepEqual(await second.json().then((j) => [j.from, j.next, j.files]), [300, null, 1]);
  const past = await (await part(301)).json();
  assert.equal(past.error.fields[0].field, "from");
  assert.match(past.error.fields[0].reason, /301 requests and held mails/);

  // In the console: part 1 says there is more, and offers part 2.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, zip } = await exportAsAdmin(
    context,
    sam,
    `Part 1 of ${sam}: 0 requests, 0 messages and 300 files`,
  );
  assert.equal(zip.names.filter((n) => n.startsWith("held/")).length, 300);
  await page.getByRole("button", { name: "Export part 2" }).click();
  await page.getByText(`Part 2 of ${sam}: 0 requests, 0 messages and 1 files`).waitFor();
  assert.equal(await page.getByRole("button", { name: "Export part 3" }).count(), 0);
  const last = await fetch(await page.locator("a[data-export]").getAttribute("href"));
  const names = zipNames(Buffer.from(await last.arrayBuffer())).names;
  assert.equal(names.filter((n) => n.startsWith("held/")).length, 1, `${names}`);
  // What was made for one address goes when another is typed.
  await page.getByLabel("Customer address").fill(`someone-${tag}@else.example`);
  assert.equal(await page.locator("a[data-export]").count(), 0);
  await context.close();
});
