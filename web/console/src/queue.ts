// The queue: views with live counts, filters, and the ticket list with paging.

import { client, data, reasons } from "./api";
import type { paths } from "./api.gen";
import { clear, el, on, when } from "./dom";
import { rememberQueue } from "./speed";
import type { Counts, Me, Priority, Status, Summary, ViewName } from "./types";

type TicketQuery = NonNullable<paths["/api/agent/tickets"]["get"]["parameters"]["query"]>;

import { STATUS_LABEL } from "./types";

export const VIEWS: { name: ViewName; label: string }[] = [
  { name: "unassigned", label: "Unassigned" },
  { name: "mine", label: "Mine" },
  { name: "waiting", label: "Waiting on customer" },
  { name: "overdue", label: "Overdue" },
  { name: "all", label: "All my categories" },
];

/**
 * The side navigation. Built once, then updated in place: the poll redraws it every
 * few seconds, and replacing a link between the mouse going down and up on it
 * would swallow the click (the browser fires none when the two land on different
 * elements).
 */
export function renderNav(nav: HTMLElement, counts: Counts | null, me: Me, current: string): void {
  if (!nav.firstChild) buildNav(nav, me);
  for (const link of nav.querySelectorAll<HTMLAnchorElement>("a[data-page]")) {
    if (link.dataset.page === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const v of VIEWS) {
    const link = nav.querySelector<HTMLAnchorElement>(`a[data-view="${v.name}"]`);
    const count = counts ? counts.views[v.name] : null;
    let badge = link?.querySelector<HTMLElement>(".count") ?? null;
    if (count === null) {
      badge?.remove();
      continue;
    }
    if (!badge) {
      badge = el("span", { class: "count" });
      link?.append(badge);
    }
    badge.textContent = String(count);
    badge.setAttribute("aria-label", `${count} tickets`);
  }
  nav.querySelector("table.category-counts")?.remove();
  if (counts) nav.append(categoryCounts(counts));
}

function buildNav(nav: HTMLElement, me: Me): void {
  const list = el("ul", { class: "views" });
  for (const v of VIEWS) {
    list.append(
      el(
        "li",
        {},
        el(
          "a",
          { href: `#/view/${v.name}`, "data-view": v.name, "data-page": v.name },
          el("span", { text: v.label }),
        ),
      ),
    );
  }
  const page = (href: string, name: string, text: string) =>
    el("li", {}, el("a", { href, "data-page": name, text }));
  const library = el(
    "ul",
    { class: "views" },
    page("#/new", "new", "New ticket"),
    page("#/canned", "canned", "Canned replies"),
    page("#/faq", "faq", "FAQ"),
  );
  if (me.agent.role !== "agent") {
    library.append(page("#/reports", "reports", "Reports"), page("#/held", "held", "Held mail"));
  }
  if (me.agent.role === "admin") {
    library.append(
      page("#/admin/categories", "categories", "Categories (admin)"),
      page("#/admin/agents", "agents", "Agents (admin)"),
      page("#/admin/policies", "policies", "SLA policies (admin)"),
      page("#/admin/tiers", "tiers", "Customer tiers (admin)"),
      page("#/admin/data", "data", "Customer data (admin)"),
      page("#/admin/audit", "audit", "Audit log (admin)"),
    );
  }
  nav.append(el("h2", { class: "visually-hidden", text: "Views" }), list, library);
}

function categoryCounts(counts: Counts): HTMLElement {
  const table = el(
    "table",
    { class: "category-counts" },
    el("caption", { text: "Awaiting a response" }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", text: "Category" }),
        el("th", { scope: "col", text: "New" }),
        el("th", { scope: "col", text: "Open" }),
      ),
    ),
  );
  const body = el("tbody");
  for (const c of counts.categories) {
    body.append(
      el(
        "tr",
        { "data-category": c.id },
        el("th", { scope: "row", text: c.name }),
        el("td", { text: String(c.new) }),
        el("td", { text: String(c.open) }),
      ),
    );
  }
  table.append(body);
  return table;
}

/** A labelled choice of a filter form (the queues' and the search's). */
export function select(
  label: string,
  name: string,
  options: [string, string][],
  value: string,
): HTMLElement {
  const id = `filter-${name}`;
  const s = el("select", { id, name });
  for (const [v, text] of options)
    s.append(el("option", { value: v, text, selected: v === value }));
  return el("div", { class: "field" }, el("label", { for: id, text: label }), s);
}

export async function renderQueue(
  main: HTMLElement,
  me: Me,
  view: ViewName,
  params: URLSearchParams,
): Promise<void> {
  clear(main);
  const title = VIEWS.find((v) => v.name === view)?.label ?? "Tickets";
  const heading = el("h1", { tabindex: "-1", text: title });
  const filters = el(
    "form",
    { class: "filters", "aria-label": "Filters" },
    select(
      "Category",
      "category",
      [["", "All"], ...me.categories.map((c) => [c.id, c.name] as [string, string])],
      params.get("category") ?? "",
    ),
    view === "all"
      ? select(
          "Status",
          "status",
          [["", "Active"], ...Object.entries(STATUS_LABEL)],
          params.get("status") ?? "",
        )
      : null,
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
      params.get("priority") ?? "",
    ),
    select(
      "Sort",
      "sort",
      [
        ["oldest", "Oldest first"],
        ["newest", "Newest first"],
        ["due", "Due soonest"],
      ],
      params.get("sort") ?? "oldest",
    ),
  );
  on(filters, "change", () => {
    const data = new FormData(filters as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of data.entries()) if (typeof v === "string" && v) next.set(k, v);
    location.hash = `#/view/${view}${next.size ? `?${next}` : ""}`;
  });
  const all = el("input", {
    type: "checkbox",
    id: "select-all",
    "aria-label": "Select all on this page",
  });
  const table = el(
    "table",
    { class: "tickets" },
    el("caption", { class: "visually-hidden", text: `${title}: tickets` }),
    ticketHead(el("th", { scope: "col" }, all)),
  );
  const body = el("tbody");
  table.append(body);
  const more = el("button", { type: "button", class: "secondary", text: "Load more" });
  const empty = el("p", { class: "empty", text: "No tickets here. Nice work." });
  const bar = bulkBar(me, body, async () => {
    body.replaceChildren();
    all.checked = false;
    cursor = null;
    await load();
  });
  selection(body, all, bar.form);
  main.append(heading, filters, bar.wrap, table, more);
  heading.focus();

  const query = new URLSearchParams(params);
  query.set("view", view);
  query.set("limit", "25");
  let cursor: string | null = null;
  const load = async () => {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    // The view's filters come from the address bar; the API checks each one.
    const page = await data(
      client.GET("/api/agent/tickets", { params: { query: Object.fromEntries(q) as TicketQuery } }),
    );
    for (const t of page.items) body.append(row(t, true));
    // Only the queue on screen sets what j and k walk: a page the agent left
    // while it loaded (say the unsorted one before a sorted one) must not.
    if (main.isConnected) {
      rememberQueue(
        [...body.querySelectorAll("tr[data-reference]")].map(
          (r) => r.getAttribute("data-reference") ?? "",
        ),
      );
    }
    cursor = page.next ?? null;
    more.hidden = !cursor;
    // The agent may have moved on to another page while this loaded.
    if (!body.firstChild && more.parentNode === main) main.insertBefore(empty, more);
  };
  on(more, "click", () => void load());
  await load();
}

/** A table of tickets, as the queues show them. */
export function ticketTable(caption: string, tickets: Summary[]): HTMLElement {
  return el(
    "table",
    { class: "tickets" },
    el("caption", { class: "visually-hidden", text: caption }),
    ticketHead(null),
    el("tbody", {}, ...tickets.map((t) => row(t))),
  );
}

/**
 * Tickets with checkboxes and the bulk bar, as in the queues; `after` may add a
 * row under each ticket's (a search hit's snippet). `reload` runs after a bulk change.
 */
export function pickableTickets(
  me: Me,
  caption: string,
  tickets: Summary[],
  after: (t: Summary) => HTMLElement | null,
  reload: () => void,
): HTMLElement {
  const all = el("input", {
    type: "checkbox",
    id: "select-all",
    "aria-label": "Select all on this page",
  });
  const body = el("tbody");
  for (const t of tickets) body.append(row(t, true), ...[after(t)].filter((r) => r !== null));
  const bar = bulkBar(me, body, async () => reload());
  selection(body, all, bar.form);
  return el(
    "div",
    {},
    bar.wrap,
    el(
      "table",
      { class: "tickets" },
      el("caption", { class: "visually-hidden", text: caption }),
      ticketHead(el("th", { scope: "col" }, all)),
      body,
    ),
  );
}

/** The columns' names, after an optional first cell (the queues' select-all). */
function ticketHead(first: HTMLElement | null): HTMLElement {
  return el(
    "thead",
    {},
    el(
      "tr",
      {},
      first,
      ...[
        "Reference",
        "Subject",
        "Requester",
        "Category",
        "Status",
        "Priority",
        "Due",
        "Assignee",
      ].map((h) => el("th", { scope: "col", text: h })),
    ),
  );
}

/** The rows' checkboxes: shift-click picks a range, the header's box the page. */
function selection(body: HTMLElement, all: HTMLInputElement, bar: HTMLElement): void {
  let last = -1;
  const boxes = () => [...body.querySelectorAll<HTMLInputElement>("input.pick")];
  const update = () => {
    const picked = boxes().filter((b) => b.checked).length;
    bar.hidden = picked === 0;
    const count = bar.querySelector(".picked");
    if (count) count.textContent = `${picked} selected`;
  };
  on(body, "click", (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("pick")) return;
    const list = boxes();
    const at = list.indexOf(box);
    if ((e as MouseEvent).shiftKey && last >= 0 && last !== at) {
      const [from, to] = last < at ? [last, at] : [at, last];
      for (const b of list.slice(from, to + 1)) b.checked = box.checked;
    }
    last = at;
    update();
  });
  on(all, "change", () => {
    for (const b of boxes()) b.checked = all.checked;
    update();
  });
}

/** What to do with the selected tickets, and what came of it. */
function bulkBar(
  me: Me,
  body: HTMLElement,
  reload: () => Promise<void>,
): { wrap: HTMLElement; form: HTMLElement } {
  const what = el("select", { id: "bulk-action" });
  const option = (value: string, text: string) => el("option", { value, text });
  what.append(
    option("assign:me", "Assign to me"),
    option("assign:", "Unassign"),
    ...Object.entries(STATUS_LABEL)
      .filter(([s]) => s !== "new")
      .map(([s, label]) => option(`status:${s}`, `Status: ${label}`)),
    ...["urgent", "high", "normal", "low"].map((p) => option(`priority:${p}`, `Priority: ${p}`)),
    ...me.categories.map((c) => option(`category:${c.id}`, `Move to ${c.name}`)),
    option("tag:add", "Add tag…"),
    option("tag:remove", "Remove tag…"),
  );
  const tagBox = el("input", {
    id: "bulk-tag",
    maxlength: "32",
    autocomplete: "off",
    "aria-label": "Tag",
    hidden: true,
  });
  on(what, "change", () => {
    tagBox.hidden = !what.value.startsWith("tag:");
  });
  const said = el("p", { class: "notice", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "bulk", "aria-label": "Change the selected tickets", hidden: true },
    el("span", { class: "picked", text: "" }),
    el("label", { for: "bulk-action", text: "Change" }),
    what,
    tagBox,
    el("button", { type: "submit", text: "Apply" }),
  );
  const wrap = el("div", {}, form, said);
  on(form, "submit", async (e) => {
    e.preventDefault();
    const picked = [...body.querySelectorAll<HTMLInputElement>("input.pick:checked")].map((b) => ({
      reference: b.value,
      version: Number(b.dataset.version),
    }));
    const [kind, value] = what.value.split(":");
    const action =
      kind === "assign"
        ? { kind: "assign" as const, agent: value === "me" ? me.agent.id : null }
        : kind === "status"
          ? { kind: "status" as const, status: value as Status }
          : kind === "priority"
            ? { kind: "priority" as const, priority: value as Priority }
            : kind === "tag"
              ? {
                  kind: "tag" as const,
                  add: value === "add" ? [tagBox.value] : [],
                  remove: value === "remove" ? [tagBox.value] : [],
                }
              : { kind: "category" as const, category: value };
    try {
      const done = await data(
        client.POST("/api/agent/tickets/bulk", { body: { tickets: picked, action } }),
      );
      const refused = done.results
        .filter((r) => r.outcome !== "changed")
        .map((r) => `${r.reference} (${r.reason ?? r.outcome})`);
      said.className = refused.length ? "notice error" : "notice ok";
      said.textContent =
        `${done.changed} changed.` + (refused.length ? ` Not changed: ${refused.join("; ")}.` : "");
    } catch (err) {
      said.className = "notice error";
      said.textContent = reasons(err, "Nothing changed. Try again.", true);
    }
    said.hidden = false;
    form.hidden = true;
    await reload();
  });
  // The form shows with a selection; the last answer stays until the next one.
  return { wrap, form };
}

function row(t: Summary, selectable = false): HTMLElement {
  return el(
    "tr",
    { class: t.overdue ? "overdue" : undefined, "data-reference": t.reference },
    selectable
      ? el(
          "td",
          {},
          el("input", {
            type: "checkbox",
            class: "pick",
            value: t.reference,
            "data-version": String(t.version),
            "aria-label": `Select ${t.reference}`,
          }),
        )
      : null,
    el("td", {}, el("a", { href: `#/ticket/${t.reference}`, text: t.reference })),
    el("td", {}, t.subject, ...t.tags.map((tag) => el("span", { class: "tag", text: tag }))),
    el(
      "td",
      {},
      el("a", {
        href: `#/customer/${encodeURIComponent(t.requester)}`,
        title: "The customer's page",
        text: t.requester,
      }),
      t.email_verified
        ? null
        : el("span", {
            class: "unverified",
            title: "Nobody has shown this address is theirs yet",
            text: " (address not verified)",
          }),
    ),
    el("td", { text: t.category }),
    el("td", { text: STATUS_LABEL[t.status] }),
    el("td", { class: `priority-${t.priority}`, text: t.priority }),
    el("td", { text: t.due_at ? `${when(t.due_at)}${t.overdue ? " (overdue)" : ""}` : "—" }),
    el("td", { text: t.assignee ?? "—" }),
  );
}
