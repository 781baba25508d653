// The help center as a customer uses it, in headless Chromium against the local
// runner (BASE_URL, started by scripts/test.sh with the local stack).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BASE, customer, demoToken, launchChromium, mailTo } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

// The form refuses submissions faster than a person can type (bot screening).
const HUMAN_PAUSE_MS = 3200;

test("choose a category, fix a validation message, submit, follow the request", async () => {
  const page = await (await customer(browser)).newPage();
  await page.goto(`${BASE}/`);
  // Service hours and reply times come from the SLA calendar.
  await page.getByText("Monday to Friday, 09:00–17:00 (Europe/Berlin time)").waitFor();
  await page
    .getByText("We answer within 24 business hours; premium customers within 2 business hours.")
    .waitFor();
  await page.getByRole("link", { name: /Technical problem/ }).click();
  await page.getByRole("heading", { level: 1, name: "Technical problem" }).waitFor();

  // Every field has a label a screen reader announces.
  const unlabelled = await page.$$eval(
    "form input:not([tabindex='-1']), form select, form textarea",
    (els) =>
      els.filter((e) => e.labels.length === 0 || !e.labels[0].textContent.trim()).map((e) => e.id),
  );
  assert.deepEqual(unlabelled, []);

  await page.getByLabel("Your name").fill("Jane Customer");
  await page.getByLabel("Email").fill("jane@");
  await page.getByLabel("Subject").fill("Kettle switches off early");
  await page.getByLabel("How can we help?").fill("It stops before the water boils.");
  await page.waitForTimeout(HUMAN_PAUSE_MS);
  await page.getByRole("button", { name: "Send request" }).click();

  // The server's reasons appear next to their fields, and focus moves to the first.
  const emailError = page.locator("#email-error");
  await emailError.waitFor({ state: "visible" });
  assert.match(await emailError.textContent(), /Email .*name@example\.com/);
  assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
  assert.equal(
    await page.locator("#detail-model-error").textContent(),
    "Product model is required",
  );
  assert.equal(await page.evaluate(() => document.activeElement.id), "email");

  // An address of this run's own: the hourly per-address limits must not count
  // earlier runs on the same stack.
  const jane = `jane-${Date.now()}@example.com`;
  await page.getByLabel("Email").fill(jane);
  await page.getByLabel("Product model").selectOption("Kettle K2");
  // A photo, uploaded from the browser straight to the attachments bucket.
  await page.getByLabel("Attach files (optional)").setInputFiles({
    name: "kettle.png",
    mimeType: "image/png",
    buffer: Buffer.from("not really a png"),
  });
  await page.getByText("kettle.png — uploaded").waitFor();
  await page.getByRole("button", { name: "Send request" }).click();

  const reference = page.locator("#reference");
  await reference.waitFor({ state: "visible" });
  const shown = await reference.textContent();
  assert.match(shown, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.equal(await page.locator("#sent-to").textContent(), jane);
  assert.match(
    await page.locator("#reply-by").textContent(),
    /^We will answer by .+ at the latest\.$/,
  );

  await page.getByRole("link", { name: "Follow your request" }).click();
  await page.locator("#ticket").waitFor({ state: "visible" });
  // The form's own link: our answers appear once the link we mailed is opened.
  await page.locator("#verify-note").waitFor();
  assert.equal(await page.locator("#subject").textContent(), "Kettle switches off early");
  assert.equal(await page.locator("#status").textContent(), "received");
  assert.equal(await page.locator("#reference").textContent(), shown);
  assert.match(await page.locator("#thread").textContent(), /It stops before the water boils\./);
  const file = page.getByRole("link", { name: "kettle.png (16 bytes)" });
  await file.waitFor();
  assert.match(await file.getAttribute("href"), /response-content-disposition=attachment/);

  // Reply from the tracking page: an empty message is refused next to the box.
  await page.getByRole("button", { name: "Send message" }).click();
  await page.locator("#reply-error", { hasText: "Your message is empty" }).waitFor();
  assert.equal(await page.getByLabel("Add a message").getAttribute("aria-invalid"), "true");
  await page.getByLabel("Add a message").fill("It also smells a bit.");
  await page
    .getByLabel("Attach files (optional)")
    .setInputFiles({ name: "smell.txt", mimeType: "text/plain", buffer: Buffer.from("burnt") });
  await page.getByText("smell.txt — uploaded").waitFor();
  await page.getByRole("button", { name: "Send message" }).click();
  await page.getByText("Your message was added.").waitFor();
  assert.equal(await page.locator("#thread > li").count(), 2);
  assert.match(
    await page.locator("#thread > li").nth(1).textContent(),
    /^You · .*It also smells a bit\./s,
  );
  await page.getByRole("link", { name: "smell.txt (5 bytes)" }).waitFor();
  // Not solved yet, so no confirmation buttons.
  assert.equal(await page.getByRole("button", { name: "Yes, it's solved" }).isVisible(), false);
  await page.close();
});

test("the FAQ suggests answers as the customer types", async () => {
  const page = await (await customer(browser)).newPage();
  await page.goto(`${BASE}/`);
  // The start page lists top questions across categories.
  await page.locator("#top details").first().waitFor();
  assert.ok((await page.locator("#top details").count()) >= 3);
  await page.getByRole("link", { name: /Billing and payments/ }).click();
  const search = page.getByLabel("Search our answers");
  await search.waitFor(); // typing only reaches a visible box
  await search.pressSequentially("refun", { delay: 30 });
  const suggestion = page.locator("#faq-results summary", {
    hasText: "How long does a refund take?",
  });
  await suggestion.waitFor();
  await page.getByText("1 possible answer(s) below.").waitFor();
  await suggestion.click();
  await page.getByText("Refunds reach your account 3 to 5 business days").waitFor();
  await search.fill("teleport my parcel");
  await page.getByText("No answer found — please write to us below.").waitFor();
  await page.close();
});

/// The billing answer's figures in the supervisors' report (zeros if none yet).
async function answerFigures(ref) {
  const token = await demoToken("sue");
  const res = await fetch(`${BASE}/api/agent/reports?category=billing`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const report = await res.json();
  const row = report.faq.ended_without_ticket.find((a) => `${a.category}/${a.entry}` === ref);
  return row
    ? { opened: row.opened, then_ticket: row.then_ticket, without_ticket: row.without_ticket }
    : { opened: 0, then_ticket: 0, without_ticket: 0 };
}

test("the answers visitors read are counted, and whether they still wrote to us", async () => {
  // Visit 1 reads the first billing answer (twice: counted once) and leaves.
  const reader = await customer(browser);
  const first = await reader.newPage();
  await first.goto(`${BASE}/new/?category=billing`);
  const answer = first.locator("#faq-results details").first();
  await answer.waitFor();
  const ref = `billing/${await answer.getAttribute("data-faq")}`;
  const before = await answerFigures(ref);
  const counted = first.waitForResponse((r) => r.url().endsWith("/api/faq/reads"));
  await answer.locator("summary").click();
  assert.equal((await counted).status(), 204);
  await answer.locator("summary").click();
  await answer.locator("summary").click();
  await reader.close();

  // Visit 2 reads it too, then writes anyway.
  const writer = await customer(browser);
  const page = await writer.newPage();
  await page.goto(`${BASE}/new/?category=billing`);
  const same = page.locator(`#faq-results details[data-faq="${ref.split("/")[1]}"]`);
  const counted2 = page.waitForResponse((r) => r.url().endsWith("/api/faq/reads"));
  await same.locator("summary").click();
  await counted2;
  await page.getByLabel("Your name").fill("Jane Customer");
  // An address of this run's own (the hourly per-address limit counts every run on a stack).
  await page.getByLabel("Email").fill(`reader-${Date.now()}@example.com`);
  await page.getByLabel("Subject").fill("The refund answer did not help");
  await page.getByLabel("How can we help?").fill("It has been two weeks.");
  await page.getByLabel("Order number").fill("#1001");
  await page.waitForTimeout(HUMAN_PAUSE_MS);
  await page.getByRole("button", { name: "Send request" }).click();
  await page.locator("#reference").waitFor({ state: "visible" });
  await writer.close();

  const after = await answerFigures(ref);
  assert.deepEqual(
    {
      opened: after.opened - before.opened,
      then_ticket: after.then_ticket - before.then_ticket,
      without_ticket: after.without_ticket - before.without_ticket,
    },
    { opened: 2, then_ticket: 1, without_ticket: 1 },
  );
});

test("the form works with the keyboard alone", async () => {
  const page = await (await customer(browser)).newPage();
  await page.goto(`${BASE}/`);
  // Tab past the language switch (English, Deutsch) to the first category and
  // open it with Enter.
  await page.getByRole("link", { name: /Billing and payments/ }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "English");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Billing and payments" }).waitFor();
  await page.locator("#name").waitFor({ state: "visible" });
  // From the FAQ search box, Tab walks past the answers into the form, in order.
  await page.locator("#faq-results details").first().waitFor();
  await page.locator("#faq-results summary").last().focus();
  for (const text of [
    "Ana Keyboard",
    `ana-${Date.now()}@example.com`,
    "Invoice copy",
    "Please send my invoice again.",
    "#A-1001",
  ]) {
    await page.keyboard.press("Tab");
    await page.keyboard.type(text);
  }
  await page.waitForTimeout(HUMAN_PAUSE_MS);
  await page.keyboard.press("Enter");
  await page.locator("#reference").waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "done");
  await page.close();
});

test("a wrong tracking link says so, shows nothing and offers a fresh link", async () => {
  const page = await (await customer(browser)).newPage();
  await page.goto(`${BASE}/track/?ticket=K7Q4M2XP9H#token=0123456789abcdef0123456789abcdef`);
  await page.getByText("This link is not valid or has expired.").waitFor();
  assert.equal(await page.locator("#ticket").isVisible(), false);
  await page.getByRole("link", { name: "Get a fresh link by email" }).click();
  const email = page.getByLabel("Your email");
  await email.fill("jane@");
  await page.getByRole("button", { name: "Send me my links" }).click();
  await page.locator("#links-email-error", { hasText: "Email" }).waitFor();
  await email.fill(`jane-${Date.now()}@example.com`);
  await page.getByRole("button", { name: "Send me my links" }).click();
  await page
    .getByText("If we have requests from this address, we have mailed it a link to all of them.")
    .waitFor();
  await page.close();
});

test("a visitor whose browser prefers German gets the confirmation in German, and the agent sees the language", async () => {
  const visitor = await customer(browser, { locale: "de-DE", timezoneId: "America/New_York" });
  const page = await visitor.newPage();
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { level: 1, name: "Wie können wir helfen?" }).waitFor();
  await page.getByRole("link", { name: /Billing and payments/ }).click();
  const address = `jana-${Date.now()}@kunden.example`;
  await page.getByLabel("Ihr Name").fill("Jana Beispiel");
  await page.getByLabel("E-Mail", { exact: true }).fill(address);
  await page.getByLabel("Betreff").fill("Rechnung doppelt bezahlt");
  await page.getByLabel("Wie können wir helfen?").fill("Ich habe die Rechnung zweimal bezahlt.");
  // A label no admin gave in German reads as written.
  await page.getByLabel("Order number").fill("#3003");
  await page.waitForTimeout(3200);
  const answered = page.waitForResponse(
    (r) => r.url().endsWith("/api/tickets") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Anfrage senden" }).click();
  const receipt = await (await answered).json();
  await visitor.close();
  const mail = await mailTo(address, "Wir haben Ihre Anfrage erhalten");
  assert.ok(mail, "a confirmation went out");
  const raw = mail.raw_data.replace(/=\r?\n/g, "");
  assert.match(raw, /Subject: .*Wir haben Ihre Anfrage erhalten/);
  assert.match(raw, /Wie es weitergeht: Wir antworten Ihnen sp/);
  // The promised time in the visitor's own time zone, as their browser named it.
  assert.match(raw, / Uhr \(America\/New_York\)/);
  assert.doesNotMatch(raw, /We received your request/);
  const token = await demoToken("ana");
  const shown = await (
    await fetch(`${BASE}/api/agent/tickets/${receipt.reference}`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  assert.equal(shown.ticket.language, "de");
});
