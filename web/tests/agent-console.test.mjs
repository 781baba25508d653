// The agent console as agents use it, in headless Chromium against the local runner
// (BASE_URL, started by scripts/test.sh with the local stack and the demo data).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  BASE,
  customer,
  demoLogin,
  demoToken,
  freshCode,
  launchChromium,
  mailTo,
  postFrom,
  signInWithToken,
  totp,
} from "./browser.mjs";

let browser;

/// When ben turned on alerts for new tickets (in `before`): the functions that
/// raise alerts read the agent list through their minute-long cache.
let alertsChosenAt = 0;

before(async () => {
  browser = await launchChromium();
  const token = await demoToken("ben");
  const res = await fetch(`${BASE}/api/agent/me/alerts`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ new_ticket: true }),
  });
  assert.equal(res.status, 200, await res.text());
  alertsChosenAt = Date.now();
});

after(async () => {
  await browser?.close();
});

/// A customer's request through the public API, as the help center sends it.
async function submit(
  subject,
  category = "billing",
  details = { order_id: "#1001" },
  description = "I was charged twice for order #1001.",
) {
  const { status, text } = await postFrom(`${BASE}/api/tickets`, {
    category,
    name: "Jane Customer",
    email: `jane-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`,
    subject,
    description,
    details,
    elapsed_ms: 9000,
  });
  assert.equal(status, 201, text);
  return JSON.parse(text);
}

/// The tracking link (path and fragment) in the mail about ticket `ref` that says
/// `text`, as the customer's mail client shows it.
async function mailedLink(ref, text) {
  const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
  const id = ref.replace("-", "");
  // A German customer's link opens the page in German (`&lang=de`).
  const link = new RegExp(`/track/\\?ticket=${id}(&lang=[a-z]{2})?#token=[0-9a-f]{32}`);
  for (const m of mails) {
    // Undo quoted-printable (soft line breaks, "=3D") before reading.
    const raw = m.raw_data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const found = raw.includes(text) && raw.match(link);
    if (found) return found[0];
  }
  return null;
}

/// The "all your requests" link (path and fragment) in a links mail to
/// `address` that says `text`, as the customer's mail client shows it (waits up
/// to 15 s), or null.
async function linksMailPage(address, text = "") {
  const page = /\/track\/mine\/#t=[0-9A-Z]{10}\.[0-9a-f]{32}(,[0-9A-Z]{10}\.[0-9a-f]{32})*/;
  for (let i = 0; i < 60; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    for (const m of mails) {
      // Undo quoted-printable (soft line breaks, "=3D") before reading.
      const raw = m.raw_data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const found = m.destinations.includes(address) && raw.includes(text) && raw.match(page);
      if (found) return found[0];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

const signedInOnce = new Set();

/// A signed-in console page. A user's first sign-in in this file goes through
/// the form (keyboard only: type, then Enter): the password, then the code from
/// the agent's authenticator app. Later ones put a token from the runner's
/// scripting sign-in where the console keeps its session: the pool takes each
/// code once, as Cognito does, so another form sign-in within 30 seconds would
/// wait for the next code.
async function signIn(context, user) {
  if (signedInOnce.has(user)) return signInWithToken(context, user);
  const page = await context.newPage();
  const { password, totp_secret: key } = demoLogin(user);
  await page.goto(`${BASE}/agent/`);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Password", { exact: true }).press("Enter");
  await page.getByLabel("Code from your authenticator app").fill(await freshCode(user, key));
  await page.getByLabel("Code from your authenticator app").press("Enter");
  await page.getByRole("heading", { level: 1, name: "Unassigned" }).waitFor();
  signedInOnce.add(user);
  return page;
}

test("a new ticket arrives live, the agent answers and solves it, the customer confirms", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(["notifications"], { origin: BASE });
  const page = await signIn(context, "ana");
  // Newest first: on a stack with many tickets the new one is not on the oldest page.
  await page.evaluate(() => (location.hash = "#/view/unassigned?sort=newest"));
  const unassigned = page.locator('a[data-view="unassigned"] .count');
  await unassigned.waitFor();
  const before = Number(await unassigned.textContent());

  const created = await submit("Charged twice for one order");
  const ref = created.reference;
  // The poll notices it: a message on the page, the counter rises, the row appears.
  await page.locator(".toast", { hasText: `New ticket ${ref}` }).waitFor({ timeout: 20000 });
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.textContent) === n,
    ['a[data-view="unassigned"] .count', before + 1],
  );
  await page.locator(`tr[data-reference="${ref}"]`).waitFor();
  // Another tab shows how many wait for an answer.
  assert.match(await page.title(), /^\(\d+\) Agent console · Helpdesk$/);
  assert.equal(
    await page.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth),
    true,
    "no sideways scroll at 1280×800",
  );

  // A canned reply for billing, kept on its own page.
  await page.getByRole("link", { name: "Canned replies" }).click();
  await page.getByLabel("Title").fill("Refund sent");
  await page
    .getByLabel("Text")
    .fill("Hello {{customer_name}}, we refunded the second charge for {{reference}}.");
  await page.getByLabel("Category", { exact: true }).selectOption("billing");
  await page.getByRole("button", { name: "Save canned reply" }).click();
  await page.getByRole("heading", { name: "Refund sent · billing" }).first().waitFor();

  await page.goto(`${BASE}/agent/#/ticket/${ref}`);
  await page.getByRole("heading", { level: 1, name: /Charged twice for one order/ }).waitFor();
  assert.match(
    await page.locator(".thread").textContent(),
    /I was charged twice for order #1001\./,
  );
  await page
    .getByLabel("Internal note (agents only, never mailed)")
    .fill("Checked the payment log: two captures.");
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByText("Note added.", { exact: true }).first().waitFor();
  // Inserted with the placeholders filled, then edited before sending.
  await page.getByLabel("Canned reply").selectOption({ label: "Refund sent" });
  await page.getByRole("button", { name: "Insert" }).click();
  const editor = page.getByLabel(/Reply to Jane Customer/);
  assert.equal(
    await editor.inputValue(),
    `Hello Jane Customer, we refunded the second charge for ${ref}.`,
  );
  assert.equal(await page.locator(".entry.agent_reply").count(), 0, "inserting sends nothing");
  await editor.press("End");
  await editor.pressSequentially(" It shows within 3 days.");
  await page.getByRole("button", { name: "Send and mark solved" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent; the ticket is solved." }).waitFor();
  assert.equal(await page.locator('[data-fact="status"]').textContent(), "Solved");
  assert.equal(await page.locator('[data-fact="assignee"]').textContent(), "Ana Agent");
  assert.equal(await page.locator(".entry.internal_note").count(), 1);

  // The answer becomes an FAQ draft, cleaned of the customer's name first.
  await page.getByRole("button", { name: "Add this answer to the FAQ" }).click();
  assert.equal(
    await page.getByLabel("Question").inputValue(),
    "I was charged twice for order #1001.",
  );
  await page.getByLabel("Question").fill("I was charged twice. What happens now?");
  await page.getByLabel("Answer").fill("We refund the second charge; it shows within 3 days.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page
    .locator(".entry.system_event", { hasText: "made an FAQ draft from this ticket" })
    .waitFor();
  await page.getByRole("link", { name: "FAQ", exact: true }).click();
  // The entry links back to its ticket.
  const faq = page.locator("li[data-faq]", {
    has: page.locator(`a[href="#/ticket/${ref.replace("-", "")}"]`),
  });
  await faq.waitFor();
  assert.match(await faq.textContent(), /I was charged twice\. What happens now\?Draft/);

  // The agent's reply is mailed to the customer (send-reply on the local stack).
  const mailed = async () => {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    // Undo quoted-printable's soft line breaks before looking for the text.
    return mails.some((m) =>
      m.raw_data.replace(/=\r?\n/g, "").includes("we refunded the second charge"),
    );
  };
  for (let i = 0; i < 40 && !(await mailed()); i++) await new Promise((r) => setTimeout(r, 250));
  assert.equal(await mailed(), true, "the reply went out by mail");

  // The form's own link shows where the request stands, not our answer: anyone
  // could have typed the address in.
  const former = await context.newPage();
  await former.goto(`${BASE}${created.tracking_url}`);
  await former.locator("#status", { hasText: "solved" }).waitFor();
  await former.locator("#verify-note").waitFor();
  assert.doesNotMatch(await former.locator("#thread").textContent(), /we refunded/);
  assert.equal(await former.getByRole("button", { name: "Yes, it's solved" }).isVisible(), false);
  await former.close();
  // The customer opens the link in our mail, reads the answer and confirms: the ticket closes.
  const link = await mailedLink(ref, "we refunded the second charge");
  assert.ok(link, "the reply mail carries a tracking link");
  const customer = await context.newPage();
  await customer.goto(`${BASE}${link}`);
  await customer.locator("#status", { hasText: "solved" }).waitFor();
  assert.equal(await customer.locator("#verify-note").isVisible(), false);
  assert.match(
    await customer.locator("#thread").textContent(),
    /we refunded the second charge for [0-9A-Z]{5}-[0-9A-Z]{5}\. It shows within 3 days\./,
  );
  assert.doesNotMatch(
    await customer.locator("#thread").textContent(),
    /payment log/,
    "internal notes stay internal",
  );
  await customer.getByRole("button", { name: "Yes, it's solved" }).click();
  await customer.locator("#status", { hasText: "closed" }).waitFor();
  // The thanks is a banner where the question was, and takes focus; the form
  // below says what a message to a closed request does.
  assert.equal(await customer.evaluate(() => document.activeElement?.id), "answered");
  assert.match(await customer.locator("#answered").textContent(), /^Thank you!/);
  assert.match(
    await customer.locator("#reply-help").textContent(),
    /closed\. A message reopens it/,
  );
  await page.goto(`${BASE}/agent/#/ticket/${ref}`);
  await page.locator('[data-fact="status"]', { hasText: "Closed" }).waitFor();
  await context.close();
});

test("an agent of other categories never sees the ticket", async () => {
  const created = await submit("Invoice address is wrong");
  const ref = created.reference;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await signIn(context, "ben");
  await page.getByRole("link", { name: /All my categories/ }).click();
  await page.getByRole("heading", { level: 1, name: "All my categories" }).waitFor();
  await page.waitForLoadState("networkidle");
  assert.equal(await page.locator(`tr[data-reference="${ref}"]`).count(), 0);
  const categories = await page.locator(".category-counts tbody th").allTextContents();
  assert.equal(
    categories.some((c) => c.startsWith("Billing")),
    false,
    categories.join(", "),
  );
  await page.goto(`${BASE}/agent/#/ticket/${ref}`);
  await page
    .getByRole("heading", { level: 1, name: "No such ticket in your categories." })
    .waitFor();
  assert.equal(
    await page.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth),
    true,
    "no sideways scroll at phone width",
  );
  await context.close();
});

test("two agents on one ticket: the second is told what changed and keeps the draft", async () => {
  const created = await submit("Refund for a cancelled order");
  const ref = created.reference;
  const context = await browser.newContext();
  const ana = await signIn(context, "ana");
  const otherContext = await browser.newContext();
  const sue = await signIn(otherContext, "sue");
  for (const p of [ana, sue]) {
    await p.goto(`${BASE}/agent/#/ticket/${ref}`);
    await p.getByRole("heading", { level: 1, name: /Refund for a cancelled order/ }).waitFor();
  }
  await sue.getByLabel(/Reply to Jane Customer/).fill("The refund is on its way.");
  await sue.getByRole("button", { name: "Send reply" }).click();
  await sue.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();

  const draft = "We will refund you today.";
  await ana.getByLabel(/Reply to Jane Customer/).fill(draft);
  await ana.getByRole("button", { name: "Send reply" }).click();
  const conflict = ana.locator(".notice.conflict");
  await conflict.waitFor();
  assert.match(await conflict.textContent(), /Nothing was saved/);
  assert.match(await conflict.textContent(), /Sue Supervisor: The refund is on its way\./);
  assert.equal(await ana.getByLabel(/Reply to Jane Customer/).inputValue(), draft);
  // Sue's reply is now in Ana's thread, and only one reply was stored.
  assert.equal(await ana.locator(".entry.agent_reply").count(), 1);
  await context.close();
  await otherContext.close();
});

test("a duplicate is merged into the ticket that stays, and its customer is told where", async () => {
  const kept = await submit("Double charge on my card");
  const duplicate = await submit("Charged twice?!");
  const context = await browser.newContext();
  const page = await signIn(context, "ana");
  await page.goto(`${BASE}/agent/#/ticket/${duplicate.reference}`);
  await page.getByRole("heading", { level: 1, name: /Charged twice\?!/ }).waitFor();
  await page.getByLabel("Merge into ticket (closes this one)").fill(kept.reference);
  await page.getByRole("button", { name: "Merge" }).click();
  await page.locator(".notice.ok", { hasText: `Merged into ${kept.reference}.` }).waitFor();
  assert.equal(await page.locator('[data-fact="status"]').textContent(), "Closed");
  await page.getByRole("link", { name: kept.reference }).click();
  await page.getByRole("heading", { level: 1, name: /Double charge on my card/ }).waitFor();
  assert.match(
    await page.locator(".entry.system_event").last().textContent(),
    new RegExp(`ana merged ${duplicate.reference}|Ana Agent merged ${duplicate.reference}`),
  );

  // The duplicate's tracking page says where the conversation went, and takes no replies.
  const customer = await context.newPage();
  await customer.goto(`${BASE}${duplicate.tracking_url}`);
  await customer
    .getByText(`This request was merged into ${kept.reference}.`, { exact: false })
    .waitFor();
  assert.equal(await customer.locator("#reply-form").isVisible(), false);

  // The kept ticket goes to the bank for a look; the mail leaves for them only.
  await page.getByLabel("Their email").fill("disputes@bank.example");
  await page.getByLabel("Your note to them").fill("Please check the second capture.");
  await page.getByRole("button", { name: "Forward", exact: true }).click();
  await page
    .locator(".entry.internal_note", { hasText: "Forwarded to disputes@bank.example." })
    .waitFor();
  const forwarded = async () => {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    return mails.find((m) => m.destinations.includes("disputes@bank.example"));
  };
  for (let i = 0; i < 40 && !(await forwarded()); i++) await new Promise((r) => setTimeout(r, 250));
  const mail = await forwarded();
  assert.ok(mail, "the forward was sent");
  assert.doesNotMatch(mail.raw_data, /#token=/, "no key to the customer's page");
  await context.close();
});

test("an admin adds a category with its own fields and an agent for it", async () => {
  const context = await browser.newContext();
  const page = await signIn(context, "adam");
  await page.getByRole("link", { name: "Categories (admin)" }).click();
  await page.getByRole("heading", { level: 1, name: "Categories" }).waitFor();
  const slug = `returns-${Date.now() % 100000}`;
  await page.getByRole("button", { name: "New category" }).click();
  await page.getByLabel("Slug (a-z, 0-9, -)").fill(slug);
  await page.getByLabel("Mail addresses (one per line)").fill(`${slug}@helpdesk.test`);
  await page.getByRole("button", { name: "Add field" }).click();
  await page.getByLabel("Key (a-z, 0-9, _)").fill("reason");
  await page.getByLabel("Label", { exact: true }).fill("Reason");
  await page.getByLabel("Type").selectOption("choice");
  await page.getByLabel("Options (one per line)").fill("Broken\nWrong size");
  await page.getByRole("button", { name: "Save category" }).click();
  // Nothing named: the reasons are listed and nothing is saved.
  await page.locator(".notice.error", { hasText: "name: is required" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill(`Returns ${slug}`);
  await page.getByRole("button", { name: "Save category" }).click();
  const card = page.locator(`li[data-category="${slug}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), new RegExp(`1 fields · ${slug}@helpdesk\\.test`));

  await page.getByRole("link", { name: "Agents (admin)" }).click();
  await page.getByRole("button", { name: "New agent" }).click();
  await page.getByLabel("User name (as in Cognito)").fill(`cara-${slug}`);
  await page.getByLabel("Name", { exact: true }).fill("Cara Agent");
  await page.getByLabel("Email").fill("cara@helpdesk.test");
  await page.getByLabel(`Returns ${slug}`).check();
  await page.getByRole("button", { name: "Save agent" }).click();
  const row = page.locator(`tr[data-agent="cara-${slug}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`Cara Agentagent${slug}`));
  await context.close();
});

test("an admin sets up an SLA policy for weekends and a category can use it", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "adam");
  await page.getByRole("link", { name: "SLA policies (admin)" }).click();
  await page.getByRole("heading", { level: 1, name: "SLA policies" }).waitFor();
  await page.locator('li[data-policy="default"]').waitFor();
  await page.getByRole("button", { name: "New policy" }).click();
  const id = `weekend-${Date.now()}`;
  await page.getByLabel("Id (a-z, 0-9, -)").fill(id);
  await page.getByLabel("Time zone").fill("Europe/Lisbon");
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    await page.getByLabel(`Open on ${day}`).uncheck();
  for (const day of ["Saturday", "Sunday"]) await page.getByLabel(`Open on ${day}`).check();
  await page.getByLabel("Saturday opens").fill("10:00");
  await page.getByLabel("Saturday closes").fill("09:00");
  await page.getByLabel("Standard: first answer within (business hours)").fill("4");
  const unlabelled = await page.$$eval("main input, main select, main textarea", (els) =>
    els.filter((e) => e.labels.length === 0 || !e.labels[0].textContent.trim()).map((e) => e.id),
  );
  assert.deepEqual(unlabelled, []);
  await page.getByRole("button", { name: "Save policy" }).click();
  // The server's reason, named by the day it is about.
  await page
    .getByRole("alert")
    .filter({ hasText: "Saturday closes: must be after the opening time" })
    .waitFor();
  await page.getByLabel("Saturday closes").fill("16:00");
  await page.getByRole("button", { name: "Save policy" }).click();
  const saved = page.locator(`li[data-policy="${id}"]`);
  await saved.waitFor();
  assert.match(await saved.textContent(), /Europe\/Lisbon: Sat 10:00–16:00, Sun 09:00–17:00/);
  assert.match(await saved.textContent(), /First answer within 4 business hours/);

  // A category can be put on it.
  await page.getByRole("link", { name: "Categories (admin)" }).click();
  await page.getByRole("heading", { level: 1, name: "Categories" }).waitFor();
  await page
    .getByRole("button", { name: /^Edit / })
    .first()
    .click();
  const options = await page.getByLabel("SLA policy").locator("option").allTextContents();
  assert.ok(options.includes(id), options.join(", "));
  await context.close();
});

test("the console works with the keyboard alone and every control has a label", async () => {
  const created = await submit("Keyboard only, please");
  const context = await browser.newContext();
  const page = await signIn(context, "ana");
  await page.goto(`${BASE}/agent/#/view/all?sort=newest`);
  await page.locator(`tr[data-reference="${created.reference}"]`).waitFor();
  // Tab to the ticket's link and open it with Enter.
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(
      (ref) => document.activeElement?.textContent === ref,
      created.reference,
    );
  }
  assert.equal(found, true, "the ticket link is reachable with Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: /Keyboard only, please/ }).waitFor();
  const unlabelled = await page.$$eval("main input, main select, main textarea", (els) =>
    els
      .filter((e) => e.labels.length === 0 || !e.labels[0].textContent.trim())
      .map((e) => e.id || e.outerHTML),
  );
  assert.deepEqual(unlabelled, []);
  // Into the reply box with Tab, type, and send with the keyboard.
  let inEditor = false;
  for (let i = 0; i < 60 && !inEditor; i++) {
    await page.keyboard.press("Tab");
    inEditor = await page.evaluate(() => document.activeElement?.id === "reply-body");
  }
  assert.equal(inEditor, true, "the reply box is reachable with Tab");
  await page.keyboard.type("Answered without a mouse.");
  // Past the file field to the send button.
  let onSend = false;
  for (let i = 0; i < 10 && !onSend; i++) {
    await page.keyboard.press("Tab");
    onSend = await page.evaluate(() => document.activeElement?.textContent === "Send reply");
  }
  assert.equal(onSend, true, "Send reply is reachable with Tab");
  await page.keyboard.press("Enter");
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  await context.close();
});

test("a supervisor reads the reports, narrows them to a category and takes the CSV", async () => {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const agentPage = await signIn(context, "ana");
  assert.equal(
    await agentPage.getByRole("link", { name: "Reports" }).count(),
    0,
    "agents have no reports",
  );
  await agentPage.close();

  const page = await signIn(context, "sue");
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.getByRole("link", { name: "Reports" }).click();
  await page.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
  // A period around the server's today (where its default period ends), by date
  // arithmetic alone: a run that crosses midnight still counts its new request in
  // the period it reads, whatever this machine's or the browser's clock says.
  const today = await page.locator("#report-to").inputValue();
  const shift = (day, n) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  await page.evaluate(
    (hash) => (location.hash = hash),
    `#/reports?from=${shift(today, -1)}&to=${shift(today, 1)}`,
  );
  await page.waitForFunction(
    (to) => document.querySelector("#report-to")?.value === to,
    shift(today, 1),
  );
  const opened = async () =>
    Number(await page.locator(".tile", { hasText: "Opened" }).locator("strong").textContent());
  const before = await opened();
  const created = await submit("Counted in the reports");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForFunction(
    (n) => Number(document.querySelector(".tile strong")?.textContent) === n,
    before + 1,
  );
  assert.equal(await opened(), before + 1, "a new request is counted at once");
  assert.ok(Number(await page.locator("[data-backlog]").getAttribute("data-backlog")) >= 1);
  await page.locator("svg.chart rect.opened").first().waitFor({ state: "attached" });
  const unlabelled = await page.$$eval("main input, main select", (els) =>
    els.filter((e) => e.labels.length === 0 || !e.labels[0].textContent.trim()).map((e) => e.id),
  );
  assert.deepEqual(unlabelled, []);

  // The channel self-test: a tick starts a round unless one ran within the hour;
  // the probes come back in (the runner plays SES receiving) and every channel
  // shows as working.
  const tick = await fetch(`${BASE}/dev/tick`, { method: "POST" });
  assert.equal(tick.status, 200, await tick.text());
  let rows = [];
  const working = async () => {
    rows = await page
      .locator("tr[data-channel]")
      .evaluateAll((trs) => trs.map((tr) => [tr.dataset.channel, tr.children[2].textContent]));
    return rows.length >= 2 && rows.every(([, result]) => result === "Working");
  };
  // The probes travel the runner's queues (long polls, a 2 s loop back): allow
  // half a minute, and let each refresh finish before looking again.
  const refresh = async () => {
    const answered = page.waitForResponse((r) => r.url().includes("/api/agent/reports?"));
    await page.getByRole("button", { name: "Show" }).click();
    await answered;
    await page.locator(".tiles").waitFor();
  };
  for (let i = 0; i < 30 && !(await working()); i++) {
    await page.waitForTimeout(1000);
    await refresh();
  }
  assert.ok(await working(), `every probed channel arrived: ${JSON.stringify(rows)}`);
  assert.deepEqual(pageErrors, []);
  assert.ok(
    await page.locator('tr[data-channel="mail billing@helpdesk.test"]').count(),
    "each support address is probed",
  );

  // One category: the table has only it, and its agents.
  await page.getByLabel("Category", { exact: true }).selectOption("billing");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/category=billing/);
  await page.locator('tr[data-scope="billing"]').waitFor();
  assert.equal(await page.locator('tr[data-scope="sales"]').count(), 0);
  assert.equal(await page.locator('tr[data-scope="ben"]').count(), 0, "ben covers no billing");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download CSV" }).click(),
  ]);
  assert.match(
    download.suggestedFilename(),
    /^helpdesk-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  const { readFile } = await import("node:fs/promises");
  const csv = await readFile(await download.path(), "utf8");
  // The request's own day (UTC), whenever the run is.
  const opened_on = created.created_at.slice(0, 10);
  assert.match(csv, /^day,scope,id,name,opened,solved/);
  assert.match(csv, new RegExp(`^${opened_on},category,billing,`, "m"), csv);
  assert.doesNotMatch(csv, /,category,sales,/);

  // A period the API refuses is explained, naming the field.
  await page.getByLabel("From", { exact: true }).fill("2026-02-02");
  await page.getByLabel("To", { exact: true }).fill("2026-02-01");
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("alert").filter({ hasText: "from: is after to" }).waitFor();
  assert.ok(created.reference);
  await context.close();
});

// Last in this file: the tick runs the schedule days ahead, so earlier tickets' clocks move too.
test("a ticket left unanswered past its promise is counted overdue and its escalation shows", async () => {
  const created = await submit("Nobody answered me");
  const ref = created.reference;
  assert.ok(created.reply_by, "the receipt promises a first answer");
  // The schedule, run at the promised time: level 1.
  const tick = await fetch(`${BASE}/dev/tick?at=${encodeURIComponent(created.reply_by)}`, {
    method: "POST",
  });
  const ran = await tick.json();
  assert.equal(tick.status, 200, JSON.stringify(ran));
  assert.ok(ran.report.breached >= 1, JSON.stringify(ran.report));

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await signIn(context, "ana");
  const overdue = page.locator('a[data-view="overdue"] .count');
  await overdue.waitFor();
  assert.ok(Number(await overdue.textContent()) >= 1, "the Overdue view has a count");
  // (The Overdue list itself goes by the wall clock, which this test ran ahead of.)
  await page.goto(`${BASE}/agent/#/ticket/${ref}`);
  await page.locator('[data-fact="sla"]', { hasText: "first response: breached" }).waitFor();
  await page.getByText("SLA breached (level 1)").waitFor();
  await page.getByText("Priority raised to high").first().waitFor();
  await context.close();
});

/// A corpus mail from a sender of its own, delivered as SES would (through the
/// runner's /dev/inbound), then opened in the console by ana; its page.
async function mailAndOpen(file, subject, messageId) {
  const { readFile } = await import("node:fs/promises");
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const ours = `${subject} ${tag}`;
  const raw = (await readFile(new URL(`../../tests/mail/${file}`, import.meta.url), "utf8"))
    .replace(`Subject: ${subject}`, `Subject: ${ours}`)
    .replace(`<${messageId}>`, `<${tag}-${messageId}>`)
    .replaceAll("ann@example.org", `ann-${tag}@example.org`);
  const delivered = await fetch(`${BASE}/dev/inbound`, { method: "POST", body: raw });
  assert.equal(delivered.status, 202, await delivered.text());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await signIn(context, "ana");
  // Newest first, as an agent looks for a mail that just came in.
  await page.evaluate(() => (location.hash = "#/view/unassigned?sort=newest"));
  const row = page.locator("tr", { hasText: ours });
  for (let i = 0; i < 40 && !(await row.count()); i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Unassigned" }).waitFor();
  }
  await row.getByRole("link").first().click();
  await page.getByRole("heading", { level: 1, name: new RegExp(ours) }).waitFor();
  return { context, page };
}

test("a mail's inline image shows in the formatted view, from its own attachment, in a sandboxed frame", async () => {
  const { context, page } = await mailAndOpen(
    "inline-image.eml",
    "Screenshot of the error",
    "inline-1@mail.example.org",
  );

  await page.getByText("Show the mail as formatted").click();
  const frame = page.locator(".formatted iframe");
  await frame.waitFor();
  assert.equal(await frame.getAttribute("sandbox"), "", "no scripts, forms or same-origin access");
  const inner = page.frameLocator(".formatted iframe");
  await inner.getByText("See the error:").waitFor();
  const img = inner.locator("img");
  const src = await img.getAttribute("src");
  const link = await page.locator(".files a", { hasText: "error.png" }).getAttribute("href");
  assert.equal(src, link, "the cid: image points at the mail's own attachment");
  // The frame is an origin of its own; Playwright asks inside it, again and again, whether
  // the image has finished (loaded or failed). Never a wait on its load event: an image that
  // fails fires none, and the test hung on that until the CI gave up.
  let width = -1;
  for (let i = 0; i < 100 && width < 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 200));
    width = await img
      .evaluate((i) => (i.complete ? i.naturalWidth : -1), null, { timeout: 5000 })
      .catch(() => -1);
  }
  assert.equal(width, 1, "the 1×1 PNG loaded (0: it failed; -1: still loading after 20 s)");
  await context.close();
});

test("remote images in a mail stay blocked until the agent loads them", async () => {
  const { context, page } = await mailAndOpen(
    "html-only.eml",
    "Invoice question",
    "html-1@mail.example.org",
  );
  await page.getByText("Show the mail as formatted").click();
  const inner = page.frameLocator(".formatted iframe");
  await inner.getByText("was I charged twice?").waitFor();
  assert.equal(await inner.locator("img").count(), 1);
  assert.equal(await inner.locator("img").getAttribute("src"), null, "blocked: no source at all");

  await page.getByRole("button", { name: /Load 1 remote image/ }).click();
  await page.getByText("Remote images loaded.").waitFor();
  assert.equal(
    await inner.locator("img").getAttribute("src"),
    "https://tracker.example.net/open.gif",
  );
  assert.equal(await inner.locator("script").count(), 0, "still sanitized");
  await context.close();
});

/// The newest mail to `to` whose text matches `pattern`: the first group.
async function mailedTo(to, pattern) {
  for (let i = 0; i < 40; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    const found = mails
      .filter((m) => m.destinations.includes(to))
      .map((m) => m.raw_data.match(pattern))
      .find(Boolean);
    if (found) return found[1];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail to ${to} matching ${pattern}`);
}

/// `make admin` as infra/README.md has an operator run it, against the runner's
/// user pool and this run's table.
function makeAdmin(email) {
  const repo = fileURLToPath(new URL("../..", import.meta.url));
  return execFileSync(
    process.env.HELPDESK_PYTHON || "python3",
    [
      "scripts/add-agent.py",
      "--email",
      email,
      "--name",
      "Nia New",
      "--role",
      "admin",
      "--pool-id",
      "local_agents",
      "--table",
      process.env.HELPDESK_MAIN_TABLE,
    ],
    {
      cwd: repo,
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_DEFAULT_REGION: process.env.AWS_REGION || "us-east-1",
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `${BASE}/dev/cognito`,
      },
    },
  );
}

test("a first admin from make admin: invited by mail, chooses a password, sets up an authenticator, and resets a forgotten password", async () => {
  const email = `nia-${Date.now()}@agents.example`;
  const made = makeAdmin(email);
  // Keyed by the generated user name the token carries, never by the email.
  const [, username] = made.match(/agent record ([0-9a-f-]{36}): written \(admin\)/) ?? [];
  assert.ok(username, made);
  const temporary = await mailedTo(email, /Temporary password: (\S+)/);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/agent/`);
  await page.getByLabel("User name").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(temporary);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Choose your password" }).waitFor();
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByRole("alert").filter({ hasText: "at least 12 characters" }).waitFor();
  await page.getByLabel("New password").fill("Nia-chose-this-2026");
  await page.getByRole("button", { name: "Set password" }).click();

  // No way past this page without an authenticator app.
  await page.getByRole("heading", { name: "Set up two-step sign-in" }).waitFor();
  const key = (await page.getByLabel("Authenticator key").textContent()).replace(/\s/g, "");
  assert.match(key, /^[A-Z2-7]{32}$/);
  const link = await page.getByRole("link", { name: "open it in the app" }).getAttribute("href");
  assert.equal(
    link,
    `otpauth://totp/Helpdesk%3A${encodeURIComponent(email)}?secret=${key}&issuer=Helpdesk`,
  );
  const right = totp(key);
  await page
    .getByLabel("The code your app shows now")
    .fill(right === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Turn on and sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "That code is not right" }).waitFor();
  const setupCode = await freshCode(email, key);
  await page.getByLabel("The code your app shows now").fill(setupCode);
  await page.getByRole("button", { name: "Turn on and sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Unassigned" }).waitFor();
  await page.getByRole("link", { name: "Agents (admin)" }).waitFor();

  // Forgotten: a code by mail, a new password, and the authenticator still asked.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Forgot password?" }).click();
  await page.getByLabel("User name (your email)").fill(email);
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByText("a code is on its way to n***@a***").waitFor();
  const code = await mailedTo(email, /Your code: (\d{6})/);
  await page.getByLabel("Code from the mail").fill(code);
  await page.getByLabel("New password").fill("Nia-after-reset-2026");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password is changed. Sign in with the new one.").waitFor();
  await page.getByLabel("Password", { exact: true }).fill("Nia-chose-this-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong user name or password." }).waitFor();
  await page.getByLabel("Password", { exact: true }).fill("Nia-after-reset-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  // The code the set-up took is refused now, as Cognito refuses a code twice.
  await page.getByLabel("Code from your authenticator app").fill(setupCode);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").filter({ hasText: "That code was just used" }).waitFor();
  await page.getByLabel("Code from your authenticator app").fill(await freshCode(email, key));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { level: 1, name: "Unassigned" }).waitFor();
  await context.close();

  // Run again for the same address: nothing changes and it says so.
  assert.match(makeAdmin(email), new RegExp(`agent record ${username}: already as asked`));
});

test("make admin again before the first sign-in mails a new temporary password, and the old one stops working", async () => {
  const email = `late-${Date.now()}@agents.example`;
  makeAdmin(email);
  const first = await mailedTo(email, /Temporary password: (\S+)/);
  const again = makeAdmin(email);
  assert.match(again, /exists, never signed in; a new temporary password is mailed/);
  assert.match(again, /: already as asked/);
  let second = first;
  for (let i = 0; i < 40 && second === first; i++) {
    second = await mailedTo(email, /Temporary password: (\S+)/);
    if (second === first) await new Promise((r) => setTimeout(r, 250));
  }
  assert.notEqual(second, first);
  const signIn = async (password) => {
    const res = await fetch(`${BASE}/dev/cognito/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: "local-console",
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    });
    return res.json();
  };
  assert.equal((await signIn(first)).__type, "NotAuthorizedException");
  assert.equal((await signIn(second)).ChallengeName, "NEW_PASSWORD_REQUIRED");
});

/// A mail as SES would store it, its spam verdict as given.
async function mailIn(from, subject, spam) {
  const raw = [
    `X-SES-Spam-Verdict: ${spam ? "FAIL" : "PASS"}`,
    "X-SES-Virus-Verdict: PASS",
    `From: ${from}`,
    "To: support@helpdesk.test",
    `Subject: ${subject}`,
    `Message-ID: <${Date.now()}-${Math.floor(Math.random() * 1e9)}@held.test>`,
    "Content-Type: text/plain",
    "",
    `${subject}: please look into it.`,
    "",
  ].join("\r\n");
  const delivered = await fetch(`${BASE}/dev/inbound`, { method: "POST", body: raw });
  assert.equal(delivered.status, 202, await delivered.text());
}

test("a supervisor releases a real mail the spam filter held, and blocks a spammer's domain", async () => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const customer = `held-${tag}@customers.example`;
  const spammer = `offers@spam-${tag}.example`;
  await mailIn(customer, `My parcel ${tag} never came`, true);
  await mailIn(spammer, `Cheap watches ${tag}`, true);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "sue");
  const rowOf = (text) => page.locator("tr[data-held]", { hasText: text });
  // Held in a moment: inbound-mail takes the stored mail from its queue.
  for (let i = 0; i < 40; i++) {
    await page.evaluate(() => {
      location.hash = `#/held?days=1&t=${Date.now()}`;
    });
    await page.getByRole("heading", { level: 1, name: "Held mail" }).waitFor();
    if ((await rowOf(`Cheap watches ${tag}`).count()) > 0 && (await rowOf(customer).count()) > 0)
      break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await rowOf(customer).getByRole("button", { name: "Look" }).click();
  await page.getByRole("heading", { level: 2, name: `My parcel ${tag} never came` }).waitFor();
  await page.getByText(`My parcel ${tag} never came: please look into it.`).waitFor();
  await page.getByRole("button", { name: "Release into a ticket" }).click();
  await rowOf(customer).getByText("released by sue").waitFor();
  // The customer's confirmation, as for any mail that opens a ticket.
  let confirmed = false;
  for (let i = 0; i < 60 && !confirmed; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    confirmed = mails.some((m) => m.destinations.includes(customer));
    if (!confirmed) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(confirmed, "the released mail opened a ticket and its sender was told");
  // Released, it can be handed over again (one ticket however often), never released twice.
  await rowOf(customer).getByRole("button", { name: "Look" }).click();
  await page.getByRole("button", { name: "Hand over again" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Release into a ticket" }).count(), 0);

  // The spammer's domain, blocked: its next mail is held without a spam verdict.
  await rowOf(`Cheap watches ${tag}`).getByRole("button", { name: "Look" }).click();
  await page.getByRole("button", { name: `Block @spam-${tag}.example` }).click();
  await page.locator(`li[data-rule="@spam-${tag}.example"]`).waitFor();
  await mailIn(`sales@spam-${tag}.example`, `Clean-looking offer ${tag}`, false);
  for (let i = 0; i < 40; i++) {
    await page.evaluate(() => {
      location.hash = `#/held?days=1&t=${Date.now()}`;
    });
    await page.getByRole("heading", { level: 1, name: "Held mail" }).waitFor();
    if ((await rowOf(`Clean-looking offer ${tag}`).count()) > 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(
    await rowOf(`Clean-looking offer ${tag}`).textContent(),
    new RegExp(`Blocked sender \\(@spam-${tag}\\.example\\)`),
  );
  // An agent has no such page.
  const agentContext = await browser.newContext();
  const agentPage = await signIn(agentContext, "ana");
  assert.equal(await agentPage.getByRole("link", { name: "Held mail" }).count(), 0);
  await agentContext.close();
  await context.close();
});

test("an agent works from the keyboard, and a half-written reply survives a reload", async () => {
  const first = (await submit("Keyboard one: refund please")).reference;
  const second = (await submit("Keyboard two: invoice address")).reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate(() => (location.hash = "#/view/unassigned?sort=newest"));
  await page.locator(`tr[data-reference="${first}"]`).waitFor();
  // j walks the queue's rows; Enter opens the one reached (the newest is second).
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  assert.equal(await page.locator('tr[aria-current="true"]').getAttribute("data-reference"), first);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: new RegExp(first) }).waitFor();
  await page.keyboard.press("?");
  await page.getByRole("heading", { name: "Keyboard shortcuts" }).waitFor();
  await page.keyboard.press("Escape");
  await page.getByRole("heading", { name: "Keyboard shortcuts" }).waitFor({ state: "hidden" });

  // r: the reply box; what is typed is kept in this browser.
  await page.keyboard.press("r");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "reply-body");
  await page.keyboard.type("Half a reply about the refund");
  await page.reload();
  await page.getByRole("heading", { level: 1, name: new RegExp(first) }).waitFor();
  assert.equal(await page.locator("#reply-body").inputValue(), "Half a reply about the refund");

  // k and j: the neighbours in the queue the agent came from.
  await page.keyboard.press("k");
  await page.getByRole("heading", { level: 1, name: new RegExp(second) }).waitFor();
  assert.equal(await page.locator("#reply-body").inputValue(), "", "drafts are per ticket");
  await page.keyboard.press("j");
  await page.getByRole("heading", { level: 1, name: new RegExp(first) }).waitFor();
  assert.equal(await page.locator("#reply-body").inputValue(), "Half a reply about the refund");

  // a: assign to me; Ctrl+Enter: send; s: solved.
  await page.keyboard.press("a");
  await page.locator(".notice.ok", { hasText: "The ticket is yours." }).waitFor();
  await page.locator("#reply-body").focus();
  await page.keyboard.press("Control+Enter");
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  await page.locator(".thread", { hasText: "Half a reply about the refund" }).waitFor();
  // Right after typing a key is more typing: `s` solves nothing yet (typed
  // just now, so the test does not hang on how long the waits above took).
  await page.locator("#note-body").focus();
  await page.keyboard.type("x");
  await page.locator("h1").click();
  await page.keyboard.press("s");
  assert.equal(await page.locator("#status-select").inputValue(), "waiting_on_customer");
  await page.waitForTimeout(1600);
  await page.keyboard.press("s");
  await page.locator(".notice.ok", { hasText: "Status set to Solved." }).waitFor();
  await page.reload();
  await page.getByRole("heading", { level: 1, name: new RegExp(first) }).waitFor();
  assert.equal(await page.locator("#reply-body").inputValue(), "", "a sent reply is no draft");

  // Signing out leaves no draft behind for the next person at this machine.
  await page.locator("#note-body").fill("A note never sent");
  assert.ok(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes("draft"))));
  await page.getByRole("button", { name: "Sign out" }).click();
  assert.ok(
    !(await page.evaluate(() => Object.keys(localStorage).some((k) => k.includes("draft")))),
  );
  await context.close();
});

test("an agent sets how they sign; the customer's mail comes from them, signed, and the tracking page names them", async () => {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const ref = (await submit(`Signed reply ${tag}`)).reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "sue");
  await page
    .getByRole("link", { name: /Sue Supervisor/ })
    .first()
    .click();
  await page.getByRole("heading", { level: 1, name: "How you sign" }).waitFor();
  await page.getByLabel("Name customers read").fill("Susana");
  await page.getByLabel("Signature").fill("Susana Silva\nBilling team, ACME");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved. Your replies are signed by Susana.").waitFor();
  // A name that would forge a mail header is refused, and says why.
  await page.getByLabel("Name customers read").fill("Sue <boss@evil.example>");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator(".notice.error", { hasText: "at most 40 characters" }).waitFor();

  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  await page.locator("#reply-body").fill(`Your refund ${tag} is on its way.`);
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();

  let raw = null;
  for (let i = 0; i < 60 && !raw; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    raw = mails.map((m) => m.raw_data).find((r) => r.includes(`Your refund ${tag}`)) ?? null;
    if (!raw) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(raw, "the reply was mailed");
  const from = raw.match(/^From: (.*)$/m)?.[1] ?? "";
  assert.match(from, /^"?Susana at .+"? <support@/, from);
  assert.match(raw.replace(/=\r?\n/g, ""), /Susana Silva\r?\nBilling team, ACME/);

  // The customer's page, from the link in that mail, names who answered.
  const link = await mailedLink(ref, `Your refund ${tag}`);
  assert.ok(link, "the reply carries the tracking link");
  const customer = await browser.newContext();
  const track = await customer.newPage();
  await track.goto(`${BASE}${link}`);
  await track.locator("#thread li.support", { hasText: `Your refund ${tag}` }).waitFor();
  assert.match(await track.locator("#thread li.support .meta").first().textContent(), /^Susana · /);
  await customer.close();
  // Back to the demo's own: the first word of the name, no signature.
  await page.evaluate(() => (location.hash = "#/profile"));
  await page.getByLabel("Name customers read").fill("");
  await page.getByLabel("Signature").fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved. Your replies are signed by Sue.").waitFor();
  await context.close();
});

test("the rough edges: labelled details as typed, seeded canned replies, an empty reply said, a phone's queue on the first screen", async () => {
  const tag = `${Date.now()}`;
  const ref = (
    await submit(`Edges ${tag}`, "billing", { order_id: `A-${tag.slice(-6)}`, amount: "49.90" })
  ).reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  // The form's labels, and the amount as the customer typed it.
  const facts = page.locator("aside .facts");
  assert.match(await facts.textContent(), new RegExp(`Order number\\s*A-${tag.slice(-6)}`));
  assert.equal(await page.locator('[data-detail="amount"]').textContent(), "49.90");
  assert.match(await facts.textContent(), /Amount in question/);
  assert.doesNotMatch(await facts.textContent(), /order_id/);

  // The demo's own canned replies; the link placeholder explained in the draft.
  await page.getByLabel("Canned reply").selectOption({ label: "Refund on its way" });
  await page.getByRole("button", { name: "Insert" }).click();
  await page.getByText("becomes the customer's private link").waitFor();
  // An empty reply is not sent, and says so.
  await page.locator("#reply-body").fill("   ");
  await page.getByRole("button", { name: "Send and mark solved" }).click();
  await page.getByRole("alert").filter({ hasText: "Write your reply first" }).waitFor();
  assert.equal(await page.locator("#reply-body").getAttribute("aria-invalid"), "true");
  await page.locator("#reply-body").fill(`Refunded ${tag}.`);
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  assert.equal(
    await page.locator(".toast", { hasText: "Reply sent." }).count(),
    0,
    "said once, beside the thread, not in a toast over the controls",
  );
  await context.close();

  // A category without canned replies says where to write one.
  const idea = (await submit(`Idea ${tag}`, "suggestion", {})).reference;
  const sueContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sue = await signIn(sueContext, "sue");
  await sue.evaluate((r) => (location.hash = `#/ticket/${r}`), idea);
  await sue.getByRole("link", { name: "Write one under Canned replies" }).waitFor();
  await sueContext.close();

  // On a phone the queue's first ticket is on the first screen, even under an admin's longer menu.
  await submit(`Phone ${tag}`, "billing");
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await signIn(phone, "adam");
  const first = small.locator("table.tickets tbody tr").first();
  await first.waitFor();
  // Measured from the top of the page (focusing the heading may have scrolled it).
  const bottom = await first.evaluate((row) => row.getBoundingClientRect().bottom + window.scrollY);
  assert.ok(bottom <= 844, `the first row ends ${bottom}px down the page`);
  assert.ok(
    await small.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth),
    "no sideways scroll on a phone",
  );
  await phone.close();
});

test("an agent sends a return label with the reply; the mail carries it and the customer's page lists it", async () => {
  const tag = `${Date.now()}`;
  const ref = (await submit(`Label ${tag}`)).reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  const pdf = Buffer.from(`%PDF-1.4\n% return label ${tag}\n`);
  await page
    .getByLabel("Attach files (sent with the reply)")
    .setInputFiles([{ name: "return-label.pdf", mimeType: "application/pdf", buffer: pdf }]);
  await page.locator('li[data-file="return-label.pdf"]').waitFor();
  // A type we do not send is refused before anything is stored.
  await page
    .getByLabel("Attach files (sent with the reply)")
    .setInputFiles([
      { name: "tool.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") },
    ]);
  await page.locator("#reply-files-error", { hasText: "tool.exe" }).waitFor();
  await page.locator("#reply-body").fill(`Your return label ${tag} is attached.`);
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  assert.equal(await page.locator('li[data-file="return-label.pdf"]').count(), 0, "sent, cleared");

  let raw = null;
  for (let i = 0; i < 60 && !raw; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    raw = mails.map((m) => m.raw_data).find((r) => r.includes(`return label ${tag} is attached`));
    if (!raw) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(raw, "the reply was mailed");
  assert.match(raw, /Content-Disposition: attachment;\s*filename="?return-label\.pdf/i);
  assert.ok(
    raw.includes(Buffer.from(`%PDF-1.4\n% return label ${tag}\n`).toString("base64").slice(0, 24)),
    "the file's own bytes",
  );

  const link = await mailedLink(ref, `return label ${tag} is attached`);
  const customer = await browser.newContext();
  const track = await customer.newPage();
  await track.goto(`${BASE}${link}`);
  await track.locator("#thread li.support", { hasText: "return-label.pdf" }).waitFor();
  await customer.close();
  await context.close();
});

test("a supervisor makes a macro; an agent previews it and one click sends the reply and takes its actions", async () => {
  const tag = `${Date.now()}`;
  const sueContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sue = await signIn(sueContext, "sue");
  await sue.evaluate(() => (location.hash = "#/canned"));
  await sue.getByRole("heading", { level: 1, name: "Canned replies" }).waitFor();
  await sue.getByLabel("Title").fill(`Escalate ${tag}`);
  await sue.getByLabel("Text").fill("Hello {{customer_name}}, a specialist takes over now.");
  await sue.getByLabel("Category", { exact: true }).selectOption("billing");
  await sue.getByLabel("Priority").selectOption("urgent");
  await sue.getByLabel("Assignee").selectOption("sender");
  await sue.getByRole("button", { name: "Save canned reply" }).click();
  await sue
    .locator("li", { hasText: `Escalate ${tag}` })
    .getByText("Macro: sending it sets priority urgent, assigns it to the sender.")
    .waitFor();
  await sueContext.close();

  const ref = (await submit(`Macro ${tag}`)).reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  // An agent keeps plain canned replies: no macro fields for them.
  await page.evaluate(() => (location.hash = "#/canned"));
  await page.getByRole("heading", { level: 1, name: "Canned replies" }).waitFor();
  assert.equal(await page.getByLabel("Move to category").count(), 0);
  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  await page.getByLabel("Canned reply").selectOption({ label: `Escalate ${tag}` });
  await page.getByRole("button", { name: "Insert" }).click();
  // Said before sending.
  await page
    .locator(".notice.macro", { hasText: "sets priority urgent, assigns it to the sender" })
    .waitFor();
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  await page.locator('[data-fact="status"]', { hasText: "Waiting on customer" }).waitFor();
  assert.equal(await page.locator("#priority-select").inputValue(), "urgent");
  await page.locator(".thread", { hasText: "priority normal → urgent" }).waitFor();
  await context.close();
});

test("an agent opens a ticket for a caller, and one that starts with our own message", async () => {
  const tag = `${Date.now()}`;
  const customer = `caller-${tag}@customers.example`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.getByRole("link", { name: "New ticket" }).click();
  await page.getByRole("heading", { level: 1, name: "New ticket for a customer" }).waitFor();
  // Only the agent's own categories.
  const offered = await page.locator("#open-category option").allTextContents();
  assert.ok(!offered.some((o) => /Sales/.test(o)), offered.join(", "));
  await page.getByLabel("Category").selectOption("billing");
  await page.getByLabel("Customer's email").fill(customer);
  await page.getByLabel("Subject").fill(`Phone call ${tag}`);
  await page.getByLabel("Order number").fill("A-77");
  await page.getByLabel("What the customer told you").fill("Called: charged twice for A-77.");
  await page.getByRole("button", { name: "Open the ticket" }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(`Phone call ${tag}`) }).waitFor();
  assert.match(await page.locator(".thread").textContent(), /Called: charged twice for A-77\./);
  // The customer gets the confirmation with the reference.
  let confirmed = false;
  for (let i = 0; i < 60 && !confirmed; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    confirmed = mails.some(
      (m) => m.destinations.includes(customer) && m.raw_data.includes("We received your request"),
    );
    if (!confirmed) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(confirmed, "the caller got the usual confirmation");

  // A message from us first: mailed with the customer's link.
  await page.getByRole("link", { name: "New ticket" }).click();
  await page.getByRole("heading", { level: 1, name: "New ticket for a customer" }).waitFor();
  await page.getByLabel("Category").selectOption("billing");
  await page.getByLabel("Customer's email").fill(customer);
  await page.getByLabel("Subject").fill(`Delayed ${tag}`);
  await page.getByLabel("Order number").fill("A-78");
  // The customer reads German: our mails to them are written in it.
  await page.getByLabel("Customer's language").selectOption("de");
  await page.getByLabel("Write to the customer first").check();
  await page
    .getByLabel("Your message to the customer (mailed with their link)")
    .fill(`Your order ${tag} is delayed by two days.`);
  await page.getByRole("button", { name: "Open the ticket" }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(`Delayed ${tag}`) }).waitFor();
  await page.locator('[data-fact="status"]', { hasText: "Waiting on customer" }).waitFor();
  await page.locator('[data-fact="language"]', { hasText: "German" }).waitFor();
  let link = null;
  for (let i = 0; i < 60 && !link; i++) {
    const ref = (await page.locator("h1 .ref").textContent()).trim();
    link = await mailedLink(ref, `Your order ${tag} is delayed`);
    if (!link) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(link, "mailed with the customer's tracking link");
  assert.match(link, /&lang=de#token=/, "it opens the customer's page in German");
  // A bad address is named, and nothing is opened.
  await page.getByRole("link", { name: "New ticket" }).click();
  await page.getByLabel("Customer's email").fill("not an address");
  await page.getByLabel("Subject").fill("x");
  await page.getByLabel("What the customer told you").fill("y");
  await page.getByRole("button", { name: "Open the ticket" }).click();
  await page.getByRole("alert").filter({ hasText: "email:" }).waitFor();
  await context.close();
});

test("a customer's reply chimes and shows in the console like a new ticket", async () => {
  const tag = `${Date.now()}`;
  const ref = (await submit(`Reply chime ${tag}`)).reference;
  let link = null;
  for (let i = 0; i < 60 && !link; i++) {
    link = await mailedLink(ref, "We received your request");
    if (!link) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(link, "the confirmation carries the tracking link");
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.locator('a[data-view="unassigned"] .count').waitFor();
  // The customer writes again from their page.
  const customer = await browser.newContext();
  const track = await customer.newPage();
  await track.goto(`${BASE}${link}`);
  await track.getByLabel("Add a message").fill(`One more thing about ${tag}.`);
  await track.getByRole("button", { name: "Send message" }).click();
  await track.getByText("Your message was added.").waitFor();
  await customer.close();
  await page
    .locator(".toast", { hasText: /Customers replied: 1 in Billing/ })
    .waitFor({ timeout: 20000 });
  await context.close();
});

test("an agent copies someone on the replies: the mail goes to them too and the thread says so", async () => {
  const tag = `${Date.now()}`;
  const ref = (await submit(`Cc ${tag}`)).reference;
  const boss = `boss-${tag}@customers.example`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  await page.getByLabel("Cc on our replies").fill(boss);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator(".notice.ok", { hasText: "Cc saved." }).waitFor();
  await page.locator(`li[data-cc="${boss}"]`).waitFor();
  await page.locator("#reply-body").fill(`Copied reply ${tag}.`);
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.locator(".notice.ok", { hasText: "Reply sent." }).waitFor();
  await page.locator(".entry.agent_reply .cc", { hasText: `Cc: ${boss}` }).waitFor();
  let mail = null;
  for (let i = 0; i < 60 && !mail; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    mail = mails.find((m) => m.raw_data.includes(`Copied reply ${tag}`)) ?? null;
    if (!mail) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(mail, "the reply was mailed");
  assert.ok(mail.destinations.includes(boss), JSON.stringify(mail.destinations));
  assert.match(mail.raw_data, new RegExp(`^Cc: .*${boss.replace(".", "\\.")}`, "m"));
  await context.close();
});

test("an agent chooses alerts by mail: none while the console is open, one at once after signing out", async () => {
  // A kind turned on reaches the functions that raise alerts within their
  // catalog cache's minute (most of this file's run has passed by now).
  const left = alertsChosenAt + 61_000 - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ben");
  await page.getByRole("link", { name: /Ben/ }).first().click();
  assert.ok(await page.getByLabel("A new ticket in my categories").isChecked(), "as chosen");
  await page.getByRole("heading", { level: 2, name: "Alerts by mail" }).waitFor();
  await page.getByLabel("A new ticket in my categories").check();
  await page.getByLabel("How").selectOption({ label: "Each at once" });
  await page.getByRole("button", { name: "Save alerts" }).click();
  await page.getByText("Saved. 2 kinds of alert, each at once.").waitFor();
  // A digest interval the API does not offer is refused, naming the field.
  const refused = await page.evaluate(async () => {
    const t = JSON.parse(sessionStorage.getItem("helpdesk.session")).token;
    const res = await fetch("/api/agent/me/alerts", {
      method: "PUT",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify({ new_ticket: true, digest_minutes: 7 }),
    });
    return { status: res.status, body: await res.json() };
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.fields[0].field, "digest_minutes");

  // The console is open: the new ticket is shown here, not mailed.
  const open = (await submit(`Alert while here ${tag}`, "sales", {})).reference;
  assert.ok(await waitForMail(open, "We received your request"), "the customer was told");
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await alertFor("ben@helpdesk.test", open), null, "no alert while in the console");

  // Signed out: the next one is mailed at once, with a way back to it.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("User name").waitFor();
  await new Promise((r) => setTimeout(r, 500));
  const away = (await submit(`Alert while away ${tag}`, "sales", {})).reference;
  let mail = null;
  for (let i = 0; i < 60 && !mail; i++) {
    mail = await alertFor("ben@helpdesk.test", away);
    if (!mail) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(mail, "the alert was mailed");
  const flat = mail.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  assert.match(flat, /^Subject: .*New ticket: Alert while away/m);
  assert.match(
    flat,
    new RegExp(`/agent/#/ticket/${away.replace("-", "")}|/agent/#/ticket/${away}`),
  );
  assert.match(flat, /^Auto-Submitted: auto-generated/m);

  // As a digest: nothing at once, then one mail with both once 15 minutes passed.
  const again = await signIn(context, "ben");
  await again.evaluate(() => (location.hash = "#/profile"));
  await again.getByLabel("How").selectOption({ label: "One digest every 15 minutes" });
  await again.getByRole("button", { name: "Save alerts" }).click();
  await again.getByText("Saved. 2 kinds of alert, in one digest every 15 minutes.").waitFor();
  await again.getByRole("button", { name: "Sign out" }).click();
  await again.getByLabel("User name").waitFor();
  await new Promise((r) => setTimeout(r, 500));
  const first = (await submit(`Digest one ${tag}`, "sales", {})).reference;
  const second = (await submit(`Digest two ${tag}`, "sales", {})).reference;
  assert.ok(await waitForMail(second, "We received your request"));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await alertFor("ben@helpdesk.test", first), null, "kept for the digest");
  const later = new Date(Date.now() + 16 * 60_000).toISOString();
  const tick = await fetch(`${BASE}/dev/tick?at=${encodeURIComponent(later)}`, { method: "POST" });
  const ticked = await tick.json();
  assert.equal(tick.status, 200, JSON.stringify(ticked));
  assert.ok(ticked.report.alert_digests.sent >= 1, JSON.stringify(ticked.report));
  let digest = null;
  for (let i = 0; i < 60 && !digest; i++) {
    digest = await alertFor("ben@helpdesk.test", second);
    if (!digest) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(digest, "the digest was mailed");
  const both = digest.replace(/=\r?\n/g, "");
  assert.match(both, /^Subject: .*alerts? while you were away/m);
  assert.ok(
    both.includes(first) || both.includes(first.replace("-", "")),
    "the first ticket is in it",
  );

  // Back to the demo's own: no alerts.
  const token = await demoToken("ben");
  const reset = await fetch(`${BASE}/api/agent/me/alerts`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({}),
  });
  assert.equal(reset.status, 200);
  await context.close();
});

/// The raw mail to `to` that alerts about ticket `ref`, if one was sent.
async function alertFor(to, ref) {
  const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
  const found = mails.find(
    (m) =>
      m.destinations.includes(to) &&
      m.raw_data.includes("Open it in the console") &&
      (m.raw_data.includes(ref) || m.raw_data.includes(ref.replace("-", ""))),
  );
  return found?.raw_data ?? null;
}

/// Waits for a mail about `ref` that says `text`.
async function waitForMail(ref, text) {
  for (let i = 0; i < 60; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    const flat = mails.map((m) => m.raw_data.replace(/=\r?\n/g, ""));
    if (flat.some((raw) => raw.includes(ref) && raw.includes(text))) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

test("an agent finds a ticket by reference, a typo, and the customer's address, and keeps a note on the customer's page", async () => {
  const tag = `${Date.now()}`;
  const created = await submit(`Find me ${tag}`);
  const ref = created.reference;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  // `/` goes to the search box from anywhere but a text field.
  await page.keyboard.press("/");
  const box = page.getByRole("searchbox", { name: "Search tickets" });
  assert.equal(await box.evaluate((e) => e === document.activeElement), true);
  await box.fill(ref.replace("-", "").toLowerCase());
  await box.press("Enter");
  await page.getByRole("heading", { level: 1, name: /^Search: / }).waitFor();
  await page.getByRole("link", { name: ref, exact: true }).waitFor();

  // One character wrong: the check character catches it, and the ticket is offered.
  const wrong = `${ref[0] === "A" ? "B" : "A"}${ref.slice(1)}`;
  await box.fill(wrong);
  await box.press("Enter");
  await page.getByRole("heading", { level: 2, name: "Did you mean" }).waitFor();
  await page.getByText("That reference has a typo").waitFor();
  await page.getByRole("link", { name: ref, exact: true }).waitFor();

  // The customer's address: their tickets, and their page.
  const { email } = await (async () => {
    await page.getByRole("link", { name: ref, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
    const address = await page.locator('a[title="The customer\'s page"]').textContent();
    return { email: address };
  })();
  await box.fill(email.toUpperCase());
  await box.press("Enter");
  await page.getByRole("link", { name: `The customer's page: ${email.toUpperCase()}` }).click();
  await page.getByRole("heading", { level: 1, name: email.toUpperCase() }).waitFor();
  await page.getByRole("link", { name: ref, exact: true }).waitFor();
  // Sent through the form and never confirmed: each such ticket says so.
  await page
    .locator(`tr[data-reference="${ref}"] .unverified`, { hasText: "address not verified" })
    .waitFor();
  await page.getByLabel("Note about this customer (agents only)").fill(`Prefers mail ${tag}`);
  await page.getByRole("button", { name: "Save note" }).click();
  await page.getByText("Note saved.").waitFor();
  // From the ticket, the requester's address leads to the same page and note.
  await page.evaluate((r) => (location.hash = `#/ticket/${r}`), ref);
  await page.getByRole("heading", { level: 1, name: new RegExp(ref) }).waitFor();
  await page.locator('a[title="The customer\'s page"]').click();
  await page.getByRole("heading", { level: 1, name: email }).waitFor();
  assert.equal(
    await page.getByLabel("Note about this customer (agents only)").inputValue(),
    `Prefers mail ${tag}`,
  );
  await context.close();

  // An agent of other categories finds nothing, by reference or by address.
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ben = await signIn(other, "ben");
  const bens = ben.getByRole("searchbox", { name: "Search tickets" });
  for (const q of [ref, email]) {
    await bens.fill(q);
    await bens.press("Enter");
    await ben.getByText("No ticket you can see matches.").waitFor();
  }
  await other.close();
});

test("an agent picks three tickets with a shift-click and takes them at once; one changed meanwhile is said and left", async () => {
  const tag = `${Date.now()}`;
  const refs = [];
  for (const n of [1, 2, 3]) refs.push((await submit(`Bulk ${n} ${tag}`)).reference);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate(() => (location.hash = "#/view/unassigned?category=billing&sort=newest"));
  await page.locator(`tr[data-reference="${refs[0]}"]`).waitFor();
  // Someone else changes the middle one after the queue loaded.
  const token = await demoToken("sue");
  const changed = await fetch(`${BASE}/api/agent/tickets/${refs[1]}/priority`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ priority: "high", version: 1 }),
  });
  assert.equal(changed.status, 200, await changed.text());
  await page.getByLabel(`Select ${refs[2]}`).click();
  await page.getByLabel(`Select ${refs[0]}`).click({ modifiers: ["Shift"] });
  for (const r of refs) assert.equal(await page.getByLabel(`Select ${r}`).isChecked(), true, r);
  await page.getByText("3 selected").waitFor();
  await page.getByLabel("Change", { exact: true }).selectOption({ label: "Assign to me" });
  await page.getByRole("button", { name: "Apply" }).click();
  const said = page.locator(".notice", { hasText: "2 changed." });
  await said.waitFor();
  assert.match(
    await said.textContent(),
    new RegExp(`Not changed: ${refs[1]} \\(someone changed it after you loaded it\\)`),
  );
  // The queue reloads: the two taken are gone from Unassigned, the refused one stays.
  await page.locator(`tr[data-reference="${refs[1]}"]`).waitFor();
  assert.equal(await page.locator(`tr[data-reference="${refs[0]}"]`).count(), 0);
  assert.equal(await page.locator(`tr[data-reference="${refs[2]}"]`).count(), 0);
  await context.close();
});

test("an agent tags three tickets at once, sees the tags in the queue and takes one off a ticket", async () => {
  const tag = `vip-${Date.now()}`;
  const refs = [];
  for (const n of [1, 2, 3]) refs.push((await submit(`Tag ${n} ${tag}`)).reference);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate(() => (location.hash = "#/view/unassigned?category=billing&sort=newest"));
  await page.locator(`tr[data-reference="${refs[0]}"]`).waitFor();
  await page.getByLabel(`Select ${refs[0]}`).click();
  await page.getByLabel(`Select ${refs[2]}`).click({ modifiers: ["Shift"] });
  await page.getByText("3 selected").waitFor();
  await page.getByLabel("Change", { exact: true }).selectOption({ label: "Add tag…" });
  await page.getByLabel("Tag", { exact: true }).fill(tag.toUpperCase());
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator(".notice", { hasText: "3 changed." }).waitFor();
  for (const r of refs) {
    await page.locator(`tr[data-reference="${r}"] .tag`, { hasText: tag }).waitFor();
  }
  // On the ticket: the tag, offered for the next one, and taken off with one click.
  await page.getByRole("link", { name: refs[1], exact: true }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(refs[1]) }).waitFor();
  await page.locator(`#tags-in-use option[value="${tag}"]`).waitFor({ state: "attached" });
  await page.getByRole("button", { name: `Remove tag ${tag}` }).click();
  await page.getByText(`Untagged ${tag}.`).first().waitFor();
  assert.equal(await page.getByRole("button", { name: `Remove tag ${tag}` }).count(), 0);
  await context.close();
});

/// Searches from the header box until `found` shows: the index takes a moment
/// (a few seconds at most) to show a new ticket.
async function searchUntil(page, q, found) {
  const box = page.getByRole("searchbox", { name: "Search tickets" });
  for (let i = 0; i < 20; i++) {
    await box.fill(q);
    await box.press("Enter");
    await page.getByRole("heading", { level: 1, name: /^Search/ }).waitFor();
    await page.locator(".empty, table.tickets").first().waitFor();
    if (await found.count()) return;
    await new Promise((r) => setTimeout(r, 500));
    await page.evaluate(() => (location.hash = "#/view/unassigned"));
  }
  throw new Error(`${q}: not found after 10 s`);
}

test("an agent finds tickets by a word of the mail and an order number, only in their categories, with the words marked", async () => {
  const tag = `${Date.now()}`;
  // A word of letters only, unique to this run (the last digits as letters).
  const word = `zy${[...tag.slice(-8)].map((d) => String.fromCharCode(97 + Number(d))).join("")}`;
  const { reference: ref } = await submit(
    `Kitchen trouble ${tag}`,
    "billing",
    { order_id: `A-${tag}` },
    `Both ${word}s keep smoking since the update.`,
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  const row = page.locator(`tr[data-reference="${ref}"]`);
  // The singular finds the plural; the word is marked in the snippet, as text.
  await searchUntil(page, word, row);
  const mark = page.locator("tr.snippet-row mark", { hasText: `${word}s` });
  await mark.waitFor();
  assert.equal(await mark.evaluate((m) => m.children.length), 0, "plain text inside");
  // The order number from the form's detail field.
  await searchUntil(page, `A-${tag}`, row);
  // Filters narrow the words: still new, never solved.
  await page.getByLabel("Status").selectOption({ label: "New" });
  await page.getByRole("button", { name: "Search", exact: true }).last().click();
  await row.waitFor();
  await page.getByLabel("Status").selectOption({ label: "Solved" });
  await page.getByRole("button", { name: "Search", exact: true }).last().click();
  await page.getByText("No ticket you can see matches.").waitFor();
  // From a hit to the customer's page.
  await searchUntil(page, word, row);
  await row.getByRole("link", { name: /@example\.com$/ }).click();
  await page.getByRole("heading", { level: 1, name: /@example\.com$/ }).waitFor();
  await page.getByRole("link", { name: ref, exact: true }).waitFor();
  await context.close();

  // Ben does not cover billing: the same words find nothing for him.
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ben = await signIn(other, "ben");
  const bens = ben.getByRole("searchbox", { name: "Search tickets" });
  for (const q of [word, `A-${tag}`]) {
    await bens.fill(q);
    await bens.press("Enter");
    await ben.getByText("No ticket you can see matches.").waitFor();
  }
  await other.close();
});

test("an agent tags three tickets at once, finds them by the tag and saves a view the team sees with its count", async () => {
  const tag = `batch-${Date.now()}`;
  const refs = [];
  for (const n of [1, 2, 3]) refs.push((await submit(`Saved view ${n} ${tag}`)).reference);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "ana");
  await page.evaluate(() => (location.hash = "#/view/unassigned?category=billing&sort=newest"));
  await page.locator(`tr[data-reference="${refs[0]}"]`).waitFor();
  await page.getByLabel(`Select ${refs[0]}`).click();
  await page.getByLabel(`Select ${refs[2]}`).click({ modifiers: ["Shift"] });
  await page.getByText("3 selected").waitFor();
  await page.getByLabel("Change", { exact: true }).selectOption({ label: "Add tag…" });
  await page.getByLabel("Tag", { exact: true }).fill(tag);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator(".notice", { hasText: "3 changed." }).waitFor();

  // The tag alone as the search: the index shows the three within seconds.
  const rows = page.locator("table.tickets tr[data-reference]");
  for (let i = 0; i < 20; i++) {
    await page.evaluate((t) => (location.hash = `#/search?tag=${t}&n=${Math.random()}`), tag);
    await page.getByRole("heading", { level: 1, name: "Search" }).waitFor();
    await page.locator(".empty, table.tickets").first().waitFor();
    if ((await rows.count()) === 3) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(
    (await rows.evaluateAll((rs) => rs.map((r) => r.dataset.reference))).sort(),
    [...refs].sort(),
  );
  await page.getByLabel("View name").fill(`Batch ${tag}`);
  await page.getByLabel("Shown to").selectOption({ label: "The Billing and payments team" });
  await page.getByRole("button", { name: "Save as a view" }).click();
  await page.getByText(`Saved as "Batch ${tag}".`).waitFor();
  const link = page.getByRole("link", { name: new RegExp(`Batch ${tag}`) });
  await link.locator(".count", { hasText: "3" }).waitFor();
  await context.close();

  // Sue (a supervisor) sees the team's view with its count, opens it and deletes it.
  const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sue = await signIn(other, "sue");
  const shared = sue.getByRole("link", { name: new RegExp(`Batch ${tag}`) });
  await shared.locator(".count", { hasText: "3" }).waitFor();
  await shared.click();
  await sue.getByRole("heading", { level: 1, name: `View: Batch ${tag}` }).waitFor();
  for (const r of refs) await sue.locator(`tr[data-reference="${r}"]`).waitFor();
  await sue.getByRole("button", { name: "Delete this view" }).click();
  await sue.getByText("View deleted.").waitFor();
  await shared.waitFor({ state: "detached" });
  await other.close();
});

test("an admin renames a tag on every ticket carrying it, and the reports count tickets by tag", async () => {
  const stamp = `${Date.now()}`;
  const [from, to] = [`old-${stamp}`, `new-${stamp}`];
  const token = await demoToken("sue");
  const refs = [];
  for (const n of [1, 2]) {
    const { reference } = await submit(`Rename ${n} ${stamp}`);
    const tagged = await fetch(`${BASE}/api/agent/tickets/${reference}/tags`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ version: 1, add: [from], remove: [] }),
    });
    assert.equal(tagged.status, 200, await tagged.text());
    refs.push(reference);
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context, "adam");
  const rows = page.locator("table.tickets tr[data-reference]");
  const until = async (hash, done) => {
    for (let i = 0; i < 20; i++) {
      await page.evaluate((h) => (location.hash = `${h}&n=${Math.random()}`), hash);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${hash}: not shown after 10 s`);
  };
  await until(`#/search?tag=${from}`, async () => {
    await page
      .locator(".empty, table.tickets")
      .first()
      .waitFor({ timeout: 2000 })
      .catch(() => {});
    return (await rows.count()) === 2;
  });
  await page.getByLabel(`Rename ${from} to (a tag in use merges)`).fill(to);
  await page.getByRole("button", { name: "Rename tag" }).click();
  await page.getByText("2 tickets renamed.").waitFor();
  for (const r of refs) {
    const ticket = await fetch(`${BASE}/api/agent/tickets/${r}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const tags = (await ticket.json()).ticket.tags;
    assert.deepEqual(tags, [to], r);
  }
  // The reports' table by tag, once the index has the renamed tickets.
  const row = page.locator(`section[aria-labelledby="tags-heading"] tr[data-tag="${to}"]`);
  await until("#/reports?category=billing", async () => {
    // The page loads its figures after its heading: give it a moment each round.
    await row.waitFor({ timeout: 2000 }).catch(() => {});
    return (await row.count()) === 1;
  });
  assert.deepEqual(await row.locator("td").allTextContents(), ["2", "2"]);
  await row.getByRole("link", { name: to }).click();
  await page.getByRole("heading", { level: 1, name: "Search" }).waitFor();
  await context.close();
});

test("a listed premium customer is promised premium's time, an agent changes a tier, and the reports split by tier", async () => {
  // The admin keeps the customer list; a whole public provider is refused.
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const admin = await signIn(adminContext, "adam");
  await admin.getByRole("link", { name: "Customer tiers (admin)" }).click();
  await admin.getByRole("heading", { level: 1, name: "Customer tiers" }).waitFor();
  // The demo lists @bigcorp.example as premium.
  await admin.locator('li[data-rule="@bigcorp.example"]', { hasText: "Premium" }).waitFor();
  const form = admin.getByRole("form", { name: "Add a customer" });
  await admin.getByLabel("Customer address or domain").fill("@gmail.com");
  await form.getByRole("button", { name: "Save" }).click();
  await admin.locator("#tier-error", { hasText: "gmail.com is shared" }).waitFor();
  const listed = `vip-${Date.now()}@shop.example`;
  await admin.getByLabel("Customer address or domain").fill(listed);
  await admin.getByLabel("Note").fill("Pays for priority support");
  await form.getByRole("button", { name: "Save" }).click();
  await admin
    .locator(`li[data-rule="${listed}"]`, { hasText: "Premium · Pays for priority support" })
    .waitFor();

  // A standard customer first, then one from the premium domain, a moment apart:
  // premium's first answer is due sooner whatever the time of day.
  const standard = await submit("Where is my refund?");
  const shop = await customer(browser);
  const page = await shop.newPage();
  await page.goto(`${BASE}/`);
  await page.getByRole("link", { name: /Billing and payments/ }).click();
  const premiumAddress = `cfo-${Date.now()}@bigcorp.example`;
  await page.getByLabel("Your name").fill("Carla Bigcorp");
  await page.getByLabel("Email").fill(premiumAddress);
  await page.getByLabel("Subject").fill("Invoice for our annual plan");
  await page.getByLabel("How can we help?").fill("Please send the invoice again.");
  await page.getByLabel("Order number").fill("#2002");
  await page.waitForTimeout(3200);
  const answered = page.waitForResponse(
    (r) => r.url().endsWith("/api/tickets") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Send request" }).click();
  const receipt = await (await answered).json();
  // The receipt is read by whoever typed the form in: it promises the standard
  // time (the latest anyone waits) and so tells no stranger who is listed.
  assert.ok(
    Math.abs(Date.parse(receipt.reply_by) - Date.parse(standard.reply_by)) < 5 * 60_000,
    `the same receipt: ${receipt.reply_by} and ${standard.reply_by}`,
  );
  await page.locator("#reply-by", { hasText: "We will answer by" }).waitFor();
  await shop.close();
  // The ticket itself runs premium's clock: its first answer is due sooner.
  const token = await demoToken("ana");
  const due = async (ref) => {
    const res = await fetch(`${BASE}/api/agent/tickets/${ref}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    return Date.parse((await res.json()).ticket.due_at);
  };
  assert.ok(
    (await due(receipt.reference)) < (await due(standard.reference)),
    "premium is due first",
  );
  // A confirmation goes to the address itself (its promise is the ticket's own
  // due time, premium's here: send-reply's tests hold the wording to due_at).
  let confirmation = null;
  for (let i = 0; i < 40 && !confirmation; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    confirmation = mails.find((m) => m.raw_data.includes(premiumAddress));
    if (!confirmation) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(confirmation, "a confirmation went to the premium customer");
  assert.match(confirmation.raw_data.replace(/=\r?\n/g, ""), /we will answer by/);

  // The agent sees it premium, with premium's targets, and makes another ticket premium.
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agent = await signIn(agentContext, "ana");
  await agent.goto(`${BASE}/agent/#/ticket/${receipt.reference}`);
  await agent.locator('[data-fact="tier"]', { hasText: "Premium" }).waitFor();
  await agent.getByText(/Targets \(default\): first response 2 business hours/).waitFor();
  await agent.goto(`${BASE}/agent/#/ticket/${standard.reference}`);
  await agent.locator('[data-fact="tier"]', { hasText: "Standard" }).waitFor();
  await agent.getByLabel("Tier").selectOption("premium");
  await agent.getByText("Tier changed from standard to premium").waitFor();
  await agent.locator('[data-fact="tier"]', { hasText: "Premium" }).waitFor();
  await agentContext.close();

  // The reports count premium tickets on their own row.
  await admin.goto(`${BASE}/agent/#/reports`);
  const premiumRow = admin.locator('tr[data-scope="premium"]');
  await premiumRow.waitFor();
  const opened = Number(await premiumRow.locator("td").first().textContent());
  assert.ok(opened >= 1, `premium tickets opened: ${opened}`);
  await admin.locator('tr[data-scope="standard"]').waitFor();
  await adminContext.close();
});

test("a customer rates a solved request from the mail: the link alone records nothing, one click does, and agents and reports see it", async () => {
  const created = await submit("The refund never arrived");
  const ref = created.reference;
  const token = await demoToken("ana");
  const api = (path, init = {}) =>
    fetch(`${BASE}/api/agent/tickets/${ref}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const shown = await (await api("")).json();
  const solved = await api("/replies", {
    method: "POST",
    body: JSON.stringify({
      version: shown.ticket.version,
      body: "The refund went out today.",
      solve: true,
    }),
  });
  assert.equal(solved.status, 200, await solved.text());

  // The answer's mail asks how we did, with a link per answer.
  const id = ref.replace("-", "");
  const rateLink = new RegExp(`/track/\\?ticket=${id}#token=[0-9a-f]{32}&rate=bad`);
  let link = null;
  for (let i = 0; i < 60 && !link; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    for (const m of mails) {
      const raw = m.raw_data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const found = raw.includes("How did we do?") && raw.match(rateLink);
      if (found) link = found[0];
    }
    if (!link) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(link, "the solving reply's mail has a 'Not good' link");

  const context = await customer(browser);
  const page = await context.newPage();
  await page.goto(`${BASE}${link}`);
  await page.getByRole("heading", { name: "How did we do?" }).waitFor();
  assert.equal(
    await page.getByLabel("Not good").isChecked(),
    true,
    "the mail's choice is preselected",
  );
  // Opening the link (as a mail scanner would) recorded nothing.
  assert.equal((await (await api("")).json()).ticket.rating ?? null, null);
  await page.getByLabel("Anything you want to tell us? (optional)").fill("It took three weeks.");
  await page.getByRole("button", { name: "Send rating" }).click();
  await page.getByText("Thank you for your rating!").waitFor();
  await page.getByText(/You rated our help not good on .+ You can change it until/).waitFor();
  await context.close();

  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const agent = await signIn(agentContext, "ana");
  await agent.goto(`${BASE}/agent/#/ticket/${ref}`);
  await agent
    .locator('[data-fact="rating"]', { hasText: "Not good: “It took three weeks.”" })
    .waitFor();
  await agent.getByText("The customer rated our help: bad.").waitFor();
  await agentContext.close();

  const supervisorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const supervisor = await signIn(supervisorContext, "sue");
  await supervisor.goto(`${BASE}/agent/#/reports`);
  await supervisor.getByRole("heading", { name: "What customers said" }).waitFor();
  await supervisor
    .locator(`li[data-rating="${ref}"]`, { hasText: "It took three weeks." })
    .waitFor();
  const billing = supervisor.locator('tr[data-scope="billing"]');
  assert.match(await billing.textContent(), /% of \d+/, "the category's satisfaction");
  await supervisorContext.close();
});

test("one mailed link opens all of an address's requests, open and solved, and each from there", async () => {
  const email = `mine-${Date.now()}@example.com`;
  const send = async (subject) => {
    const { status, text } = await postFrom(`${BASE}/api/tickets`, {
      category: "billing",
      name: "Mina Customer",
      email,
      subject,
      description: "Details inside.",
      details: { order_id: "#3003" },
      elapsed_ms: 9000,
    });
    assert.equal(status, 201, text);
    return JSON.parse(text);
  };
  const open = await send("Second invoice missing");
  const done = await send("Wrong delivery address");
  const token = await demoToken("ana");
  const shown = await (
    await fetch(`${BASE}/api/agent/tickets/${done.reference}`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const solved = await fetch(`${BASE}/api/agent/tickets/${done.reference}/status`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ version: shown.ticket.version, status: "resolved" }),
  });
  assert.equal(solved.status, 200, await solved.text());

  // Ana takes the open one: the customer's page names her.
  const openShown = await (
    await fetch(`${BASE}/api/agent/tickets/${open.reference}`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const taken = await fetch(`${BASE}/api/agent/tickets/${open.reference}/assignee`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ version: openShown.ticket.version, agent: "ana" }),
  });
  assert.equal(taken.status, 200, await taken.text());

  const context = await customer(browser);
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  // For people who prefer mail, the addresses we read.
  await page.getByRole("heading", { name: "Prefer email?" }).waitFor();
  await page.getByRole("link", { name: "billing@helpdesk.test" }).waitFor();
  await page.getByLabel("Your email").fill(email);
  await page.getByRole("button", { name: "Send me my links" }).click();
  await page.getByText("we have mailed it a link to all of them").waitFor();
  const link = await linksMailPage(email);
  assert.ok(link, "the links mail has one link to all requests");
  await page.goto(`${BASE}${link}`);
  await page.getByRole("heading", { level: 1, name: "Your requests" }).waitFor();
  const open_ = page.locator(`li[data-reference="${open.reference}"]`);
  const solved_ = page.locator(`li[data-reference="${done.reference}"]`);
  await open_.waitFor();
  assert.match(await solved_.textContent(), /solved/i);
  await solved_.getByRole("link", { name: "Wrong delivery address" }).click();
  await page.getByRole("heading", { level: 1, name: "Wrong delivery address" }).waitFor();
  await page.goBack();
  await open_.getByRole("link", { name: "Second invoice missing" }).click();
  await page.getByRole("heading", { level: 1, name: "Second invoice missing" }).waitFor();
  await page.getByText("assigned to Ana").waitFor();
  await context.close();
});

test("a supervisor writes an answer with a preview; it has its own page, a reply links it, and an unanswered search leads to writing one", async () => {
  // A search that finds nothing, as a customer types it.
  const words = `hovercraft courier ${Date.now()}`;
  const searched = await fetch(
    `${BASE}/api/faq?category=billing&q=${encodeURIComponent(`${words} `)}`,
  );
  assert.equal(searched.status, 200);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sue = await signIn(context, "sue");
  await sue.goto(`${BASE}/agent/#/reports`);
  const unanswered = sue.locator("tr", { hasText: words });
  await unanswered.getByRole("link", { name: "Write an answer for this" }).click();
  await sue.getByRole("heading", { level: 2, name: "Write an answer" }).waitFor();
  assert.equal(await sue.getByLabel("Question", { exact: true }).inputValue(), words);

  const question = `Do you deliver by hovercraft? ${Date.now()}`;
  await sue.getByLabel("Question", { exact: true }).fill(question);
  await sue
    .getByLabel("Answer (a blank line starts a paragraph)")
    .fill("Not yet.\n\nWe ship with ordinary carriers only.");
  const preview = sue.getByLabel("Preview of its page");
  await preview.getByRole("heading", { name: question }).waitFor();
  await preview.getByText("We ship with ordinary carriers only.").waitFor();
  await sue.getByLabel("Published (customers read it)").check();
  await sue.getByRole("button", { name: "Save", exact: true }).click();
  const item = sue.locator("li[data-faq]", { hasText: question });
  await item.getByText("Published").waitFor();
  const href = await item.getByRole("link", { name: "Its page" }).getAttribute("href");
  const id = new URL(href, BASE).searchParams.get("a");
  await context.close();

  // The customer reads it on its own page and says it helped.
  const shop = await customer(browser);
  const page = await shop.newPage();
  await page.goto(`${BASE}${href}`);
  await page.getByRole("heading", { level: 1, name: question }).waitFor();
  await page.getByText("We ship with ordinary carriers only.").waitFor();
  await page.getByRole("heading", { name: "Related answers" }).waitFor();
  await page.getByRole("button", { name: "Yes" }).click();
  await page.getByText("Thank you! Glad it helped.").waitFor();
  await shop.close();

  // An agent's reply links it: the mail carries its page.
  const created = await submit("Delivery by hovercraft?");
  const token = await demoToken("ana");
  const shown = await (
    await fetch(`${BASE}/api/agent/tickets/${created.reference}`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const replied = await fetch(`${BASE}/api/agent/tickets/${created.reference}/replies`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      version: shown.ticket.version,
      body: `Please read {{faq:${id}}} for the details.`,
    }),
  });
  assert.equal(replied.status, 200, await replied.text());
  let linked = false;
  for (let i = 0; i < 60 && !linked; i++) {
    const mails = await (await fetch(`${BASE}/dev/mail.json`)).json();
    linked = mails.some((m) =>
      m.raw_data
        .replace(/=\r?\n/g, "")
        .replace(/=3D/g, "=")
        .includes(`/answers/?a=${id} for the details`),
    );
    if (!linked) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(linked, "the reply's mail links the answer's page");
});

test("admins give a category and an answer German words; a German visitor reads the help center, the form, the tracking page and the page of all their requests in German, can switch, and gets German mail", async () => {
  const n = `${Date.now() % 1000000}`;
  const slug = `shipping-${n}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const adam = await signIn(context, "adam");
  await adam.getByRole("link", { name: "Categories (admin)" }).click();
  await adam.getByRole("button", { name: "New category" }).click();
  await adam.getByLabel("Slug (a-z, 0-9, -)").fill(slug);
  await adam.getByLabel("Name", { exact: true }).fill(`Shipping ${n}`);
  await adam.getByLabel("SLA policy").selectOption("default");
  await adam.getByLabel("Hints (one per line)", { exact: true }).fill("Have your parcel at hand");
  await adam.getByLabel("Name in German").fill(`Versand ${n}`);
  await adam
    .getByLabel("Hints in German (one per line; empty: the hints above)")
    .fill("Halten Sie Ihr Paket bereit");
  await adam.getByRole("button", { name: "Add field" }).click();
  await adam.getByLabel("Key (a-z, 0-9, _)").fill("parcel");
  await adam.getByLabel("Label", { exact: true }).fill("Parcel number");
  await adam.getByLabel("Label in German (empty: the label above)").fill("Sendungsnummer");
  // A choice, its options said otherwise in German (what is sent stays the option).
  await adam.getByRole("button", { name: "Add field" }).click();
  const carrier = adam.locator(".field-row").nth(1);
  await carrier.getByLabel("Key (a-z, 0-9, _)").fill("carrier");
  await carrier.getByLabel("Label", { exact: true }).fill("Carrier");
  await carrier.getByLabel("Type").selectOption("choice");
  await carrier.getByLabel("Options (one per line)").fill("Post\nCourier");
  await carrier.getByLabel("Label in German (empty: the label above)").fill("Zusteller");
  await carrier
    .getByLabel(
      "Options in German (one per line: Option = German; an option left out reads as written)",
    )
    .fill("Courier = Kurier");
  await adam.getByRole("button", { name: "Save category" }).click();
  await adam.locator(`li[data-category="${slug}"]`).waitFor();
  // Opened again, the form shows what was saved.
  await adam
    .locator(`li[data-category="${slug}"]`)
    .getByRole("button", { name: /^Edit / })
    .click();
  assert.equal(await adam.getByLabel("Name in German").inputValue(), `Versand ${n}`);
  assert.equal(
    await adam.getByLabel("Label in German (empty: the label above)").first().inputValue(),
    "Sendungsnummer",
  );
  assert.equal(
    await adam
      .getByLabel(/^Options in German/)
      .nth(1)
      .inputValue(),
    "Courier = Kurier",
  );

  await context.close();

  // A supervisor writes an answer with its German words (her own session).
  const context2 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sue = await signIn(context2, "sue");
  await sue.goto(`${BASE}/agent/#/faq?category=billing`);
  await sue.getByRole("heading", { level: 2, name: "Write an answer" }).waitFor();
  const question = `Do you ship by bicycle ${n}?`;
  const frage = `Liefern Sie per Fahrrad ${n}?`;
  await sue.getByLabel("Question", { exact: true }).fill(question);
  await sue.getByLabel("Answer (a blank line starts a paragraph)").fill("In Berlin, yes.");
  await sue.getByText("In German (optional)").click();
  await sue.getByLabel("Question in German").fill(frage);
  await sue.getByLabel("Answer in German").fill("In Berlin, ja.");
  await sue.getByLabel("Published (customers read it)").check();
  await sue.getByRole("button", { name: "Save", exact: true }).click();
  const item = sue.locator("li[data-faq]", { hasText: question });
  await item.getByText("Published").waitFor();
  const href = await item.getByRole("link", { name: "Its page" }).getAttribute("href");
  await context2.close();

  // A warm function keeps the categories for a minute: wait until it shows the new one.
  for (let i = 0; i < 75; i++) {
    const listed = await (
      await fetch(`${BASE}/api/categories`, { headers: { "accept-language": "de" } })
    ).json();
    if (listed.categories.some((c) => c.name === `Versand ${n}`)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }

  // A visitor whose browser prefers German.
  const visitor = await customer(browser, { locale: "de-DE", timezoneId: "Europe/Vienna" });
  const page = await visitor.newPage();
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { level: 1, name: "Wie können wir helfen?" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "de");
  await page.getByText("Montag bis Freitag, 09:00–17:00 Uhr (Zeitzone Europe/Berlin)").waitFor();
  await page
    .getByText(
      "Wir antworten innerhalb von 24 Stunden in unseren Geschäftszeiten, Premium-Kunden innerhalb von 2 Stunden in unseren Geschäftszeiten.",
    )
    .first()
    .waitFor();
  await page.getByRole("heading", { name: "Haben Sie uns schon geschrieben?" }).waitFor();
  await page.getByRole("link", { name: new RegExp(`Versand ${n}`) }).click();
  await page.getByRole("heading", { level: 1, name: `Versand ${n}` }).waitFor();
  assert.equal(await page.title(), `Versand ${n} – Kontakt`);
  await page.getByText("Halten Sie Ihr Paket bereit").waitFor();
  // Every field has a German label.
  const labels = await page.$$eval("form#request label", (els) =>
    els.filter((e) => !e.closest(".hp")).map((e) => e.textContent.trim()),
  );
  assert.deepEqual(labels, [
    "Ihr Name",
    "E-Mail",
    "Betreff",
    "Wie können wir helfen?",
    "Sendungsnummer",
    "Zusteller",
    "Dateien anhängen (freiwillig)",
  ]);
  assert.deepEqual(await page.getByLabel("Zusteller").locator("option").allTextContents(), [
    "Bitte wählen…",
    "Post",
    "Kurier",
  ]);
  const address = `paket-${n}@kunden.example`;
  await page.getByLabel("Ihr Name").fill("Jonas Beispiel");
  await page.getByLabel("E-Mail", { exact: true }).fill("paket@");
  await page.getByLabel("Betreff").fill("Paket nicht angekommen");
  await page.getByLabel("Wie können wir helfen?").fill("Mein Paket ist nicht angekommen.");
  await page.getByLabel("Sendungsnummer").fill("DE-123");
  await page.getByLabel("Zusteller").selectOption({ label: "Kurier" });
  await page.waitForTimeout(3200);
  await page.getByRole("button", { name: "Anfrage senden" }).click();
  // The server's reason, in German, next to its field.
  await page
    .locator("#email-error", {
      hasText: "E-Mail: Eine E-Mail-Adresse sieht aus wie name@example.com, mit einem @.",
    })
    .waitFor();
  await page.getByText("Bitte prüfen Sie die markierten Felder.").waitFor();
  await page.getByLabel("E-Mail", { exact: true }).fill(address);
  await page.getByRole("button", { name: "Anfrage senden" }).click();
  await page
    .getByRole("heading", { name: "Vielen Dank – wir haben Ihre Anfrage erhalten" })
    .waitFor();
  // The promise in the visitor's own locale and time zone, named: "7. Dez. 2026, 10:00 MEZ".
  assert.match(
    await page.locator("#reply-by").textContent(),
    /^Wir antworten Ihnen spätestens bis \d{1,2}\. \S+ \d{4}.* \d{2}:\d{2} (MEZ|MESZ)\.$/,
  );
  const reference = await page.locator("#reference").textContent();

  // The tracking page in German; the switch turns it into English and back.
  await page.getByRole("link", { name: "Ihre Anfrage verfolgen" }).click();
  await page.locator("#ticket").waitFor({ state: "visible" });
  assert.equal(await page.locator("#status").textContent(), "eingegangen");
  await page.getByRole("heading", { name: "Verlauf" }).waitFor();
  await page.getByRole("button", { name: "Nachricht senden" }).waitFor();
  assert.match(await page.locator("#thread > li").first().textContent(), /^Sie · /);
  // A typed message is not lost to a switch without asking; declined, nothing changes.
  await page.getByLabel("Nachricht hinzufügen").fill("Noch eine Frage");
  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole("button", { name: "English" }).click();
  await page.waitForTimeout(300);
  assert.match(asked, /^Ein Sprachwechsel lädt diese Seite neu/);
  assert.equal(await page.getByLabel("Nachricht hinzufügen").inputValue(), "Noch eine Frage");
  await page.getByLabel("Nachricht hinzufügen").fill("");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("button", { name: "Send message" }).waitFor();
  assert.equal(await page.locator("#status").textContent(), "received");
  assert.equal(
    await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed"),
    "true",
  );
  // The choice is kept: the help center is English now, the category as written.
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { level: 1, name: "How can we help?" }).waitFor();
  await page.getByRole("link", { name: new RegExp(`Shipping ${n}`) }).waitFor();
  await page.getByRole("button", { name: "Deutsch" }).click();
  await page.getByRole("heading", { level: 1, name: "Wie können wir helfen?" }).waitFor();

  // The answer's own page in German.
  await page.goto(`${BASE}${href}`);
  await page.getByRole("heading", { level: 1, name: frage }).waitFor();
  await page.getByText("In Berlin, ja.").waitFor();
  await page.getByRole("button", { name: "Ja", exact: true }).click();
  await page.getByText("Vielen Dank! Schön, dass es geholfen hat.").waitFor();

  // Lost the link? The links mail is German, and so is the page of all requests.
  await page.goto(`${BASE}/`);
  await page.getByLabel("Ihre E-Mail-Adresse").fill(address);
  await page.getByRole("button", { name: "Meine Links schicken" }).click();
  await page.getByText("Falls wir Anfragen von dieser Adresse haben").waitFor();
  const mine = await linksMailPage(address, "Subject: Ihre Links zu Ihren Anfragen");
  assert.ok(mine, "a German links mail with one link to all requests");
  await page.goto(`${BASE}${mine}`);
  await page.getByRole("heading", { level: 1, name: "Ihre Anfragen" }).waitFor();
  assert.match(
    await page.locator(`li[data-reference="${reference}"]`).textContent(),
    /· eingegangen · zuletzt geändert am /,
  );
  await visitor.close();

  // The confirmation mail is German too, and says so in its header.
  const mail = await mailTo(address, "Wir haben Ihre Anfrage erhalten");
  assert.ok(mail, "a confirmation went out");
  const raw = mail.raw_data.replace(/=\r?\n/g, "");
  assert.match(raw, /Content-Language: de/);
  assert.match(raw, /Wir antworten Ihnen sp.*Uhr \(Europe\/Vienna\)/);
  assert.match(raw, /Subject: .*Wir haben Ihre Anfrage erhalten/);
  assert.ok(raw.includes(reference.replace("-", "")) || raw.includes(reference));
});
