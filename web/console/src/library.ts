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
  const curator = me.agent.role !== "agent";
  const heading = el("h1", { tabindex: "-1", text: "FAQ" });
  const picker = el("select", { id: "faq-category" });
  for (const c of me.categories)
    picker.append(el("option", { value: c.id, text: c.name, selected: c.id === chosen }));
  on(picker, "change", () => (location.hash = `#/faq?category=${picker.value}`));
  const list = el("ol", { class: "library" });
  main.append(
    heading,
    el("div", { class: "field" }, el("label", { for: "faq-category", text: "Category" }), picker),
  );
  heading.focus();
  if (!chosen) return;
  const { items } = await data(
    client.GET("/api/agent/faq", { params: { query: { category: chosen } } }),
  );
  items.sort((a, b) => a.position - b.position);
  const reload = () => renderFaq(main, me, new URLSearchParams({ category: chosen }));
  const form = answerForm(chosen, curator, params.get("q") ?? "", reload);
  main.append(form.box, el("h2", { text: "Answers (in the help center's order)" }), list);
  if (!items.length) list.append(el("li", { class: "empty", text: "No entries yet." }));
  const put = async (
    entry: S["FaqJson"],
    change: Partial<{ published: boolean; pinned: boolean; position: number }>,
    said: string,
  ) => {
    try {
      await data(
        client.PUT("/api/agent/faq/{category}/{id}", {
          params: { path: { category: entry.category, id: entry.id } },
          body: {
            question: entry.question,
            answer: entry.answer,
            published: entry.published,
            ...change,
          },
        }),
      );
      toast(said);
    } catch (err) {
      toast(problem(err));
    }
  };
  items.forEach((entry, i) => {
    const item = el(
      "li",
      { "data-faq": entry.id },
      el("h3", { text: entry.question }),
      el("p", {
        class: "status",
        text: `${entry.published ? "Published" : "Draft"}${entry.pinned ? " · pinned to the top" : ""}`,
      }),
      el("p", { class: "body", text: entry.answer }),
      // What German readers get is read before publishing too.
      entry.translations?.de
        ? el(
            "div",
            { class: "translation", lang: "de" },
            el("p", { class: "hint", text: "In German:" }),
            el("h4", { text: entry.translations.de.question }),
            el("p", { class: "body", text: entry.translations.de.answer }),
          )
        : null,
      entry.source_ticket
        ? el("p", {}, el("a", { href: `#/ticket/${entry.source_ticket}`, text: "From a ticket" }))
        : null,
      entry.published
        ? el(
            "p",
            {},
            el("a", { href: entry.url, target: "_blank", rel: "noopener", text: "Its page" }),
            el("span", {
              class: "hint",
              text: ` · link it in a reply as {{faq:${entry.category}/${entry.id}}}`,
            }),
          )
        : null,
    );
    const button = (text: string, label: string, act: () => Promise<void>) => {
      const b = el("button", { type: "button", class: "secondary", text, "aria-label": label });
      on(b, "click", async () => {
        await act();
        await reload();
      });
      item.append(b);
    };
    const edit = el("button", {
      type: "button",
      class: "secondary",
      text: "Edit",
      "aria-label": `Edit “${entry.question}”`,
    });
    on(edit, "click", () => form.edit(entry));
    if (!entry.published || curator) item.append(edit);
    if (curator) {
      button(
        entry.published ? "Unpublish" : "Publish",
        `${entry.published ? "Unpublish" : "Publish"} “${entry.question}”`,
        () =>
          put(
            entry,
            { published: !entry.published },
            entry.published ? "Unpublished." : "Published.",
          ),
      );
      button(
        entry.pinned ? "Unpin" : "Pin to the top",
        `${entry.pinned ? "Unpin" : "Pin"} “${entry.question}”`,
        () =>
          put(entry, { pinned: !entry.pinned }, entry.pinned ? "Unpinned." : "Pinned to the top."),
      );
      const neighbour = (other: S["FaqJson"] | undefined, word: string) => {
        if (!other) return;
        button(word, `${word} “${entry.question}”`, async () => {
          // Swap places with the neighbour.
          await put(other, { position: entry.position }, "Moved.");
          await put(entry, { position: other.position }, "Moved.");
        });
      };
      neighbour(items[i - 1], "Move up");
      neighbour(items[i + 1], "Move down");
      button("Delete", `Delete “${entry.question}”`, async () => {
        if (!confirm(`Delete “${entry.question}”? Its page goes with it.`)) return;
        try {
          await completed(
            client.DELETE("/api/agent/faq/{category}/{id}", {
              params: { path: { category: entry.category, id: entry.id } },
            }),
          );
          toast("Deleted.");
        } catch (err) {
          toast(problem(err));
        }
      });
    }
    list.append(item);
  });
}

/** Write or edit an answer, with a preview of how its page reads. */
function answerForm(
  category: string,
  curator: boolean,
  question: string,
  done: () => Promise<void>,
): { box: HTMLElement; edit: (e: S["FaqJson"]) => void } {
  let editing: S["FaqJson"] | null = null;
  const title = el("h2", { id: "faq-form-title", text: "Write an answer" });
  const q = el("input", { id: "faq-question", maxlength: "300", autocomplete: "off" });
  q.value = question;
  const a = el("textarea", { id: "faq-answer", rows: "6", maxlength: "10000" });
  // The answer for German readers: both parts, or neither (they read the above).
  const qDe = el("input", { id: "faq-question-de", maxlength: "300", autocomplete: "off" });
  const aDe = el("textarea", { id: "faq-answer-de", rows: "6", maxlength: "10000" });
  const publish = el("input", { id: "faq-publish", type: "checkbox" });
  const previewQ = el("h3", {});
  const previewA = el("div", {});
  const preview = el(
    "section",
    { class: "preview", "aria-label": "Preview of its page" },
    el("p", { class: "hint", text: "Preview: how the answer's page reads" }),
    previewQ,
    previewA,
  );
  const showPreview = () => {
    previewQ.textContent = q.value.trim() || "(the question)";
    previewA.replaceChildren(
      ...(a.value.trim() || "(the answer)").split(/\n{2,}/).map((p) => el("p", { text: p })),
    );
  };
  on(q, "input", showPreview);
  on(a, "input", showPreview);
  showPreview();
  const error = el("p", { class: "field-error", role: "alert" });
  const save = el("button", { type: "submit", text: "Save" });
  const cancel = el("button", { type: "button", class: "secondary", text: "New answer instead" });
  cancel.hidden = true;
  const form = el(
    "form",
    { class: "faq-form", "aria-labelledby": "faq-form-title" },
    title,
    el("div", { class: "field" }, el("label", { for: "faq-question", text: "Question" }), q),
    el(
      "div",
      { class: "field" },
      el("label", { for: "faq-answer", text: "Answer (a blank line starts a paragraph)" }),
      a,
    ),
    el(
      "details",
      { class: "translation" },
      el("summary", { text: "In German (optional)" }),
      el(
        "div",
        { class: "field" },
        el("label", { for: "faq-question-de", text: "Question in German" }),
        qDe,
      ),
      el(
        "div",
        { class: "field" },
        el("label", { for: "faq-answer-de", text: "Answer in German" }),
        aDe,
      ),
    ),
    curator
      ? el(
          "div",
          { class: "field check" },
          publish,
          el("label", { for: "faq-publish", text: "Published (customers read it)" }),
        )
      : el("p", { class: "hint", text: "Saved as a draft: a supervisor publishes it." }),
    preview,
    el("div", { class: "buttons" }, save, cancel),
    error,
  );
  const reset = () => {
    editing = null;
    title.textContent = "Write an answer";
    q.value = "";
    a.value = "";
    qDe.value = "";
    aDe.value = "";
    publish.checked = false;
    cancel.hidden = true;
    showPreview();
  };
  on(cancel, "click", reset);
  on(form, "submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const body = {
      question: q.value,
      answer: a.value,
      published: curator ? publish.checked : (editing?.published ?? false),
      translations:
        qDe.value.trim() || aDe.value.trim()
          ? { de: { question: qDe.value, answer: aDe.value } }
          : {},
    };
    try {
      if (editing) {
        await data(
          client.PUT("/api/agent/faq/{category}/{id}", {
            params: { path: { category: editing.category, id: editing.id } },
            body,
          }),
        );
      } else {
        await data(client.POST("/api/agent/faq", { body: { ...body, category } }));
      }
      toast(body.published ? "Saved and published." : "Saved as a draft.");
      reset();
      await done();
    } catch (err) {
      error.textContent = problem(err);
    }
  });
  return {
    box: form,
    edit: (entry) => {
      editing = entry;
      title.textContent = "Edit the answer";
      q.value = entry.question;
      a.value = entry.answer;
      qDe.value = entry.translations?.de?.question ?? "";
      aDe.value = entry.translations?.de?.answer ?? "";
      (qDe.closest("details") as HTMLDetailsElement).open = Boolean(qDe.value || aDe.value);
      publish.checked = entry.published;
      cancel.hidden = false;
      showPreview();
      q.focus();
    },
  };
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
