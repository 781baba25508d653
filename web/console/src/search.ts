// Finding tickets: by reference (a typo is answered with the tickets one typo
// away), the customer's address (with a link to their page) or a mail's
// Message-ID, and by words and filters, each hit with its snippet and the bulk
// actions of the queues. And the customer's page: their tickets, first and last
// contact, tier, whether the address is verified, and the agents' private note.
import { client, data, reasons } from "./api";
import type { paths } from "./api.gen";
import { clear, el, on } from "./dom";
import { pickableTickets, select, ticketTable } from "./queue";
import { type Me, STATUS_LABEL } from "./types";
import { renameTag, viewTools } from "./views";

/** The search box in the header; `/` focuses it. */
export function searchBox(): HTMLElement {
  const input = el("input", {
    type: "search",
    id: "search",
    name: "q",
    placeholder: "Search: words, reference, address",
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
    // A space after the last word says it is finished (not a beginning): kept.
    const q = input.value.trimStart();
    if (q.trim()) location.hash = `#/search?q=${encodeURIComponent(q)}`;
  });
  return form;
}

type SearchQuery = NonNullable<paths["/api/agent/search"]["get"]["parameters"]["query"]>;
/** The filters a search may add to its words, as the API names them. */
const FILTERS = [
  "category",
  "status",
  "assignee",
  "tag",
  "priority",
  "tier",
  "updated_from",
  "updated_to",
  "created_from",
  "created_to",
] as const;

function day(label: string, name: string, value: string): HTMLElement {
  const id = `search-${name}`;
  const box = el("input", { type: "date", id, name });
  box.value = value;
  return el("span", { class: "field" }, el("label", { for: id, text: label }), box);
}

/** The search's words and filters, as a form that sets the address. */
function searchForm(me: Me, params: URLSearchParams): HTMLElement {
  const value = (name: string) => params.get(name) ?? "";
  const q = el("input", {
    type: "search",
    id: "search-q",
    name: "q",
    maxlength: "200",
    autocomplete: "off",
  });
  q.value = value("q");
  const tag = el("input", {
    id: "search-tag",
    name: "tag",
    maxlength: "32",
    autocomplete: "off",
    list: "search-tags",
  });
  tag.value = value("tag");
  const tags = el("datalist", { id: "search-tags" });
  void data(client.GET("/api/agent/tags"))
    .then((r) => tags.replaceChildren(...r.tags.map((t) => el("option", { value: t }))))
    .catch(() => {});
  const form = el(
    "form",
    { class: "filters search-filters", "aria-label": "Search and filters" },
    el("span", { class: "field wide" }, el("label", { for: "search-q", text: "Words" }), q),
    select(
      "Category",
      "category",
      [["", "Any"], ...me.categories.map((c) => [c.id, c.name] as [string, string])],
      value("category"),
    ),
    select("Status", "status", [["", "Any"], ...Object.entries(STATUS_LABEL)], value("status")),
    select(
      "Assignee",
      "assignee",
      [
        ["", "Anyone"],
        [me.agent.id, "Me"],
        ["none", "Nobody"],
      ],
      value("assignee"),
    ),
    el("span", { class: "field" }, el("label", { for: "search-tag", text: "Tag" }), tag, tags),
    select(
      "Priority",
      "priority",
      [
        ["", "Any"],
        ["urgent", "Urgent"],
        ["high", "High"],
        ["normal", "Normal"],
        ["low", "Low"],
      ],
      value("priority"),
    ),
    select(
      "Tier",
      "tier",
      [
        ["", "Any"],
        ["premium", "Premium"],
        ["standard", "Standard"],
      ],
      value("tier"),
    ),
    day("Changed from", "updated_from", value("updated_from")),
    day("Changed until", "updated_to", value("updated_to")),
    day("Opened from", "created_from", value("created_from")),
    day("Opened until", "created_to", value("created_to")),
    el("button", { type: "submit", text: "Search" }),
  );
  on(form, "submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(form as HTMLFormElement).entries()) {
      // The words keep a space after the last one (it is then finished).
      if (typeof v === "string" && v.trim()) next.set(k, k === "q" ? v.trimStart() : v.trim());
    }
    location.hash = `#/search?${next}`;
  });
  return form;
}

/** A hit's snippet: its words as text, the matching ones marked. */
function snippetRow(parts: { text: string; hit: boolean }[]): HTMLElement {
  const p = el("p", { class: "snippet" });
  for (const part of parts) {
    p.append(part.hit ? el("mark", { text: part.text }) : document.createTextNode(part.text));
  }
  return el("tr", { class: "snippet-row" }, el("td", { colspan: "9" }, p));
}

export async function renderSearch(
  main: HTMLElement,
  me: Me,
  params: URLSearchParams,
): Promise<void> {
  clear(main);
  const q = params.get("q") ?? "";
  const filtered = FILTERS.some((f) => params.get(f));
  const viewId = params.get("view");
  const viewName = viewId
    ? document.querySelector(`a[data-saved-view="${CSS.escape(viewId)}"] span`)?.textContent
    : null;
  const heading = el("h1", {
    tabindex: "-1",
    text: viewName ? `View: ${viewName}` : q ? `Search: ${q}` : "Search",
  });
  main.append(heading, searchForm(me, params));
  const box = document.getElementById("search") as HTMLInputElement | null;
  if (box) box.value = q;
  if (!q && !filtered) {
    main.append(el("p", { class: "hint", text: "Type words or choose a filter, then Search." }));
    heading.focus();
    return;
  }
  let found: Awaited<ReturnType<typeof search>>;
  try {
    found = await search(params);
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
  }
  if (found.hits.length > 0) {
    const snippets = new Map(found.hits.map((h) => [h.ticket.reference, h.snippet]));
    main.append(
      el("p", {
        class: "hint",
        role: "status",
        text: `${found.total} ticket${found.total === 1 ? "" : "s"} match.`,
      }),
      pickableTickets(
        me,
        "Tickets matching the search",
        found.hits.map((h) => h.ticket),
        (t) => snippetRow(snippets.get(t.reference) ?? []),
        () => void renderSearch(main, me, params),
      ),
    );
    const pages = el("nav", { class: "pages", "aria-label": "Result pages" });
    const to = (page: number, text: string) => {
      const next = new URLSearchParams(params);
      next.set("page", String(page));
      return el("a", { href: `#/search?${next}`, text });
    };
    if (found.page > 1) pages.append(to(found.page - 1, "Previous page"));
    if (found.more) pages.append(to(found.page + 1, "Next page"));
    if (pages.firstChild) main.append(pages);
  }
  if (found.tickets.length === 0 && found.did_you_mean.length === 0 && found.hits.length === 0) {
    main.append(el("p", { class: "empty", text: "No ticket you can see matches." }));
  }
  main.append(viewTools(me, searchOf(params, false), viewId));
  const rename = renameTag(me, params.get("tag"));
  if (rename) main.append(rename);
  heading.focus();
}

/** The words, filters and (`paged`) page of the address, nothing else. */
function searchOf(params: URLSearchParams, paged: boolean): Record<string, string> {
  const query: Record<string, string> = {};
  for (const name of ["q", ...FILTERS, ...(paged ? ["page"] : [])]) {
    const v = params.get(name);
    if (v) query[name] = v;
  }
  return query;
}

function search(params: URLSearchParams) {
  const query = searchOf(params, true) as SearchQuery;
  return data(client.GET("/api/agent/search", { params: { query } }));
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
