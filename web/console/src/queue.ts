// The queue: views with live counts, filters, and the ticket list with paging.
import { api } from "./api";
import { clear, el, on, when } from "./dom";
import type { Counts, Me, Page, Summary, ViewName } from "./types";
import { STATUS_LABEL } from "./types";

export const VIEWS: { name: ViewName; label: string }[] = [
  { name: "unassigned", label: "Unassigned" },
  { name: "mine", label: "Mine" },
  { name: "waiting", label: "Waiting on customer" },
  { name: "overdue", label: "Overdue" },
  { name: "all", label: "All my categories" },
];

export function renderNav(nav: HTMLElement, counts: Counts | null, me: Me, current: string): void {
  clear(nav);
  const list = el("ul", { class: "views" });
  for (const v of VIEWS) {
    const count = counts ? counts.views[v.name] : null;
    const link = el(
      "a",
      { href: `#/view/${v.name}`, "aria-current": current === v.name ? "page" : undefined, "data-view": v.name },
      el("span", { text: v.label }),
      count === null ? null : el("span", { class: "count", text: String(count), "aria-label": `${count} tickets` }),
    );
    list.append(el("li", {}, link));
  }
  const library = el(
    "ul",
    { class: "views" },
    el("li", {}, el("a", { href: "#/canned", "aria-current": current === "canned" ? "page" : undefined, text: "Canned replies" })),
    el("li", {}, el("a", { href: "#/faq", "aria-current": current === "faq" ? "page" : undefined, text: "FAQ" })),
  );
  if (me.agent.role !== "agent") {
    library.append(el("li", {}, el("a", { href: "#/reports", "aria-current": current === "reports" ? "page" : undefined, text: "Reports" })));
  }
  if (me.agent.role === "admin") {
    library.append(
      el("li", {}, el("a", { href: "#/admin/categories", "aria-current": current === "categories" ? "page" : undefined, text: "Categories (admin)" })),
      el("li", {}, el("a", { href: "#/admin/agents", "aria-current": current === "agents" ? "page" : undefined, text: "Agents (admin)" })),
      el("li", {}, el("a", { href: "#/admin/policies", "aria-current": current === "policies" ? "page" : undefined, text: "SLA policies (admin)" })),
    );
  }
  nav.append(el("h2", { class: "visually-hidden", text: "Views" }), list, library);
  if (counts) {
    const table = el(
      "table",
      { class: "category-counts" },
      el("caption", { text: "Awaiting a response" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Category" }), el("th", { scope: "col", text: "New" }), el("th", { scope: "col", text: "Open" }))),
    );
    const body = el("tbody");
    for (const c of counts.categories) {
      body.append(
        el("tr", { "data-category": c.id }, el("th", { scope: "row", text: c.name }), el("td", { text: String(c.new) }), el("td", { text: String(c.open) })),
      );
    }
    table.append(body);
    nav.append(table);
  }
}

function select(label: string, name: string, options: [string, string][], value: string): HTMLElement {
  const id = `filter-${name}`;
  const s = el("select", { id, name });
  for (const [v, text] of options) s.append(el("option", { value: v, text, selected: v === value }));
  return el("div", { class: "field" }, el("label", { for: id, text: label }), s);
}

export async function renderQueue(main: HTMLElement, me: Me, view: ViewName, params: URLSearchParams): Promise<void> {
  clear(main);
  const title = VIEWS.find((v) => v.name === view)?.label ?? "Tickets";
  const heading = el("h1", { tabindex: "-1", text: title });
  const filters = el(
    "form",
    { class: "filters", "aria-label": "Filters" },
    select("Category", "category", [["", "All"], ...me.categories.map((c) => [c.id, c.name] as [string, string])], params.get("category") ?? ""),
    view === "all"
      ? select("Status", "status", [["", "Active"], ...Object.entries(STATUS_LABEL)], params.get("status") ?? "")
      : null,
    select("Priority", "priority", [["", "Any"], ["urgent", "Urgent"], ["high", "High"], ["normal", "Normal"], ["low", "Low"]], params.get("priority") ?? ""),
    select("Sort", "sort", [["oldest", "Oldest first"], ["newest", "Newest first"], ["due", "Due soonest"]], params.get("sort") ?? "oldest"),
  );
  on(filters, "change", () => {
    const data = new FormData(filters as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of data.entries()) if (typeof v === "string" && v) next.set(k, v);
    location.hash = `#/view/${view}${next.size ? `?${next}` : ""}`;
  });
  const table = el(
    "table",
    { class: "tickets" },
    el("caption", { class: "visually-hidden", text: `${title}: tickets` }),
    el(
      "thead",
      {},
      el("tr", {}, ...["Reference", "Subject", "Requester", "Category", "Status", "Priority", "Due", "Assignee"].map((h) => el("th", { scope: "col", text: h }))),
    ),
  );
  const body = el("tbody");
  table.append(body);
  const more = el("button", { type: "button", class: "secondary", text: "Load more" });
  const empty = el("p", { class: "empty", text: "No tickets here. Nice work." });
  main.append(heading, filters, table, more);
  heading.focus();

  const query = new URLSearchParams(params);
  query.set("view", view);
  query.set("limit", "25");
  let cursor: string | null = null;
  const load = async () => {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const page = await api<Page>(`/tickets?${q}`);
    for (const t of page.items) body.append(row(t));
    cursor = page.next ?? null;
    more.hidden = !cursor;
    // The agent may have moved on to another page while this loaded.
    if (!body.firstChild && more.parentNode === main) main.insertBefore(empty, more);
  };
  on(more, "click", () => void load());
  await load();
}

function row(t: Summary): HTMLElement {
  return el(
    "tr",
    { class: t.overdue ? "overdue" : undefined, "data-reference": t.reference },
    el("td", {}, el("a", { href: `#/ticket/${t.reference}`, text: t.reference })),
    el("td", { text: t.subject }),
    el("td", { text: t.requester }),
    el("td", { text: t.category }),
    el("td", { text: STATUS_LABEL[t.status] }),
    el("td", { class: `priority-${t.priority}`, text: t.priority }),
    el("td", { text: t.due_at ? `${when(t.due_at)}${t.overdue ? " (overdue)" : ""}` : "—" }),
    el("td", { text: t.assignee ?? "—" }),
  );
}
