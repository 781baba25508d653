// Reports (supervisors and admins): the period's figures with charts drawn as SVG
// from DOM nodes (no inline style, so the CSP stays strict), every chart with a
// table of its numbers beside it, and the same figures per day as CSV.

import { ApiError, client, data, download } from "./api";
import type { components, paths } from "./api.gen";
import { clear, el, on, toast, when } from "./dom";
import type { Me } from "./types";

type ReportQuery = NonNullable<paths["/api/agent/reports"]["get"]["parameters"]["query"]>;

type S = components["schemas"];
type Report = S["Report"];
type Totals = S["Totals"];
type TimeSummary = S["TimeSummary"];
type QueryCount = S["QueryCount"];

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** Business minutes as "2 h 05 min" (≈ because the figure is a bucket estimate). */
export function minutes(m: number | null | undefined): string {
  if (m === null || m === undefined) return "—";
  const total = Math.round(m);
  if (total < 60) return `≈ ${total} min`;
  const h = Math.floor(total / 60);
  const rest = total % 60;
  return `≈ ${h} h ${String(rest).padStart(2, "0")} min`;
}

function percent(p: number | null | undefined): string {
  return p === null || p === undefined ? "—" : `${(p * 100).toFixed(1)} %`;
}

function tile(label: string, value: string, detail = ""): HTMLElement {
  return el(
    "div",
    { class: "tile" },
    el("span", { class: "tile-label", text: label }),
    el("strong", { text: value }),
    detail ? el("span", { class: "hint", text: detail }) : null,
  );
}

function time(s: TimeSummary): string {
  return s.count ? `median ${minutes(s.median)}, p90 ${minutes(s.p90)} (${s.count})` : "none yet";
}

/** Opened and solved per day as paired bars, with the numbers in a table below. */
function dailyChart(report: Report): HTMLElement {
  const days = report.days;
  const max = Math.max(1, ...days.map((d) => Math.max(d.totals.opened, d.totals.solved)));
  // About 720 units wide whatever the period; bars never thinner than 2.
  const slot = Math.max(6, Math.floor(720 / Math.max(days.length, 1)));
  const bar = Math.max(2, Math.floor(slot * 0.4));
  const height = 140;
  const width = days.length * slot;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height + 20}`,
    class: "chart",
    role: "img",
    "aria-labelledby": "daily-title",
  });
  chart.append(
    svg(
      "title",
      { id: "daily-title" },
      `Tickets opened and solved per day, ${report.period.from} to ${report.period.to}: ${report.totals.opened} opened, ${report.totals.solved} solved`,
    ),
  );
  days.forEach((d, i) => {
    const column = (value: number, offset: number, cls: string) => {
      const h = Math.round((value / max) * height);
      chart.append(
        svg(
          "rect",
          { x: i * slot + offset, y: height - h, width: bar, height: h, class: cls },
          svg("title", {}, `${d.day}: ${value} ${cls}`),
        ),
      );
    };
    column(d.totals.opened, 0, "opened");
    column(d.totals.solved, bar, "solved");
  });
  chart.append(
    svg("text", { x: 0, y: height + 15, class: "axis" }, report.period.from),
    svg("text", { x: width, y: height + 15, class: "axis end" }, report.period.to),
  );
  const rows = days.filter((d) => d.totals.opened || d.totals.solved || d.totals.closed);
  const table = el(
    "table",
    { class: "tickets numbers" },
    el("caption", { text: "Days with activity" }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["Day", "Opened", "Solved", "Closed", "Reopened"].map((h) =>
          el("th", { scope: "col", text: h }),
        ),
      ),
    ),
    el(
      "tbody",
      {},
      ...rows.map((d) =>
        el(
          "tr",
          {},
          el("th", { scope: "row", text: d.day }),
          ...[d.totals.opened, d.totals.solved, d.totals.closed, d.totals.reopened].map((n) =>
            el("td", { text: String(n) }),
          ),
        ),
      ),
    ),
  );
  return el(
    "section",
    { class: "report-block", "aria-labelledby": "daily-heading" },
    el("h2", { id: "daily-heading", text: "Opened and solved per day" }),
    el(
      "p",
      { class: "legend" },
      el("span", { class: "key opened", text: "Opened" }),
      el("span", { class: "key solved", text: "Solved" }),
    ),
    chart,
    el(
      "details",
      {},
      el("summary", { text: "The numbers" }),
      rows.length ? table : el("p", { class: "empty", text: "Nothing happened in this period." }),
    ),
  );
}

function backlog(report: Report): HTMLElement {
  const b = report.backlog;
  const max = Math.max(1, ...b.ages.map((a) => a.tickets));
  const list = el("ul", { class: "bars", "aria-label": "Active tickets by age" });
  for (const a of b.ages) {
    const bar = svg(
      "svg",
      { viewBox: "0 0 100 10", class: "bar", "aria-hidden": "true", preserveAspectRatio: "none" },
      svg("rect", { x: 0, y: 0, height: 10, width: (a.tickets / max) * 100, class: "age" }),
    );
    list.append(
      el(
        "li",
        { "data-age": a.label },
        el("span", { class: "bar-label", text: a.label }),
        bar,
        el("span", { class: "bar-value", text: String(a.tickets) }),
      ),
    );
  }
  return el(
    "section",
    { class: "report-block", "aria-labelledby": "backlog-heading" },
    el("h2", { id: "backlog-heading", text: "Backlog now" }),
    el("p", {
      "data-backlog": String(b.tickets),
      text: `${b.tickets} active: ${b.new} new, ${b.open} open, ${b.waiting} waiting on the customer. Oldest since ${when(b.oldest_created_at)}.`,
    }),
    list,
    b.ages_complete
      ? null
      : el("p", { class: "hint", text: "Ages count the oldest 2000 tickets of each queue." }),
  );
}

/** Tickets by tag: opened in the period with the tag, and still active; each tag a search. */
function tagTable(report: Report): HTMLElement {
  const block = el(
    "section",
    { class: "report-block", "aria-labelledby": "tags-heading" },
    el("h2", { id: "tags-heading", text: "By tag" }),
  );
  if (!report.tags.length) {
    block.append(el("p", { class: "hint", text: "No ticket opened in this period has a tag." }));
    return block;
  }
  const body = el("tbody");
  for (const row of report.tags) {
    body.append(
      el(
        "tr",
        { "data-tag": row.tag },
        el(
          "th",
          { scope: "row" },
          el("a", { href: `#/search?tag=${encodeURIComponent(row.tag)}`, text: row.tag }),
        ),
        el("td", { text: String(row.opened) }),
        el("td", { text: String(row.active) }),
      ),
    );
  }
  block.append(
    el(
      "table",
      { class: "scopes" },
      el("caption", { class: "visually-hidden", text: "Tickets opened in the period, by tag" }),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col", text: "Tag" }),
          el("th", { scope: "col", text: "Opened" }),
          el("th", { scope: "col", text: "Still active" }),
        ),
      ),
      body,
    ),
  );
  return block;
}

/** Categories show what came in and the backlog; agents only what they did. */
const STATE_LABEL: Record<string, string> = {
  arrived: "Working",
  pending: "Checking…",
  missed: "FAILED",
};

/** The self-test's last probe per channel: is mail to each address and the web form reaching us? */
function channels(report: Report): HTMLElement {
  const block = el(
    "section",
    { class: "report-block", "aria-labelledby": "channels-heading" },
    el("h2", { id: "channels-heading", text: "Channel self-test" }),
  );
  if (!report.channels.length) {
    block.append(
      el("p", {
        class: "empty",
        text: "No probes on record yet: the schedule sends them every hour (if the self-test is on).",
      }),
    );
    return block;
  }
  const failing = report.channels.filter((c) => c.state === "missed");
  if (failing.length)
    block.append(
      el("p", {
        class: "notice error",
        role: "alert",
        text: `Not reaching us: ${failing.map((c) => c.channel).join(", ")}.`,
      }),
    );
  block.append(
    el(
      "table",
      { class: "tickets numbers" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...["Channel", "Last probe", "Result", "Took", "Last failure"].map((h) =>
            el("th", { scope: "col", text: h }),
          ),
        ),
      ),
      el(
        "tbody",
        {},
        ...report.channels.map((c) =>
          el(
            "tr",
            { "data-channel": c.channel, class: c.state === "missed" ? "overdue" : undefined },
            el("th", { scope: "row", text: c.channel }),
            el("td", { text: when(c.sent_at) }),
            el("td", {
              text: c.reason
                ? `${STATE_LABEL[c.state] ?? c.state}: ${c.reason}`
                : (STATE_LABEL[c.state] ?? c.state),
            }),
            el("td", {
              text:
                c.took_seconds === null || c.took_seconds === undefined
                  ? "—"
                  : `${c.took_seconds} s`,
            }),
            el("td", { text: when(c.last_missed_at) }),
          ),
        ),
      ),
    ),
  );
  return block;
}

function scopeTable(
  caption: string,
  rows: S["ScopeRow"][],
  kind: "categories" | "agents" | "tiers",
): HTMLElement {
  const heads = [
    "Solved",
    "Closed",
    "SLA kept",
    "First response (median)",
    "Resolution (median)",
    "Satisfaction",
  ];
  const opened = kind !== "agents";
  const categories = kind === "categories";
  if (opened) heads.unshift("Opened");
  if (categories) heads.push("Backlog");
  const cells = (t: Totals, backlog: number | null | undefined) => {
    const values = [
      String(t.solved),
      String(t.closed),
      percent(t.compliance),
      minutes(t.first_response.median),
      minutes(t.resolution.median),
      t.csat == null ? "–" : `${percent(t.csat)} of ${t.rated_good + t.rated_bad}`,
    ];
    if (opened) values.unshift(String(t.opened));
    if (categories) values.push(String(backlog ?? 0));
    return values.map((v) => el("td", { text: v }));
  };
  return el(
    "table",
    { class: "tickets numbers" },
    el("caption", { text: caption }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col", text: "Name" }),
        ...heads.map((h) => el("th", { scope: "col", text: h })),
      ),
    ),
    el(
      "tbody",
      {},
      ...rows.map((r) =>
        el(
          "tr",
          { "data-scope": r.id },
          el("th", { scope: "row", text: r.name }),
          ...cells(r.totals, r.backlog),
        ),
      ),
    ),
  );
}

/** What customers said: the latest ratings, the unhappy ones marked. */
function ratingsList(report: Report): HTMLElement {
  const block = el(
    "section",
    { class: "report-block", "aria-labelledby": "ratings-heading" },
    el("h2", { id: "ratings-heading", text: "What customers said" }),
  );
  if (!report.ratings.length) {
    block.append(el("p", { class: "hint", text: "Nobody rated our help in this period." }));
    return block;
  }
  const list = el("ul", { class: "ratings" });
  for (const r of report.ratings) {
    list.append(
      el(
        "li",
        { "data-rating": r.reference, class: r.score === "bad" ? "overdue" : undefined },
        el("strong", { text: r.score === "good" ? "Good" : "Not good" }),
        " · ",
        el("a", { href: `#/ticket/${encodeURIComponent(r.reference)}`, text: r.reference }),
        ` · ${r.category}${r.assignee ? ` · ${r.assignee}` : ""} · ${r.tier} · ${when(r.at)}`,
        r.comment ? el("blockquote", { text: r.comment }) : "",
      ),
    );
  }
  block.append(list);
  return block;
}

function queries(
  caption: string,
  list: QueryCount[],
  count: (q: QueryCount) => number,
  names: Map<string, string>,
  write = false,
): HTMLElement {
  if (!list.length) return el("p", { class: "empty", text: `${caption}: none.` });
  // A search that found nothing is a question to answer: straight to the FAQ form.
  const writeLink = (q: QueryCount) =>
    el(
      "td",
      {},
      q.category
        ? el("a", {
            href: `#/faq?category=${encodeURIComponent(q.category)}&q=${encodeURIComponent(q.query)}`,
            text: "Write an answer for this",
          })
        : "",
    );
  return el(
    "table",
    { class: "tickets numbers" },
    el("caption", { text: caption }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["Search", "Where", "Times", ...(write ? [""] : [])].map((h) =>
          el("th", { scope: "col", text: h }),
        ),
      ),
    ),
    el(
      "tbody",
      {},
      ...list.map((q) =>
        el(
          "tr",
          { "data-query": q.query },
          el("td", { text: q.query }),
          el("td", { text: q.category ? (names.get(q.category) ?? q.category) : "All categories" }),
          el("td", { text: String(count(q)) }),
          write ? writeLink(q) : "",
        ),
      ),
    ),
  );
}

/** The answers that most often ended a visit without a request (they did their job). */
function answersRead(list: S["AnswerRead"][], names: Map<string, string>): HTMLElement {
  const caption = "Answers read, and visits that then ended without a request";
  if (!list.length) return el("p", { class: "empty", text: `${caption}: none yet.` });
  return el(
    "table",
    { class: "tickets numbers" },
    el("caption", { text: caption }),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...[
          "Answer",
          "Category",
          "Read",
          "Then wrote to us",
          "Ended without a request",
          "Helped (yes / no)",
        ].map((h) => el("th", { scope: "col", text: h })),
      ),
    ),
    el(
      "tbody",
      {},
      ...list.map((a) =>
        el(
          "tr",
          { "data-answer": `${a.category}/${a.entry}` },
          el("td", { text: a.question }),
          el("td", { text: names.get(a.category) ?? a.category }),
          el("td", { text: String(a.opened) }),
          el("td", { text: String(a.then_ticket) }),
          el("td", { text: String(a.without_ticket) }),
          el("td", { text: `${a.helpful} / ${a.unhelpful}` }),
        ),
      ),
    ),
  );
}

let renders = 0;

export async function renderReports(
  main: HTMLElement,
  me: Me,
  params: URLSearchParams,
): Promise<void> {
  // Only the latest of overlapping renders (a second click while loading) draws.
  const mine = ++renders;
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Reports" });
  main.append(heading);
  heading.focus();
  if (me.agent.role === "agent") {
    main.append(
      el("p", { class: "notice error", text: "Reports are for supervisors and admins." }),
    );
    return;
  }
  const query = new URLSearchParams();
  for (const k of ["from", "to", "category"]) {
    const v = params.get(k);
    if (v) query.set(k, v);
  }
  let report: Report;
  try {
    report = await data(
      client.GET("/api/agent/reports", {
        params: { query: Object.fromEntries(query) as ReportQuery },
      }),
    );
    if (mine !== renders) return;
  } catch (e) {
    if (mine !== renders) return;
    const fields = e instanceof ApiError ? (e.body.error.fields ?? []) : [];
    const text = fields.length
      ? fields.map((f) => `${f.field}: ${f.reason}`).join("; ")
      : e instanceof Error
        ? e.message
        : "The report failed.";
    main.append(
      el("p", { class: "notice error", role: "alert", text }),
      el("p", {}, el("a", { href: "#/reports", text: "Show the last 30 days" })),
    );
    return;
  }
  const names = new Map(me.all_categories.map((c) => [c.id, c.name]));
  const from = el("input", {
    id: "report-from",
    name: "from",
    type: "date",
    value: report.period.from,
  });
  const to = el("input", { id: "report-to", name: "to", type: "date", value: report.period.to });
  const category = el("select", { id: "report-category", name: "category" });
  category.append(el("option", { value: "", text: "All" }));
  for (const c of me.all_categories)
    category.append(
      el("option", { value: c.id, text: c.name, selected: c.id === params.get("category") }),
    );
  const csv = el("button", { type: "button", class: "secondary", text: "Download CSV" });
  on(csv, "click", async () => {
    try {
      await download(
        `/reports/csv?${query}`,
        `helpdesk-report-${report.period.from}-${report.period.to}.csv`,
      );
    } catch (e) {
      toast(e instanceof Error ? e.message : "The download failed.");
    }
  });
  const form = el(
    "form",
    { class: "filters", "aria-label": "Report period" },
    el("div", { class: "field" }, el("label", { for: "report-from", text: "From" }), from),
    el("div", { class: "field" }, el("label", { for: "report-to", text: "To" }), to),
    el(
      "div",
      { class: "field" },
      el("label", { for: "report-category", text: "Category" }),
      category,
    ),
    el("div", { class: "field buttons" }, el("button", { type: "submit", text: "Show" }), csv),
  );
  on(form, "submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (from.value) next.set("from", from.value);
    if (to.value) next.set("to", to.value);
    if (category.value) next.set("category", category.value);
    const hash = `#/reports?${next}`;
    // The same period again is a refresh: no hash change would fire.
    if (location.hash === hash) void renderReports(main, me, next);
    else location.hash = hash;
  });
  const t = report.totals;
  main.append(
    form,
    el("p", {
      class: "hint",
      text: `Days are UTC. Times are business minutes of each category's hours, estimated to within a bucket. Generated ${when(report.generated_at)}.`,
    }),
    el(
      "div",
      { class: "tiles", "aria-label": "Totals" },
      tile("Opened", String(t.opened)),
      tile("Solved", String(t.solved), t.reopened ? `${t.reopened} reopened` : ""),
      tile("Closed", String(t.closed)),
      tile("SLA kept", percent(t.compliance), `${t.met} kept, ${t.missed} missed`),
      tile("First response", minutes(t.first_response.median), time(t.first_response)),
      tile("Resolution", minutes(t.resolution.median), time(t.resolution)),
    ),
    dailyChart(report),
    backlog(report),
    channels(report),
    el(
      "section",
      { class: "report-block", "aria-labelledby": "scopes-heading" },
      el("h2", { id: "scopes-heading", text: "By category, agent and tier" }),
      scopeTable("Categories", report.categories, "categories"),
      scopeTable("Agents (their assigned tickets)", report.agents, "agents"),
      scopeTable(
        "Tiers (a ticket counts in the tier it had when each thing happened)",
        report.tiers,
        "tiers",
      ),
    ),
    ratingsList(report),
    tagTable(report),
    el(
      "section",
      { class: "report-block", "aria-labelledby": "faq-heading" },
      el("h2", { id: "faq-heading", text: "Help center searches" }),
      el("p", {
        text: `${report.faq.searches} searches, ${report.faq.zero_results} without an answer.`,
      }),
      queries(
        "Searched without an answer",
        report.faq.unanswered,
        (q) => q.zero_results,
        names,
        true,
      ),
      queries("Most searched", report.faq.top, (q) => q.searches, names),
      answersRead(report.faq.ended_without_ticket, names),
    ),
  );
}
