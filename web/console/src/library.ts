// Canned replies and the FAQ: the pages that keep them, and the helpers the ticket
// view uses to insert a canned reply and to turn an answer into an FAQ draft.
import { ApiError, client, completed, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, toast } from "./dom";
import type { Canned, Me, Ticket } from "./types";

type S = components["schemas"];

export async function cannedFor(category: string): Promise<Canned[]> {
  const { items } = await data(client.GET("/api/agent/canned"));
  return items.filter((c) => c.category === null || c.category === category);
}

/// A canned reply with the placeholders this screen knows filled in; the tracking
/// link is put in by the mail itself.
export function fill(text: string, me: Me, ticket: Ticket): string {
  return text
    .replaceAll("{{customer_name}}", ticket.requester.name)
    .replaceAll("{{reference}}", ticket.reference)
    .replaceAll("{{agent_name}}", me.profile.public_name);
}

function problem(e: unknown): string {
  if (e instanceof ApiError)
    return e.body.error.fields?.map((f) => `${f.field}: ${f.reason}`).join("; ") || e.message;
  return "The request failed; try again.";
}

/// The "add this answer to the FAQ" form, prefilled; the agent cleans it first.
export function faqDraftForm(
  me: Me,
  ticket: Ticket,
  question: string,
  answer: string,
  done: () => void,
): HTMLElement {
  const q = el("input", { id: "faq-question", value: question });
  q.value = question;
  const a = el("textarea", { id: "faq-answer", rows: "5" });
  a.value = answer;
  const publish = el("input", { id: "faq-publish", type: "checkbox" });
  const error = el("p", { class: "notice error", role: "alert", hidden: true });
  const form = el(
    "form",
    { class: "composer faq-draft", "aria-label": "New FAQ entry" },
    el("h2", { text: "Add this answer to the FAQ" }),
    el("p", {
      class: "hint",
      text: "Remove names, order numbers and anything else personal before saving.",
    }),
    error,
    el("div", { class: "field" }, el("label", { for: "faq-question", text: "Question" }), q),
    el("div", { class: "field" }, el("label", { for: "faq-answer", text: "Answer" }), a),
    me.agent.role === "agent"
      ? null
      : el(
          "div",
          { class: "field check" },
          publish,
          el("label", { for: "faq-publish", text: "Publish now" }),
        ),
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "submit", text: me.agent.role === "agent" ? "Save draft" : "Save" }),
    ),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      await data(
        client.POST("/api/agent/faq", {
          body: {
            category: ticket.category,
            question: q.value,
            answer: a.value,
            published: publish.checked,
            source_ticket: ticket.reference,
          },
        }),
      );
      toast(publish.checked ? "FAQ entry published." : "FAQ draft saved.");
      done();
    } catch (err) {
      error.hidden = false;
      error.textContent = problem(err);
    }
  });
  return form;
}

export async function renderCanned(main: HTMLElement, me: Me): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Canned replies" });
  const list = el("ul", { class: "library" });
  const draw = async () => {
    clear(list);
    const { items, placeholders } = await data(client.GET("/api/agent/canned"));
    hint.textContent = `Placeholders: ${placeholders.map((p) => `${p.placeholder} (${p.meaning})`).join(", ")}.`;
    for (const c of items) {
      const remove = el("button", {
        type: "button",
        class: "secondary",
        text: `Delete ${c.title}`,
      });
      on(remove, "click", async () => {
        try {
          await completed(
            client.DELETE("/api/agent/canned/{id}", { params: { path: { id: c.id } } }),
          );
          toast("Canned reply deleted.");
          await draw();
        } catch (err) {
          toast(problem(err));
        }
      });
      list.append(
        el(
          "li",
          {},
          el("h2", { text: `${c.title} · ${c.category ?? "all categories"}` }),
          c.actions_text
            ? el("p", { class: "macro", text: `Macro: sending it ${c.actions_text}.` })
            : null,
          el("p", { class: "body", text: c.body }),
          remove,
        ),
      );
    }
  };
  const hint = el("p", { class: "hint" });
  const title = el("input", { id: "canned-title" });
  const body = el("textarea", { id: "canned-body", rows: "5" });
  const category = el("select", { id: "canned-category" });
  if (me.agent.role !== "agent")
    category.append(el("option", { value: "", text: "All categories" }));
  for (const c of me.categories) category.append(el("option", { value: c.id, text: c.name }));
  const error = el("p", { class: "notice error", role: "alert", hidden: true });
  const actions = me.agent.role === "agent" ? null : macroFields(me);
  const form = el(
    "form",
    { class: "composer", "aria-label": "New canned reply" },
    el("h2", { text: "New canned reply" }),
    error,
    el("div", { class: "field" }, el("label", { for: "canned-title", text: "Title" }), title),
    el("div", { class: "field" }, el("label", { for: "canned-body", text: "Text" }), body),
    el(
      "div",
      { class: "field" },
      el("label", { for: "canned-category", text: "Category" }),
      category,
    ),
    actions?.box ?? null,
    el("button", { type: "submit", text: "Save canned reply" }),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      await data(
        client.POST("/api/agent/canned", {
          body: {
            title: title.value,
            body: body.value,
            category: category.value || null,
            actions: actions?.value() ?? null,
          },
        }),
      );
      title.value = "";
      body.value = "";
      error.hidden = true;
      toast("Canned reply saved.");
      await draw();
    } catch (err) {
      error.hidden = false;
      error.textContent = problem(err);
    }
  });
  main.append(heading, hint, form, list);
  heading.focus();
  await draw();
}

export async function renderFaq(main: HTMLElement, me: Me, params: URLSearchParams): Promise<void> {
  clear(main);
  const chosen = params.get("category") ?? me.categories[0]?.id ?? "";
  const heading = el("h1", { tabindex: "-1", text: "FAQ" });
  const picker = el("select", { id: "faq-category" });
  for (const c of me.categories)
    picker.append(el("option", { value: c.id, text: c.name, selected: c.id === chosen }));
  on(picker, "change", () => (location.hash = `#/faq?category=${picker.value}`));
  const list = el("ul", { class: "library" });
  main.append(
    heading,
    el("div", { class: "field" }, el("label", { for: "faq-category", text: "Category" }), picker),
    list,
  );
  heading.focus();
  if (!chosen) return;
  const { items } = await data(
    client.GET("/api/agent/faq", { params: { query: { category: chosen } } }),
  );
  if (!items.length) list.append(el("li", { class: "empty", text: "No entries yet." }));
  for (const entry of items) {
    const item = el(
      "li",
      { "data-faq": entry.id },
      el("h2", { text: entry.question }),
      el("p", { class: "status", text: entry.published ? "Published" : "Draft" }),
      el("p", { class: "body", text: entry.answer }),
      entry.source_ticket
        ? el("p", {}, el("a", { href: `#/ticket/${entry.source_ticket}`, text: "From a ticket" }))
        : null,
    );
    if (me.agent.role !== "agent") {
      const toggle = el("button", {
        type: "button",
        class: "secondary",
        text: entry.published ? "Unpublish" : "Publish",
      });
      on(toggle, "click", async () => {
        try {
          await data(
            client.PUT("/api/agent/faq/{category}/{id}", {
              params: { path: { category: entry.category, id: entry.id } },
              body: { question: entry.question, answer: entry.answer, published: !entry.published },
            }),
          );
          toast(entry.published ? "Unpublished." : "Published.");
          await renderFaq(main, me, params);
        } catch (err) {
          toast(problem(err));
        }
      });
      item.append(toggle);
    }
    list.append(item);
  }
}

type MacroActions = NonNullable<S["CannedJson"]["actions"]>;

/// "When sent": what a macro does besides its text (supervisors and admins).
function macroFields(me: Me): { box: HTMLElement; value: () => MacroActions | null } {
  const choice = (id: string, label: string, options: [string, string][]) => {
    const select = el("select", { id });
    for (const [value, text] of options) select.append(el("option", { value, text }));
    return {
      select,
      box: el("div", { class: "field" }, el("label", { for: id, text: label }), select),
    };
  };
  const solve = el("input", { id: "macro-solve", type: "checkbox" });
  const priority = choice("macro-priority", "Priority", [
    ["", "Leave as it is"],
    ["low", "Low"],
    ["normal", "Normal"],
    ["high", "High"],
    ["urgent", "Urgent"],
  ]);
  const assign = choice("macro-assign", "Assignee", [
    ["", "Leave as it is"],
    ["sender", "Whoever sends it"],
    ["nobody", "Nobody"],
  ]);
  const move = choice("macro-category", "Move to category", [
    ["", "Leave as it is"],
    ...me.all_categories.map((c): [string, string] => [c.id, c.name]),
  ]);
  const box = el(
    "fieldset",
    { class: "macro-fields" },
    el("legend", { text: "When sent (makes it a macro)" }),
    el(
      "div",
      { class: "field check" },
      solve,
      el("label", { for: "macro-solve", text: "Mark the ticket solved" }),
    ),
    priority.box,
    assign.box,
    move.box,
  );
  const value = (): MacroActions | null => {
    const chosen: MacroActions = {
      solve: solve.checked,
      priority: (priority.select.value || null) as MacroActions["priority"],
      assign: (assign.select.value || null) as MacroActions["assign"],
      category: move.select.value || null,
    };
    const any = chosen.solve || chosen.priority || chosen.assign || chosen.category;
    return any ? chosen : null;
  };
  return { box, value };
}
