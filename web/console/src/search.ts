// Finding a ticket: by its reference (a typo is answered with the tickets one
// typo away), the customer's address (with a link to their page) or a mail's
// Message-ID. And the customer's page: their tickets, first and last contact,
// tier, whether the address is verified, and the agents' private note.
import { client, data, reasons } from "./api";
import { clear, el, on } from "./dom";
import { ticketTable } from "./queue";

/** The search box in the header; `/` focuses it. */
export function searchBox(): HTMLElement {
  const input = el("input", {
    type: "search",
    id: "search",
    name: "q",
    placeholder: "Reference, address or Message-ID",
    "aria-keyshortcuts": "/",
    autocomplete: "off",
    maxlength: "200",
  });
  const form = el(
    "form",
    { role: "search", class: "search" },
    el("label", { for: "search", class: "visually-hidden", text: "Search tickets" }),
    input,
    el("button", { type: "submit", class: "secondary", text: "Search" }),
  );
  on(form, "submit", (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) location.hash = `#/search?q=${encodeURIComponent(q)}`;
  });
  return form;
}

export async function renderSearch(main: HTMLElement, params: URLSearchParams): Promise<void> {
  clear(main);
  const q = params.get("q") ?? "";
  const heading = el("h1", { tabindex: "-1", text: `Search: ${q}` });
  main.append(heading);
  const box = document.getElementById("search") as HTMLInputElement | null;
  if (box) box.value = q;
  let found: Awaited<ReturnType<typeof search>>;
  try {
    found = await search(q);
  } catch (err) {
    main.append(
      el("p", {
        class: "notice error",
        role: "alert",
        text: reasons(err, "The search failed. Try again."),
      }),
    );
    heading.focus();
    return;
  }
  if (found.hint) main.append(el("p", { class: "notice", role: "status", text: found.hint }));
  if (found.customer) {
    main.append(
      el(
        "p",
        {},
        el("a", {
          href: `#/customer/${encodeURIComponent(found.customer)}`,
          text: `The customer's page: ${found.customer}`,
        }),
      ),
    );
  }
  if (found.did_you_mean.length > 0) {
    main.append(
      el("h2", { text: "Did you mean" }),
      ticketTable("Tickets one typo away", found.did_you_mean),
    );
  }
  if (found.tickets.length > 0) {
    main.append(ticketTable("Found tickets", found.tickets));
  } else if (found.did_you_mean.length === 0) {
    main.append(el("p", { class: "empty", text: "No ticket you can see matches." }));
  }
  heading.focus();
}

function search(q: string) {
  return data(client.GET("/api/agent/search", { params: { query: { q } } }));
}

export async function renderCustomer(main: HTMLElement, email: string): Promise<void> {
  clear(main);
  const page = await data(
    client.GET("/api/agent/customers/{email}", { params: { path: { email } } }),
  );
  const heading = el("h1", { tabindex: "-1", text: page.email });
  const day = (iso: string) => new Date(iso).toLocaleDateString();
  const facts = el(
    "dl",
    { class: "facts" },
    el("dt", { text: "First contact" }),
    el("dd", { text: day(page.first_contact) }),
    el("dt", { text: "Last contact" }),
    el("dd", { text: day(page.last_contact) }),
    el("dt", { text: "Tier" }),
    el("dd", { text: page.tier }),
    el("dt", { text: "Address" }),
    el("dd", { text: page.verified ? "verified" : "not verified yet" }),
  );
  const note = el("textarea", { id: "customer-note", rows: "4", maxlength: "2000" });
  note.value = page.note?.text ?? "";
  const said = el("p", {
    class: "hint",
    text: page.note
      ? `Last written by ${page.note.by}, ${new Date(page.note.at).toLocaleString()}.`
      : "",
  });
  const status = el("p", { class: "notice", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "admin-form" },
    el("label", { for: "customer-note", text: "Note about this customer (agents only)" }),
    note,
    said,
    el("button", { type: "submit", text: "Save note" }),
    status,
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      const saved = await data(
        client.PUT("/api/agent/customers/{email}/note", {
          params: { path: { email } },
          body: { text: note.value },
        }),
      );
      status.className = "notice ok";
      status.textContent = saved.note ? "Note saved." : "Note removed.";
    } catch (err) {
      status.className = "notice error";
      status.textContent = reasons(err, "Not saved. Try again.");
    }
    status.hidden = false;
  });
  main.append(
    heading,
    facts,
    form,
    el("h2", { text: `Tickets (${page.tickets.length})` }),
    ticketTable("The customer's tickets", page.tickets),
  );
  heading.focus();
}
