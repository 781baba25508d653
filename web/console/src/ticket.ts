// One ticket: the thread, the reply editor, internal notes, and the controls for
// assignment, status, priority and category. Every change carries the version
// this screen shows; if someone else changed the ticket, nothing is saved and the
// page says what changed while keeping the draft.

import { ApiError, client, data } from "./api";
import type { paths } from "./api.gen";
import { clear, el, on, toast, when } from "./dom";
import { fileField, type Uploaded } from "./files";
import { cannedFor, faqDraftForm, fill } from "./library";
import { type DraftKind, loadDraft, saveDraft } from "./speed";
import type { Conflict, Entry, Me, Priority, Status, Ticket, TicketView, Tier } from "./types";
import { STATUS_LABEL } from "./types";

const KIND_LABEL: Record<Entry["kind"], string> = {
  customer: "Customer",
  agent_reply: "Reply",
  internal_note: "Internal note",
  system_event: "Event",
};

function entry(e: Entry, reference: string, toFaq?: (e: Entry) => void): HTMLElement {
  const files = e.attachments.length
    ? el(
        "ul",
        { class: "files" },
        ...e.attachments.map((a) =>
          el(
            "li",
            {},
            el("a", {
              href: a.url,
              download: a.filename,
              rel: "noopener",
              text: `${a.filename} (${Math.ceil(a.size / 1024)} KB)`,
            }),
          ),
        ),
      )
    : null;
  return el(
    "article",
    { class: `entry ${e.kind}`, "data-entry": e.id },
    el(
      "header",
      {},
      el("span", { class: "kind", text: KIND_LABEL[e.kind] }),
      el("strong", { text: e.author }),
      el("time", { datetime: e.created_at, text: when(e.created_at) }),
      e.kind === "customer"
        ? el("span", { class: "why", text: `threaded by ${e.threaded_by.replaceAll("_", " ")}` })
        : null,
      verdicts(e),
      e.cc.length ? el("span", { class: "cc", text: `Cc: ${e.cc.join(", ")}` }) : null,
    ),
    el("div", { class: "body", text: e.body }),
    toFaq && e.kind === "agent_reply" ? faqButton(e, toFaq) : null,
    e.full_text
      ? el(
          "details",
          {},
          el("summary", { text: "Show the whole mail" }),
          el("div", { class: "body", text: e.full_text }),
        )
      : null,
    formatted(e, reference),
    files,
  );
}

/// What the receiving server's checks said of a mail's sender (SPF, DKIM, DMARC),
/// so an agent sees a mail whose From address may not be its sender's.
function verdicts(e: Entry): HTMLElement | null {
  const a = e.authentication;
  if (!a) return null;
  const checks: [string, string | null | undefined][] = [
    ["SPF", a.spf],
    ["DKIM", a.dkim],
    ["DMARC", a.dmarc],
  ];
  const shown = checks
    .map(([name, result]) => `${name} ${result ? result.toLowerCase() : "none"}`)
    .join(" · ");
  const failed = checks.some(([, result]) => result && /fail/i.test(result));
  return el("span", {
    class: failed ? "verdicts failed" : "verdicts",
    "data-verdicts": shown,
    title: "What the receiving mail server checked about the sender",
    text: shown,
  });
}

/// The mail as its sender formatted it: the sanitized HTML (remote images already
/// removed) in a sandboxed frame — no scripts, no forms, no access to the console —
/// with its inline `cid:` images pointed at their attachment links. Built when
/// first opened. Remote images (they tell the sender the mail was opened) load
/// only when the agent asks.
function formatted(e: Entry, reference: string): HTMLElement | null {
  const html = e.html;
  if (!html) return null;
  const details = el(
    "details",
    { class: "formatted" },
    el("summary", { text: "Show the mail as formatted" }),
  );
  details.addEventListener("toggle", () => {
    if (!details.open || details.querySelector("iframe")) return;
    const frame = el("iframe", {
      sandbox: "",
      referrerpolicy: "no-referrer",
      title: `The mail from ${e.author}, as formatted`,
    });
    frame.srcdoc = withInlineImages(html, e.attachments);
    const blocked = e.remote_images_blocked;
    if (blocked > 0) {
      const load = el("button", {
        type: "button",
        class: "link",
        text: `Load ${blocked} remote image${blocked === 1 ? "" : "s"} (the sender may learn you opened the mail)`,
      });
      on(load, "click", async () => {
        load.setAttribute("disabled", "");
        try {
          const answer = await data(
            client.GET("/api/agent/tickets/{reference}/messages/{id}/remote-images", {
              params: { path: { reference, id: e.id } },
            }),
          );
          frame.srcdoc = withInlineImages(answer.html, e.attachments);
          load.replaceWith(el("p", { class: "hint", text: "Remote images loaded." }));
        } catch (err) {
          load.removeAttribute("disabled");
          toast(err instanceof ApiError ? err.message : "The images could not be loaded.");
        }
      });
      details.append(load);
    }
    details.append(frame);
  });
  return details;
}

/// `<img src="cid:…">` → the matching attachment's link; an image whose part is
/// missing loses its source rather than pointing anywhere.
function withInlineImages(html: string, files: Entry["attachments"]): string {
  const byCid = new Map<string, string>();
  for (const f of files) if (f.content_id) byCid.set(f.content_id.toLowerCase(), f.url);
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const img of Array.from(doc.querySelectorAll("img[src]"))) {
    const src = img.getAttribute("src") ?? "";
    if (!/^cid:/i.test(src)) continue;
    let id = src.slice(4);
    try {
      id = decodeURIComponent(id);
    } catch {
      // A malformed escape: match the text as it is.
    }
    const url = byCid.get(id.replace(/^<|>$/g, "").toLowerCase());
    if (url) img.setAttribute("src", url);
    else img.removeAttribute("src");
  }
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"></head><body>${doc.body.innerHTML}</body></html>`;
}

function faqButton(e: Entry, toFaq: (e: Entry) => void): HTMLElement {
  const b = el("button", { type: "button", class: "link", text: "Add this answer to the FAQ" });
  on(b, "click", () => toFaq(e));
  return b;
}

interface State {
  view: TicketView;
  drafts: { reply: string; note: string };
  /// Files uploaded for the reply being written.
  files: Uploaded[];
  /// The macro the reply was inserted from: its actions go with it.
  macro?: { id: string; title: string; text: string };
  /// The answer being turned into an FAQ draft, if any.
  faqFrom?: Entry;
}

/** The routes that change a ticket, each taking its version and what the agent saw. */
type ChangePath =
  | "replies"
  | "notes"
  | "status"
  | "priority"
  | "tier"
  | "assignee"
  | "category"
  | "cc"
  | "tags"
  | "merge"
  | "forward";
type ChangeRoute<P extends ChangePath> = `/api/agent/tickets/{reference}/${P}`;
type ChangeRequest<P extends ChangePath> = NonNullable<
  paths[ChangeRoute<P>]["post"]["requestBody"]
>["content"]["application/json"];
/** A change's own fields: the helper adds `version` and `last_seen`. */
type ChangeBody<P extends ChangePath> = Omit<ChangeRequest<P>, "version" | "last_seen">;

export async function renderTicket(main: HTMLElement, me: Me, reference: string): Promise<void> {
  let view: TicketView;
  try {
    view = await data(
      client.GET("/api/agent/tickets/{reference}", { params: { path: { reference } } }),
    );
  } catch (e) {
    clear(main);
    const message =
      e instanceof ApiError && e.status === 404
        ? "No such ticket in your categories."
        : "The ticket could not be loaded.";
    const h = el("h1", { tabindex: "-1", text: message });
    main.append(h, el("p", {}, el("a", { href: "#/view/unassigned", text: "Back to the queue" })));
    h.focus();
    return;
  }
  const drafts = {
    reply: loadDraft(me.agent.id, reference, "reply"),
    note: loadDraft(me.agent.id, reference, "note"),
  };
  draw(main, me, { view, drafts, files: [] }, true);
}

function draw(main: HTMLElement, me: Me, state: State, focus: boolean, notice?: HTMLElement): void {
  const { ticket, thread } = state.view;
  const toFaq = (e: Entry) => {
    state.faqFrom = e;
    draw(main, me, state, false);
    document.getElementById("faq-question")?.focus();
  };
  clear(main);
  const heading = el(
    "h1",
    { tabindex: "-1" },
    el("span", { class: "ref", text: ticket.reference }),
    " ",
    ticket.subject,
  );
  const facts = el(
    "dl",
    { class: "facts" },
    el("dt", { text: "Requester" }),
    el(
      "dd",
      {},
      `${ticket.requester.name} <`,
      el("a", {
        href: `#/customer/${encodeURIComponent(ticket.requester.email)}`,
        title: "The customer's page",
        text: ticket.requester.email,
      }),
      ">",
      ticket.email_verified
        ? null
        : el("span", {
            class: "unverified",
            "data-fact": "email-unverified",
            title:
              "Anyone could have typed this address into the form: they have not opened a link we mailed to it yet. Their other tickets are not shown.",
            text: " email not verified",
          }),
    ),
    el("dt", { text: "Status" }),
    el("dd", { "data-fact": "status", text: STATUS_LABEL[ticket.status] }),
    el("dt", { text: "Assignee" }),
    el("dd", { "data-fact": "assignee", text: nameOf(me, ticket.assignee) }),
    el("dt", { text: "Due" }),
    el("dd", {
      class: ticket.overdue ? "overdue" : undefined,
      text: ticket.due_at
        ? `${when(ticket.due_at)}${ticket.overdue ? " (overdue)" : ""}`
        : "No clock running",
    }),
    el("dt", { text: "SLA" }),
    el("dd", { "data-fact": "sla", text: clockText(ticket) }),
    el("dt", { text: "Tier" }),
    el("dd", { "data-fact": "tier", text: ticket.tier === "premium" ? "Premium" : "Standard" }),
    el("dt", { text: "Language" }),
    el("dd", { "data-fact": "language", text: ticket.language === "de" ? "German" : "English" }),
    ...(ticket.rating
      ? [
          el("dt", { text: "Customer's rating" }),
          el("dd", {
            "data-fact": "rating",
            class: ticket.rating.score === "bad" ? "overdue" : undefined,
            text: `${ticket.rating.score === "good" ? "Good" : "Not good"}${
              ticket.rating.comment ? `: “${ticket.rating.comment}”` : ""
            } (${when(ticket.rating.at)})`,
          }),
        ]
      : []),
    ...state.view.fields.flatMap((f) => [
      el("dt", { text: f.label }),
      el("dd", { "data-detail": f.name, text: f.value }),
    ]),
  );
  const sla = state.view.sla
    ? el("p", {
        class: "sla",
        text: `Targets (${state.view.sla.policy}): first response ${state.view.sla.first_response}, next ${state.view.sla.next_response}, resolution ${state.view.sla.resolution}.`,
      })
    : null;

  const last = thread.length ? thread[thread.length - 1].id : undefined;
  /** The draft in the page and in this browser (restored after a reload). */
  const keep = (kind: DraftKind, text: string) => {
    state.drafts[kind] = text;
    saveDraft(me.agent.id, ticket.reference, kind, text);
  };
  const change = async <P extends ChangePath>(path: P, body: ChangeBody<P>, done: string) => {
    try {
      const result = await data(
        // One call for every change route: TypeScript cannot pick the overload of a
        // path built from a union, so the path is named as one of them; `ChangeBody`
        // has already checked the body against the chosen route's schema.
        client.POST(`/api/agent/tickets/{reference}/${path}` as ChangeRoute<"replies">, {
          params: { path: { reference: ticket.reference } },
          body: { version: ticket.version, last_seen: last, ...body } as ChangeRequest<"replies">,
        }),
      );
      state.view.ticket = result.ticket;
      state.view.thread = [...thread, ...result.entries];
      if (path === "replies") {
        keep("reply", "");
        state.files = [];
        state.macro = undefined;
      }
      if (path === "notes") keep("note", "");
      // Said once, beside the thread (a toast as well would cover the controls).
      draw(main, me, state, false, el("p", { class: "notice ok", role: "status", text: done }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const conflict = e.body as unknown as Conflict;
        state.view.ticket = conflict.ticket;
        state.view.thread = [...thread, ...conflict.since];
        const what = conflict.since.map(
          (s) => `${s.author}: ${s.body.split("\n")[0].slice(0, 120)}`,
        );
        draw(
          main,
          me,
          state,
          false,
          el(
            "div",
            { class: "notice conflict", role: "alert" },
            el("strong", {
              text: "Someone changed this ticket while you were on it. Nothing was saved.",
            }),
            what.length
              ? el("ul", {}, ...what.map((w) => el("li", { text: w })))
              : el("p", { text: "Its status or assignment changed." }),
            el("p", {
              text: "Your draft is still below. Read what changed, then send again if it still fits.",
            }),
          ),
        );
      } else if (e instanceof ApiError) {
        const reasons = e.body.error.fields?.map((f) => `${f.field}: ${f.reason}`).join("; ");
        draw(
          main,
          me,
          state,
          false,
          el("p", { class: "notice error", role: "alert", text: reasons || e.message }),
        );
      } else {
        draw(
          main,
          me,
          state,
          false,
          el("p", {
            class: "notice error",
            role: "alert",
            text: "The change could not be sent. Check your connection and try again.",
          }),
        );
      }
    }
  };

  const controls = el("section", { class: "controls", "aria-label": "Ticket controls" });
  const statusSelect = el("select", { id: "status-select" });
  for (const [v, label] of Object.entries(STATUS_LABEL))
    statusSelect.append(el("option", { value: v, text: label, selected: v === ticket.status }));
  const prioritySelect = el("select", { id: "priority-select" });
  for (const p of ["low", "normal", "high", "urgent"])
    prioritySelect.append(el("option", { value: p, text: p, selected: p === ticket.priority }));
  const tierSelect = el("select", { id: "tier-select" });
  for (const [t, label] of [
    ["standard", "Standard"],
    ["premium", "Premium"],
  ] as const)
    tierSelect.append(el("option", { value: t, text: label, selected: t === ticket.tier }));
  const categorySelect = el("select", { id: "category-select" });
  for (const c of allCategories(me))
    categorySelect.append(
      el("option", { value: c.id, text: c.name, selected: c.id === ticket.category }),
    );
  on(
    statusSelect,
    "change",
    () =>
      void change(
        "status",
        // The select's options are the statuses themselves.
        { status: statusSelect.value as Status },
        `Status set to ${STATUS_LABEL[statusSelect.value as Status]}.`,
      ),
  );
  on(
    prioritySelect,
    "change",
    () =>
      void change(
        "priority",
        { priority: prioritySelect.value as Priority },
        `Priority set to ${prioritySelect.value}.`,
      ),
  );
  on(
    tierSelect,
    "change",
    () =>
      void change(
        "tier",
        { tier: tierSelect.value as Tier },
        `Tier set to ${tierSelect.value}: the promises follow it.`,
      ),
  );
  on(
    categorySelect,
    "change",
    () => void change("category", { category: categorySelect.value }, "Ticket moved."),
  );
  const mergeInto = el("input", {
    id: "merge-into",
    autocomplete: "off",
    placeholder: "ABCDE-12345",
  });
  const mergeButton = el("button", { type: "submit", class: "secondary", text: "Merge" });
  const mergeForm = el(
    "form",
    { class: "merge", "aria-label": "Merge this ticket" },
    el("label", { for: "merge-into", text: "Merge into ticket (closes this one)" }),
    el("div", { class: "inline" }, mergeInto, mergeButton),
  );
  on(mergeForm, "submit", (e) => {
    e.preventDefault();
    const into = mergeInto.value.trim();
    if (into) void change("merge", { into }, `Merged into ${into}.`);
  });
  // Tags: each with its own remove button, and one box to add more (suggesting
  // the tags in use).
  const tagInput = el("input", {
    id: "tag-add",
    list: "tags-in-use",
    autocomplete: "off",
    maxlength: "32",
    placeholder: "refund",
  });
  const suggestions = el("datalist", { id: "tags-in-use" });
  void data(client.GET("/api/agent/tags"))
    .then((r) => suggestions.replaceChildren(...r.tags.map((t) => el("option", { value: t }))))
    .catch(() => undefined);
  const tagForm = el(
    "form",
    { class: "tags", "aria-label": "Tags" },
    el("span", { class: "label", text: "Tags" }),
    ...ticket.tags.map((tag) => {
      const remove = el("button", {
        type: "button",
        class: "secondary tag",
        "aria-label": `Remove tag ${tag}`,
        text: `${tag} ×`,
      });
      on(
        remove,
        "click",
        () => void change("tags", { add: [], remove: [tag] }, `Untagged ${tag}.`),
      );
      return remove;
    }),
    el("label", { for: "tag-add", class: "visually-hidden", text: "Add a tag" }),
    tagInput,
    suggestions,
    el("button", { type: "submit", class: "secondary", text: "Add tag" }),
  );
  on(tagForm, "submit", (e) => {
    e.preventDefault();
    const tag = tagInput.value.trim();
    if (tag) void change("tags", { add: [tag], remove: [] }, `Tagged ${tag.toLowerCase()}.`);
  });
  controls.append(
    tagForm,
    el(
      "div",
      { class: "field" },
      el("label", { for: "status-select", text: "Status" }),
      statusSelect,
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: "priority-select", text: "Priority" }),
      prioritySelect,
    ),
    el("div", { class: "field" }, el("label", { for: "tier-select", text: "Tier" }), tierSelect),
    el(
      "div",
      { class: "field" },
      el("label", { for: "category-select", text: "Category" }),
      categorySelect,
    ),
  );
  if (me.agent.role === "agent") {
    const mine = ticket.assignee === me.agent.id;
    if (!ticket.assignee || mine) {
      const b = el("button", {
        type: "button",
        class: "secondary",
        text: mine ? "Unassign me" : "Take it",
        "data-shortcut": mine ? "drop" : "take",
      });
      on(
        b,
        "click",
        () =>
          void change(
            "assignee",
            { agent: mine ? null : me.agent.id },
            mine ? "You dropped the ticket." : "The ticket is yours.",
          ),
      );
      controls.append(b);
    }
  } else {
    const who = el("select", { id: "assignee-select" });
    who.append(el("option", { value: "", text: "Nobody", selected: !ticket.assignee }));
    for (const a of me.colleagues.filter(
      (c) => c.role !== "agent" || c.categories.includes(ticket.category),
    )) {
      who.append(el("option", { value: a.id, text: a.name, selected: a.id === ticket.assignee }));
    }
    on(
      who,
      "change",
      () => void change("assignee", { agent: who.value || null }, "Assignment changed."),
    );
    controls.append(
      el("div", { class: "field" }, el("label", { for: "assignee-select", text: "Assignee" }), who),
    );
  }
  if (!ticket.merged_into && ticket.status !== "closed") controls.append(mergeForm);
  controls.append(ccControl(ticket.cc, (cc) => void change("cc", { cc }, "Cc saved.")));

  const replyBox = el("textarea", { id: "reply-body", rows: "6", required: true });
  replyBox.value = state.drafts.reply;
  on(replyBox, "input", () => keep("reply", replyBox.value));
  const send = el("button", { type: "submit", text: "Send reply" });
  const solve = el("button", { type: "button", class: "secondary", text: "Send and mark solved" });
  const cannedSelect = el(
    "select",
    { id: "canned-select" },
    el("option", { value: "", text: "Choose…" }),
  );
  const insert = el("button", { type: "button", class: "secondary", text: "Insert" });
  const cannedBox = el(
    "div",
    { class: "canned" },
    el("label", { for: "canned-select", text: "Canned reply" }),
    cannedSelect,
    insert,
  );
  const replyError = el("p", {
    id: "reply-error",
    class: "field-error",
    role: "alert",
    hidden: true,
    text: "Write your reply first: an empty reply is not sent.",
  });
  replyBox.setAttribute("aria-describedby", "reply-error");
  on(replyBox, "input", () => {
    if (replyBox.value.trim()) {
      replyError.hidden = true;
      replyBox.removeAttribute("aria-invalid");
    }
  });
  // Said where it matters: the placeholder becomes the customer's private link.
  const linkHint = el("p", {
    class: "hint",
    hidden: true,
    text: '{{tracking_link}} becomes the customer\'s private link in the mail (on their page it reads "this page").',
  });
  const showLinkHint = () => {
    linkHint.hidden = !replyBox.value.includes("{{tracking_link}}");
  };
  on(replyBox, "input", showLinkHint);
  showLinkHint();
  void cannedFor(ticket.category).then((list) => {
    if (!list.length) {
      cannedBox.replaceChildren(
        el(
          "p",
          { class: "hint" },
          "No canned replies for this category yet. ",
          el("a", { href: "#/canned", text: "Write one under Canned replies" }),
          ".",
        ),
      );
    }
    for (const c of list) cannedSelect.append(el("option", { value: c.id, text: c.title }));
    on(insert, "click", () => {
      const chosen = list.find((c) => c.id === cannedSelect.value);
      if (!chosen) return;
      state.macro = chosen.actions_text
        ? { id: chosen.id, title: chosen.title, text: chosen.actions_text }
        : undefined;
      showMacro();
      // Inserted for editing, never sent as is.
      const text = fill(chosen.body, me, ticket);
      replyBox.value = replyBox.value.trim() ? `${replyBox.value.trimEnd()}\n\n${text}` : text;
      keep("reply", replyBox.value);
      showLinkHint();
      replyBox.focus();
    });
  });
  // A macro's actions, said before sending: they happen with the reply.
  const macroNote = el("div", { class: "notice macro", role: "status", hidden: true });
  const showMacro = () => {
    const m = state.macro;
    macroNote.hidden = !m;
    if (!m) return;
    const drop = el("button", { type: "button", class: "link", text: "Send without the actions" });
    on(drop, "click", () => {
      state.macro = undefined;
      showMacro();
    });
    macroNote.replaceChildren(
      el("strong", { text: `Macro "${m.title}": ` }),
      `sending this reply ${m.text}. `,
      drop,
    );
  };
  showMacro();
  const attach = fileField(state.files);
  const replyForm = el(
    "form",
    { class: "composer", "aria-label": "Reply to the customer", novalidate: true },
    cannedBox,
    el("label", { for: "reply-body", text: `Reply to ${ticket.requester.name} (sent by email)` }),
    replyBox,
    replyError,
    linkHint,
    macroNote,
    attach.box,
    el("div", { class: "buttons" }, send, solve),
  );
  const sendReply = (solved: boolean) => {
    if (!replyBox.value.trim()) {
      replyError.hidden = false;
      replyBox.setAttribute("aria-invalid", "true");
      replyBox.focus();
      return;
    }
    if (attach.busy()) {
      toast("Wait until the files are uploaded, then send.");
      return;
    }
    void change(
      "replies",
      {
        body: replyBox.value,
        solve: solved,
        attachments: state.files.map((f) => f.key),
        macro: state.macro?.id ?? null,
      },
      solved ? "Reply sent; the ticket is solved." : "Reply sent.",
    );
  };
  on(replyForm, "submit", (e) => {
    e.preventDefault();
    sendReply(false);
  });
  on(solve, "click", () => sendReply(true));

  const noteBox = el("textarea", { id: "note-body", rows: "3", required: true });
  noteBox.value = state.drafts.note;
  on(noteBox, "input", () => keep("note", noteBox.value));
  const noteForm = el(
    "form",
    { class: "composer note", "aria-label": "Internal note" },
    el("label", { for: "note-body", text: "Internal note (agents only, never mailed)" }),
    noteBox,
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "submit", class: "secondary", text: "Add note" }),
    ),
  );
  on(noteForm, "submit", (e) => {
    e.preventDefault();
    if (noteBox.value.trim()) void change("notes", { body: noteBox.value }, "Note added.");
  });

  const forwardTo = el("input", { id: "forward-to", type: "email", autocomplete: "off" });
  const forwardNote = el("textarea", { id: "forward-note", rows: "3" });
  const forwardForm = el(
    "form",
    { class: "composer note", "aria-label": "Forward to someone outside" },
    el("h2", { text: "Forward to someone outside" }),
    el("p", {
      class: "hint",
      text: "They get your note and the conversation, never the customer's link; their answer comes back here, for agents only.",
    }),
    el(
      "div",
      { class: "field" },
      el("label", { for: "forward-to", text: "Their email" }),
      forwardTo,
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: "forward-note", text: "Your note to them" }),
      forwardNote,
    ),
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "submit", class: "secondary", text: "Forward" }),
    ),
  );
  on(forwardForm, "submit", (e) => {
    e.preventDefault();
    void change(
      "forward",
      { to: forwardTo.value.trim(), note: forwardNote.value },
      `Forwarded to ${forwardTo.value.trim()}.`,
    );
  });

  const others = state.view.requester_tickets.length
    ? el(
        "section",
        { class: "others", "aria-label": "The requester's other tickets" },
        el("h2", { text: "Other tickets of this requester" }),
        el(
          "ul",
          {},
          ...state.view.requester_tickets.map((t) =>
            el(
              "li",
              {},
              el("a", { href: `#/ticket/${t.reference}`, text: `${t.reference} ${t.subject}` }),
              ` (${STATUS_LABEL[t.status]})`,
            ),
          ),
        ),
      )
    : null;

  const firstQuestion = state.view.thread.find((e) => e.kind === "customer");
  const faqForm = state.faqFrom
    ? faqDraftForm(
        me,
        ticket,
        firstQuestion ? firstQuestion.body.split("\n")[0].slice(0, 300) : ticket.subject,
        state.faqFrom.body,
        () => {
          state.faqFrom = undefined;
          void renderTicket(main, me, ticket.reference);
        },
      )
    : "";
  main.append(
    el("p", {}, el("a", { href: "#/view/unassigned", text: "← Queue" })),
    heading,
    ticket.merged_into
      ? el(
          "p",
          { class: "notice", role: "note" },
          "Merged into ",
          el("a", { href: `#/ticket/${ticket.merged_into}`, text: ticket.merged_into }),
          "; mail to this ticket goes there.",
        )
      : "",
    notice ?? "",
    el(
      "div",
      { class: "ticket-layout" },
      el(
        "div",
        { class: "thread-column" },
        el(
          "section",
          { class: "thread", "aria-label": "Thread" },
          ...state.view.thread.map((e) => entry(e, ticket.reference, toFaq)),
        ),
        faqForm,
        replyForm,
        noteForm,
        forwardForm,
      ),
      el("aside", {}, facts, sla, controls, others),
    ),
  );
  if (focus) heading.focus();
  else if (notice) notice.scrollIntoView({ block: "nearest" });
}

function nameOf(me: Me, id: string | null | undefined): string {
  if (!id) return "Nobody";
  return me.colleagues.find((c) => c.id === id)?.name ?? id;
}

/// Where a ticket can be moved: any category (moving hands it to that team).
function allCategories(me: Me): { id: string; name: string }[] {
  return me.all_categories;
}

const STAGE_LABEL: Record<Ticket["clocks"][number]["stage"], string> = {
  on_track: "on track",
  warned: "due soon",
  breached: "breached",
  escalated: "escalated to supervisors",
};

/** "first response: due soon (Mon 30 Nov, 12:00) · resolution: paused"; how many targets were kept. */
function clockText(ticket: Ticket): string {
  const clocks = ticket.clocks.map((c) => {
    const what = c.target.replace("_", " ");
    if (!c.running) return `${what}: paused`;
    return `${what}: ${STAGE_LABEL[c.stage]}${c.due_at ? ` (${when(c.due_at)})` : ""}`;
  });
  const kept =
    ticket.targets_met + ticket.targets_missed > 0
      ? ` · targets kept ${ticket.targets_met} of ${ticket.targets_met + ticket.targets_missed}`
      : "";
  return (clocks.join(" · ") || "No clock") + kept;
}

/** Who is copied on our replies: remove one, or add an address. */
function ccControl(cc: string[], save: (cc: string[]) => void): HTMLElement {
  const list = el(
    "ul",
    { class: "cc-list" },
    ...cc.map((address) => {
      const remove = el("button", { type: "button", class: "link", text: `Remove ${address}` });
      on(remove, "click", () => save(cc.filter((a) => a !== address)));
      return el("li", { "data-cc": address }, `${address} `, remove);
    }),
  );
  const input = el("input", { id: "cc-add", type: "email", autocomplete: "off" });
  const form = el(
    "form",
    { class: "cc-form", "aria-label": "Copy someone on replies" },
    el("label", { for: "cc-add", text: "Cc on our replies" }),
    cc.length ? list : el("p", { class: "hint", text: "Nobody is copied." }),
    el(
      "div",
      { class: "inline" },
      input,
      el("button", { type: "submit", class: "secondary", text: "Add" }),
    ),
  );
  on(form, "submit", (e) => {
    e.preventDefault();
    const address = input.value.trim();
    if (address) save([...cc, address]);
  });
  return form;
}
