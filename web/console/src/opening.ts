// "New ticket": an agent opens one for a customer, in one of their categories:
// what the customer told them (logged; the customer gets the usual confirmation
// with the reference and their link), or a first message from us (mailed with
// the customer's link). The category's own fields come from the help center's
// public list, as the customer's form has them.
import { ApiError, client, data } from "./api";
import { clear, el, on } from "./dom";
import type { Me } from "./types";

interface PublicField {
  name: string;
  label: string;
  required: boolean;
  kind: { type: string; options?: string[]; max_len?: number };
}

interface PublicCategory {
  id: string;
  name: string;
  fields: PublicField[];
}

async function publicCategories(): Promise<PublicCategory[]> {
  const res = await fetch("/api/categories");
  if (!res.ok) throw new Error("The categories could not be loaded.");
  const body = (await res.json()) as { categories: PublicCategory[] };
  return body.categories;
}

function detailInput(f: PublicField): HTMLInputElement | HTMLSelectElement {
  const id = `detail-${f.name}`;
  if (f.kind.type === "choice") {
    const select = el("select", { id, name: f.name });
    select.append(el("option", { value: "", text: "—" }));
    for (const o of f.kind.options ?? []) select.append(el("option", { value: o, text: o }));
    return select;
  }
  const type = { date: "date", email: "email", url: "url" }[f.kind.type] ?? "text";
  return el("input", {
    id,
    name: f.name,
    type,
    inputmode: f.kind.type === "number" ? "decimal" : undefined,
    maxlength: f.kind.max_len,
  });
}

export async function renderOpening(main: HTMLElement, me: Me): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "New ticket for a customer" });
  const mine = new Set(me.categories.map((c) => c.id));
  const categories = (await publicCategories()).filter((c) => mine.has(c.id));
  const category = el("select", { id: "open-category" });
  for (const c of categories) category.append(el("option", { value: c.id, text: c.name }));
  const email = el("input", { id: "open-email", type: "email", autocomplete: "off" });
  const name = el("input", { id: "open-name", autocomplete: "off" });
  const subject = el("input", { id: "open-subject", maxlength: "200" });
  const language = el(
    "select",
    { id: "open-language" },
    el("option", { value: "en", text: "English" }),
    el("option", { value: "de", text: "German" }),
  );
  const body = el("textarea", { id: "open-body", rows: "6" });
  const details = el("div", { class: "field-rows" });
  const drawDetails = () => {
    const chosen = categories.find((c) => c.id === category.value);
    details.replaceChildren(
      ...(chosen?.fields ?? []).map((f) =>
        el(
          "div",
          { class: "field" },
          el("label", { for: `detail-${f.name}`, text: `${f.label}${f.required ? " *" : ""}` }),
          detailInput(f),
        ),
      ),
    );
  };
  on(category, "change", drawDetails);
  drawDetails();
  const logged = el("input", {
    id: "first-logged",
    type: "radio",
    name: "first",
    value: "logged",
    checked: true,
  });
  const mailed = el("input", { id: "first-mailed", type: "radio", name: "first", value: "mailed" });
  const bodyLabel = el("label", { for: "open-body", text: "What the customer told you" });
  const sync = () => {
    bodyLabel.textContent = mailed.checked
      ? "Your message to the customer (mailed with their link)"
      : "What the customer told you";
  };
  on(logged, "change", sync);
  on(mailed, "change", sync);
  const error = el("div", { class: "notice error", role: "alert", hidden: true });
  // One id per form shown: sending twice (a double click, a retry) opens one ticket.
  const requestId = crypto.randomUUID();
  const form = el(
    "form",
    { class: "composer admin-form", "aria-labelledby": "open-title", novalidate: true },
    error,
    el(
      "div",
      { class: "field" },
      el("label", { for: "open-category", text: "Category" }),
      category,
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: "open-email", text: "Customer's email" }),
      email,
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: "open-name", text: "Customer's name (optional)" }),
      name,
    ),
    el("div", { class: "field" }, el("label", { for: "open-subject", text: "Subject" }), subject),
    el(
      "div",
      { class: "field" },
      el("label", { for: "open-language", text: "Customer's language (our mails to them)" }),
      language,
    ),
    details,
    el(
      "fieldset",
      {},
      el("legend", { text: "The first message" }),
      el(
        "div",
        { class: "field check" },
        logged,
        el("label", {
          for: "first-logged",
          text: "Log what the customer told us (they get the usual confirmation with the reference)",
        }),
      ),
      el(
        "div",
        { class: "field check" },
        mailed,
        el("label", {
          for: "first-mailed",
          text: "Write to the customer first (mailed, with their link)",
        }),
      ),
    ),
    el("div", { class: "field" }, bodyLabel, body),
    el("button", { type: "submit", text: "Open the ticket" }),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    const values: Record<string, string> = {};
    for (const input of details.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      "input, select",
    )) {
      if (input.value.trim()) values[input.name] = input.value.trim();
    }
    try {
      const opened = await data(
        client.POST("/api/agent/tickets", {
          body: {
            category: category.value,
            email: email.value.trim(),
            name: name.value.trim(),
            subject: subject.value,
            body: body.value,
            details: values,
            first: mailed.checked ? "mailed" : "logged",
            request_id: requestId,
            language: language.value === "de" ? "de" : "en",
          },
        }),
      );
      location.hash = `#/ticket/${opened.reference}`;
    } catch (err) {
      error.hidden = false;
      error.replaceChildren(
        el("strong", { text: "The ticket was not opened." }),
        err instanceof ApiError && err.body.error.fields?.length
          ? el(
              "ul",
              {},
              ...err.body.error.fields.map((f) => el("li", { text: `${f.field}: ${f.reason}` })),
            )
          : el("p", { text: err instanceof Error ? err.message : "Try again." }),
      );
      error.focus();
    }
  });
  main.append(
    heading,
    el("h2", { id: "open-title", class: "visually-hidden", text: "New ticket" }),
    form,
  );
  heading.focus();
}
