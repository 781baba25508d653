// A customer's data, for admins: everything we hold about an address as one
// archive, and erasing it (the tickets stay as anonymous shells, so the
// reports keep their counts). And the audit log: who changed what.
import { ApiError, client, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, when } from "./dom";

type S = components["schemas"];

export async function renderCustomerData(main: HTMLElement): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Customer data" });
  const address = el("input", {
    id: "data-email",
    type: "email",
    autocomplete: "off",
    required: "",
    placeholder: "name@example.com",
  });
  const status = el("div", { class: "notice", role: "status", id: "data-status" });
  const error = el("p", { class: "field-error", id: "data-error", role: "alert" });
  const exportButton = el("button", { type: "button", text: "Export as one archive" });
  const eraseButton = el("button", { type: "button", class: "danger", text: "Erase…" });
  const confirmSlot = el("div");
  const email = (): string | null => {
    error.textContent = "";
    address.removeAttribute("aria-invalid");
    const value = address.value.trim();
    if (!address.checkValidity() || !value) {
      error.textContent = "Type the customer's address first.";
      address.setAttribute("aria-invalid", "true");
      address.setAttribute("aria-describedby", "data-error");
      return null;
    }
    return value;
  };
  // One part of the address's data (at most 300 requests and held mails and
  // 50 MB of files); a part that is not the last offers the next, for the
  // same address: typing another one takes the offer away.
  const exportPart = async (who: string, part: number, from: number): Promise<void> => {
    error.textContent = "";
    status.textContent = "Gathering…";
    exportButton.disabled = true;
    try {
      const made = await data(
        client.POST("/api/agent/customers/{email}/export", {
          params: { path: { email: who }, query: from > 0 ? { from } : {} },
        }),
      );
      clear(status);
      const next = made.next;
      const parted = part > 1 || next != null ? `Part ${part} of ${who}: ` : "";
      status.append(
        `${parted}${made.tickets} requests, ${made.messages} messages and ${made.files} files (${kb(made.bytes)}). `,
        el("a", { href: made.url, "data-export": "", text: "Download the archive" }),
        " (the link works for 10 minutes).",
      );
      if (address.value.trim() !== who) {
        // Another address was typed meanwhile: this answer is not for it.
        clear(status);
        return;
      }
      if (made.left_out.length > 0) {
        status.append(
          ` ${made.left_out.length} files were larger than an archive holds and are left out (customer.json names them).`,
        );
      }
      if (next != null) {
        const more = el("button", { type: "button", text: `Export part ${part + 1}` });
        on(more, "click", () => {
          more.disabled = true;
          return exportPart(who, part + 1, next);
        });
        status.append(" There is more than one archive holds. ", more);
      }
    } catch (e) {
      status.textContent = "";
      error.textContent = e instanceof ApiError ? e.message : "The export did not work.";
    } finally {
      exportButton.disabled = false;
    }
  };
  on(address, "input", () => clear(status));
  on(exportButton, "click", async () => {
    const who = email();
    if (!who) return;
    await exportPart(who, 1, 0);
  });
  on(eraseButton, "click", () => {
    const who = email();
    if (!who) return;
    clear(confirmSlot);
    confirmSlot.append(eraseForm(who, status, error));
    confirmSlot.querySelector("input")?.focus();
  });
  main.append(
    heading,
    el("p", {
      class: "hint",
      text: "Everything we hold about one address: its requests with every message, file and mail as received, our note about the customer, its tier and the log of exports and erasures. Erasing deletes all of it; the requests stay as anonymous, closed shells so the reports keep their counts. Erasing cannot be undone.",
    }),
    el(
      "div",
      { class: "field" },
      el("label", { for: "data-email", text: "Customer address" }),
      address,
    ),
    el("div", { class: "buttons" }, exportButton, eraseButton),
    error,
    confirmSlot,
    status,
  );
  heading.focus();
}

function eraseForm(who: string, status: HTMLElement, error: HTMLElement): HTMLElement {
  const again = el("input", { id: "erase-confirm", type: "email", autocomplete: "off" });
  const go = el("button", { type: "submit", class: "danger", text: "Erase for good" });
  const form = el(
    "form",
    { class: "composer", "aria-label": `Erase ${who}` },
    el("p", {
      text: `Everything of ${who} will be deleted: their requests, and what they wrote on other customers' requests (those requests stay, without ${who}). Type the address again to confirm.`,
    }),
    el("div", { class: "field" }, el("label", { for: "erase-confirm", text: "Address" }), again),
    go,
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    go.setAttribute("disabled", "");
    const total = { tickets: 0, shared: 0, messages: 0, files: 0, other: 0 };
    let done = false;
    try {
      // Ten requests a call: call again until it says it is done.
      for (let round = 0; round < 1000 && !done; round += 1) {
        status.textContent = `Erasing… ${total.tickets} requests so far.`;
        const step: S["Erased"] = await data(
          client.POST("/api/agent/customers/{email}/erase", {
            params: { path: { email: who } },
            body: { confirm: again.value.trim() },
          }),
        );
        total.tickets += step.tickets;
        total.shared += step.shared_tickets;
        total.messages += step.messages;
        total.files += step.files;
        total.other += step.other;
        done = step.done;
      }
      if (!done) {
        go.removeAttribute("disabled");
        status.textContent = `Erasing ${who} is not finished (${total.tickets} requests so far): start it again.`;
        return;
      }
      form.remove();
      status.textContent = `Erased ${who}: ${total.tickets} requests, ${total.messages} messages, ${total.files} files and ${total.other} other records; taken out of ${total.shared} other customers' requests. The audit log has an entry.`;
    } catch (err) {
      go.removeAttribute("disabled");
      const refused = err instanceof ApiError ? err.body.error.fields?.[0] : undefined;
      error.textContent =
        refused?.field === "confirm"
          ? "The address typed again is not the same."
          : err instanceof ApiError
            ? err.message
            : "Erasing stopped; start it again to finish.";
    }
  });
  return form;
}

function kb(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const ACTIONS: Record<S["AuditAction"], string> = {
  category_saved: "Category saved",
  agent_saved: "Agent saved",
  policy_saved: "SLA policy saved",
  tier_rule_saved: "Customer tier saved",
  tier_rule_removed: "Customer tier removed",
  sender_rule_saved: "Sender rule saved",
  sender_rule_removed: "Sender rule removed",
  customer_exported: "Customer data exported",
  customer_erased: "Customer data erased",
  retention_purged: "Old closed tickets erased",
};

export async function renderAudit(main: HTMLElement, query: URLSearchParams): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Audit log" });
  const customer = query.get("customer") ?? "";
  const before = query.get("before") ?? undefined;
  const log = await data(
    client.GET("/api/agent/audit", {
      params: { query: customer ? { customer } : before ? { before } : {} },
    }),
  );
  const find = el("input", {
    id: "audit-customer",
    type: "email",
    autocomplete: "off",
    value: customer,
    placeholder: "name@example.com",
  });
  const form = el(
    "form",
    { class: "rule-form", role: "search", "aria-label": "Entries about a customer" },
    el(
      "div",
      { class: "field" },
      el("label", { for: "audit-customer", text: "About customer" }),
      find,
    ),
    el("button", { type: "submit", text: "Show" }),
  );
  on(form, "submit", (e) => {
    e.preventDefault();
    const v = find.value.trim();
    location.hash = v ? `#/admin/audit?customer=${encodeURIComponent(v)}` : "#/admin/audit";
  });
  const table = el(
    "table",
    { class: "audit" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["When", "Who", "What", "About", "Detail"].map((t) =>
          el("th", { scope: "col", text: t }),
        ),
      ),
    ),
  );
  const body = el("tbody");
  for (const e of log.entries) {
    body.append(
      el(
        "tr",
        { "data-action": e.action },
        el("td", { text: when(e.at) }),
        el("td", { text: e.by }),
        el("td", { text: ACTIONS[e.action] ?? e.action }),
        el("td", { text: e.subject }),
        el("td", { text: e.detail }),
      ),
    );
  }
  table.append(body);
  main.append(
    heading,
    el("p", {
      class: "hint",
      text: "Every change an admin made to categories, agents, SLA policies, customer tiers and sender rules, and every export and erasure of a customer's data. Customers are named by a fingerprint of their address, never the address: type it above to find their entries.",
    }),
    form,
    log.entries.length ? table : el("p", { text: "Nothing logged yet." }),
  );
  if (log.next) {
    main.append(
      el(
        "p",
        {},
        el("a", {
          href: `#/admin/audit?before=${encodeURIComponent(log.next)}`,
          text: "Older entries",
        }),
      ),
    );
  }
  heading.focus();
}
