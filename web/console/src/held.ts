// Held mail, for supervisors and admins: what the desk quarantined and why, a safe
// look at one (its text, and its formatting in a sandboxed frame without remote
// images), releasing it into a ticket, and rules that block a sender or domain or
// always allow it past a spam verdict.
import { ApiError, client, completed, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, toast, when } from "./dom";

type S = components["schemas"];

const REASONS: Record<string, string> = {
  spam: "Spam verdict",
  virus: "Virus",
  unreadable: "Unreadable",
  automatic: "Automatic mail",
  spoofed: "Forged sender",
  blocked: "Blocked sender",
};

function reasonText(h: S["HeldJson"]): string {
  const name = REASONS[h.reason] ?? h.reason;
  return h.detail ? `${name} (${h.detail})` : name;
}

function senderDomain(from: string | null | undefined): string | null {
  const at = from?.lastIndexOf("@") ?? -1;
  return from && at > 0 ? `@${from.slice(at + 1)}` : null;
}

const RANGES = [1, 7, 14, 30];

export async function renderHeld(main: HTMLElement, query: URLSearchParams): Promise<void> {
  clear(main);
  const asked = Number.parseInt(query.get("days") ?? "", 10);
  const days = RANGES.includes(asked) ? asked : 7;
  const heading = el("h1", { tabindex: "-1", text: "Held mail" });
  const [first, { rules }] = await Promise.all([
    data(client.GET("/api/agent/quarantine", { params: { query: { days } } })),
    data(client.GET("/api/agent/sender-rules")),
  ]);
  const range = el("select", { id: "held-days" });
  for (const d of RANGES) {
    const option = el("option", { value: String(d), text: `Last ${d} day${d === 1 ? "" : "s"}` });
    if (d === days) option.selected = true;
    range.append(option);
  }
  on(range, "change", () => {
    location.hash = `#/held?days=${range.value}`;
  });
  const intro = el("p", {
    class: "hint",
    text: "Mail that never became a ticket, kept 30 days. Release a real mail into a ticket (its sender gets the usual confirmation, unless it is automatic mail); a virus, an unreadable or a forged mail is never released.",
  });
  const detail = el("section", { class: "held-detail", "aria-live": "polite" });
  const caption = el("caption");
  const body = el("tbody");
  const table = el(
    "table",
    { class: "held" },
    caption,
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", text: "Received" }),
        el("th", { scope: "col", text: "From" }),
        el("th", { scope: "col", text: "Subject" }),
        el("th", { scope: "col", text: "Why" }),
        el("th", { scope: "col", text: "" }),
      ),
    ),
    body,
  );
  const more = el("button", { type: "button", class: "secondary", text: "Show older" });
  let shown = 0;
  const add = (page: S["HeldListJson"]) => {
    for (const h of page.items) body.append(heldRow(h, detail, main));
    shown += page.items.length;
    caption.textContent = page.next ? `${shown} held, more older` : `${shown} held`;
    more.hidden = !page.next;
    more.dataset.next = page.next ?? "";
  };
  on(more, "click", async () => {
    more.setAttribute("disabled", "");
    try {
      const before = more.dataset.next || undefined;
      add(await data(client.GET("/api/agent/quarantine", { params: { query: { days, before } } })));
    } catch (e) {
      toast(e instanceof ApiError ? e.message : "Older held mail could not be loaded.");
    } finally {
      more.removeAttribute("disabled");
    }
  });
  add(first);
  main.append(
    heading,
    intro,
    el("div", { class: "field" }, el("label", { for: "held-days", text: "Show" }), range),
    first.items.length
      ? el("div", {}, table, more)
      : el("p", { text: "Nothing held in this time." }),
    detail,
    rulesSection(rules, main, query),
  );
  heading.focus();
}

function heldRow(h: S["HeldJson"], detail: HTMLElement, main: HTMLElement): HTMLElement {
  const look = el("button", { type: "button", class: "secondary", text: "Look" });
  on(look, "click", () => void showOne(detail, h, main));
  return el(
    "tr",
    { "data-held": h.ses_id },
    el("td", { text: when(h.received_at) }),
    el("td", { text: h.from ?? "—" }),
    el("td", { text: h.subject || "(no subject)" }),
    el(
      "td",
      {},
      reasonText(h),
      h.released_by
        ? el("span", {
            class: "hint",
            text: h.releasable
              ? ` · released by ${h.released_by}`
              : ` · released by ${h.released_by}, then held again`,
          })
        : null,
    ),
    el("td", {}, look),
  );
}

async function showOne(box: HTMLElement, h: S["HeldJson"], main: HTMLElement): Promise<void> {
  clear(box);
  const shown = await data(
    client.GET("/api/agent/quarantine/{ses_id}", { params: { path: { ses_id: h.ses_id } } }),
  ).catch((e: unknown) => {
    toast(e instanceof ApiError ? e.message : "The mail could not be loaded.");
    return null;
  });
  if (!shown) return;
  const o = shown.original;
  const title = el("h2", { tabindex: "-1", text: o?.subject || h.subject || "(no subject)" });
  box.append(title, el("p", { text: `${reasonText(h)} · received ${when(h.received_at)}` }));
  if (!o) {
    box.append(el("p", { text: "The original is no longer kept or cannot be read." }));
  } else {
    box.append(
      el("p", { text: `From ${o.from_name ? `${o.from_name} <${o.from}>` : o.from}` }),
      el("p", { text: `To ${o.to.join(", ") || "—"}` }),
      el("pre", { class: "held-text", text: o.text || "(no text)" }),
    );
    if (o.attachments.length) {
      box.append(el("p", { text: `Attachments (not opened): ${o.attachments.join(", ")}` }));
    }
    if (o.html) {
      // Sanitized, remote images removed, and in a frame that runs nothing.
      const frame = el("iframe", {
        sandbox: "",
        referrerpolicy: "no-referrer",
        title: "The held mail, as formatted",
      });
      frame.srcdoc = o.html;
      box.append(
        el(
          "details",
          { class: "formatted" },
          el("summary", {
            text: `Show as formatted${o.blocked_images ? ` (${o.blocked_images} remote image(s) removed)` : ""}`,
          }),
          frame,
        ),
      );
    }
  }
  const actions = el("div", { class: "actions" });
  if (h.releasable) {
    // Released before: asking again hands it over again (one ticket however
    // often), for the rare hand-over that did not go through.
    const label = h.released_by ? "Hand over again" : "Release into a ticket";
    const release = el("button", { type: "button", text: label });
    on(release, "click", async () => {
      release.setAttribute("disabled", "");
      try {
        await data(
          client.POST("/api/agent/quarantine/{ses_id}/release", {
            params: { path: { ses_id: h.ses_id } },
          }),
        );
        toast("Released: it becomes a ticket in a moment.");
        await renderHeld(main, new URLSearchParams(location.hash.split("?")[1] ?? ""));
      } catch (e) {
        release.removeAttribute("disabled");
        toast(e instanceof ApiError ? e.message : "It could not be released.");
      }
    });
    if (h.released_by) {
      actions.append(
        el("p", {
          class: "hint",
          text: `Released by ${h.released_by}${h.released_at ? `, ${when(h.released_at)}` : ""}. No ticket after a minute? Hand it over again.`,
        }),
      );
    }
    actions.append(release);
  } else {
    actions.append(el("p", { class: "hint", text: "This kind of mail is never released." }));
  }
  // A forged From names someone else: a rule on it would judge them, not the forger.
  const domain = senderDomain(h.from);
  const rules =
    h.reason === "spoofed"
      ? []
      : ([
          [h.from, "block", `Block ${h.from}`],
          [domain, "block", `Block ${domain}`],
          [h.from, "allow", `Always allow ${h.from}`],
        ] as const);
  for (const [pattern, verdict, label] of rules) {
    if (!pattern) continue;
    const button = el("button", { type: "button", class: "secondary", text: label });
    on(button, "click", () => void setRule(pattern, verdict, main));
    actions.append(button);
  }
  box.append(actions);
  title.focus();
}

async function setRule(pattern: string, verdict: "block" | "allow", main: HTMLElement) {
  try {
    await data(client.PUT("/api/agent/sender-rules", { body: { pattern, verdict } }));
    toast(`${verdict === "block" ? "Blocked" : "Always allowed"}: ${pattern} (within a minute)`);
    await renderHeld(main, new URLSearchParams(location.hash.split("?")[1] ?? ""));
  } catch (e) {
    toast(e instanceof ApiError ? e.message : "The rule was not saved.");
  }
}

function rulesSection(rules: S["RuleJson"][], main: HTMLElement, query: URLSearchParams) {
  const list = el("ul", { class: "rules" });
  for (const r of rules) {
    const remove = el("button", { type: "button", class: "link", text: `Remove ${r.pattern}` });
    on(remove, "click", async () => {
      try {
        await completed(
          client.DELETE("/api/agent/sender-rules/{pattern}", {
            params: { path: { pattern: r.pattern } },
          }),
        );
        await renderHeld(main, query);
      } catch (e) {
        toast(e instanceof ApiError ? e.message : "The rule was not removed.");
      }
    });
    list.append(
      el(
        "li",
        { "data-rule": r.pattern },
        `${r.verdict === "block" ? "Blocked" : "Always allowed"}: ${r.pattern} (by ${r.by}, ${when(r.at)}) `,
        remove,
      ),
    );
  }
  const input = el("input", {
    id: "rule-pattern",
    placeholder: "name@example.com or @example.com",
  });
  const verdict = el(
    "select",
    { id: "rule-verdict" },
    el("option", { value: "block", text: "Block" }),
    el("option", { value: "allow", text: "Always allow" }),
  );
  const add = el(
    "form",
    { class: "rule-form" },
    el(
      "div",
      { class: "field" },
      el("label", { for: "rule-pattern", text: "Sender or domain" }),
      input,
    ),
    el("div", { class: "field" }, el("label", { for: "rule-verdict", text: "Rule" }), verdict),
    el("button", { type: "submit", text: "Add rule" }),
  );
  on(add, "submit", (e) => {
    e.preventDefault();
    void setRule(input.value.trim(), verdict.value as "block" | "allow", main);
  });
  return el(
    "section",
    { "aria-labelledby": "rules-title" },
    el("h2", { id: "rules-title", text: "Sender rules" }),
    el("p", {
      class: "hint",
      text: "Blocked senders are held as blocked; always-allowed ones pass a spam verdict when their mail is authenticated (DMARC or DKIM of their domain), never a virus or a forged sender. A rule holds for new mail within a minute.",
    }),
    rules.length ? list : el("p", { text: "No rules yet." }),
    add,
  );
}
