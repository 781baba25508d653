// Admin pages: categories (their own detail fields and mail addresses) and agents.
import { ApiError, client, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, toast } from "./dom";

type S = components["schemas"];
type Category = S["Category"];
type FieldSchema = S["FieldSchema"];
type KindName = FieldSchema["kind"]["type"];
type FieldText = S["FieldText"];
type CategoryText = S["CategoryText"];

export function problems(e: unknown): string[] {
  if (e instanceof ApiError)
    return e.body.error.fields?.map((f) => `${f.field}: ${f.reason}`) ?? [e.message];
  return ["The request failed; try again."];
}

export function showProblems(box: HTMLElement, list: string[]): void {
  clear(box);
  box.hidden = list.length === 0;
  if (list.length)
    box.append(
      el("p", { text: "Please fix:" }),
      el("ul", {}, ...list.map((p) => el("li", { text: p }))),
    );
  box.focus();
}

let fieldCounter = 0;

function fieldRow(f: FieldSchema | null, german?: FieldText): HTMLElement {
  const n = ++fieldCounter;
  const id = (part: string) => `field-${n}-${part}`;
  const input = (
    part: string,
    label: string,
    value: string,
    attrs: Record<string, string> = {},
  ) => {
    const i = el("input", { id: id(part), "data-part": part, ...attrs });
    i.value = value;
    return el("div", { class: "field" }, el("label", { for: id(part), text: label }), i);
  };
  const kind = el("select", { id: id("kind"), "data-part": "kind" });
  for (const k of ["text", "number", "email", "url", "choice", "date"])
    kind.append(el("option", { value: k, text: k, selected: f?.kind.type === k }));
  const required = el("input", { id: id("required"), type: "checkbox", "data-part": "required" });
  required.checked = f?.required ?? false;
  const k = f?.kind;
  const options = el("textarea", { id: id("options"), rows: "3", "data-part": "options" });
  options.value = k?.type === "choice" ? k.options.join("\n") : "";
  const premium = el("textarea", { id: id("premium"), rows: "2", "data-part": "premium" });
  premium.value = k?.type === "choice" ? (k.premium ?? []).join("\n") : "";
  const optionsDe = el("textarea", { id: id("options_de"), rows: "3", "data-part": "options_de" });
  // "Option = German", one per line: keyed by the option, so reordering the
  // options keeps each label with its own.
  optionsDe.value = Object.entries(german?.options ?? {})
    .map(([option, label]) => `${option} = ${label}`)
    .join("\n");
  const params = {
    text: input("max_len", "Max length", String(k?.type === "text" ? k.max_len : 200), {
      type: "number",
    }),
    min: input("min", "Min", k?.type === "number" && k.min != null ? String(k.min) : "", {
      type: "number",
    }),
    max: input("max", "Max", k?.type === "number" && k.max != null ? String(k.max) : "", {
      type: "number",
    }),
    options: el(
      "div",
      { class: "field" },
      el("label", { for: id("options"), text: "Options (one per line)" }),
      options,
    ),
    premium: el(
      "div",
      { class: "field" },
      el("label", {
        for: id("premium"),
        text: "Options that make the request premium (one per line, never shown to customers)",
      }),
      premium,
    ),
    optionsDe: el(
      "div",
      { class: "field" },
      el("label", {
        for: id("options_de"),
        text: "Options in German (one per line: Option = German; an option left out reads as written)",
      }),
      optionsDe,
    ),
  };
  const showParams = () => {
    params.text.hidden = kind.value !== "text";
    params.min.hidden = params.max.hidden = kind.value !== "number";
    params.options.hidden =
      params.premium.hidden =
      params.optionsDe.hidden =
        kind.value !== "choice";
  };
  on(kind, "change", showParams);
  showParams();
  const remove = el("button", { type: "button", class: "secondary", text: "Remove field" });
  const row = el(
    "fieldset",
    { class: "field-row" },
    el("legend", { text: f ? `Field ${f.label}` : "New field" }),
    input("name", "Key (a-z, 0-9, _)", f?.name ?? ""),
    input("label", "Label", f?.label ?? ""),
    el("div", { class: "field" }, el("label", { for: id("kind"), text: "Type" }), kind),
    params.text,
    params.min,
    params.max,
    params.options,
    params.premium,
    el(
      "div",
      { class: "field check" },
      required,
      el("label", { for: id("required"), text: "Required" }),
    ),
    input("help", "Help text", f?.help ?? ""),
    input("label_de", "Label in German (empty: the label above)", german?.label ?? ""),
    input("help_de", "Help text in German", german?.help ?? ""),
    params.optionsDe,
    remove,
  );
  on(remove, "click", () => row.remove());
  return row;
}

function readField(row: Element): FieldSchema {
  const v = (part: string) =>
    (row.querySelector(`[data-part="${part}"]`) as HTMLInputElement | null)?.value ?? "";
  const num = (part: string) => (v(part).trim() === "" ? null : Number(v(part)));
  const type = v("kind") as KindName;
  const kind: FieldSchema["kind"] =
    type === "text"
      ? { type, max_len: Number(v("max_len")) }
      : type === "number"
        ? { type, min: num("min"), max: num("max") }
        : type === "choice"
          ? {
              type,
              options: v("options")
                .split("\n")
                .map((o) => o.trim())
                .filter(Boolean),
              premium: v("premium")
                .split("\n")
                .map((o) => o.trim())
                .filter(Boolean),
            }
          : ({ type } as FieldSchema["kind"]);
  const required =
    (row.querySelector('[data-part="required"]') as HTMLInputElement | null)?.checked ?? false;
  return { name: v("name").trim(), label: v("label"), kind, required, help: v("help") };
}

/** A field row's German label and help, when it has any. */
function readFieldGerman(row: Element): [string, FieldText] | null {
  const v = (part: string) =>
    (row.querySelector(`[data-part="${part}"]`) as HTMLInputElement | null)?.value.trim() ?? "";
  const options: Record<string, string> = {};
  if (v("kind") === "choice")
    for (const line of v("options_de").split("\n")) {
      const at = line.indexOf("=");
      if (at > 0) options[line.slice(0, at).trim()] = line.slice(at + 1).trim();
      else if (line.trim()) options[line.trim()] = "";
    }
  const text = { label: v("label_de"), help: v("help_de"), options };
  return text.label || text.help || Object.keys(options).length ? [v("name"), text] : null;
}

function categoryForm(
  main: HTMLElement,
  policies: string[],
  existing: Category | null,
  done: () => void,
): HTMLElement {
  const text = (id: string, label: string, value: string, attrs: Record<string, string> = {}) => {
    const i = el("input", { id, ...attrs });
    i.value = value;
    return {
      input: i,
      field: el("div", { class: "field" }, el("label", { for: id, text: label }), i),
    };
  };
  const area = (id: string, label: string, value: string) => {
    const a = el("textarea", { id, rows: "3" });
    a.value = value;
    return {
      input: a,
      field: el("div", { class: "field" }, el("label", { for: id, text: label }), a),
    };
  };
  const slug = text(
    "category-id",
    "Slug (a-z, 0-9, -)",
    existing?.id ?? "",
    existing ? { readonly: "true" } : {},
  );
  const name = text("category-name", "Name", existing?.name ?? "");
  const description = area("category-description", "Description", existing?.description ?? "");
  const hints = area("category-hints", "Hints (one per line)", existing?.hints.join("\n") ?? "");
  const addresses = area(
    "category-addresses",
    "Mail addresses (one per line)",
    existing?.addresses.join("\n") ?? "",
  );
  const position = text("category-position", "Position", String(existing?.position ?? 10), {
    type: "number",
  });
  const life = existing?.lifecycle ?? {
    remind_after_days: 3,
    solve_after_days: 7,
    close_after_days: 7,
  };
  const days = (id: string, label: string, value: number) =>
    text(id, label, String(value), { type: "number", min: "1", max: "365" });
  const remind = days(
    "category-remind",
    "Remind a customer who has not answered after (days)",
    life.remind_after_days,
  );
  const solve = days(
    "category-solve",
    "Mark solved without an answer after (days)",
    life.solve_after_days,
  );
  const close = days(
    "category-close",
    "Close a solved ticket without word after (days)",
    life.close_after_days,
  );
  const retention = text(
    "category-retention",
    "Erase closed tickets after (months; empty keeps them)",
    existing?.retention_months ? String(existing.retention_months) : "",
    { type: "number", min: "1", max: "120" },
  );
  const policy = el("select", { id: "category-policy" });
  for (const p of policies)
    policy.append(el("option", { value: p, text: p, selected: p === existing?.sla_policy }));
  // What German readers see instead (empty: the text above).
  const de = existing?.translations?.de;
  const nameDe = text("category-name-de", "Name in German", de?.name ?? "");
  const descriptionDe = area(
    "category-description-de",
    "Description in German",
    de?.description ?? "",
  );
  const hintsDe = area(
    "category-hints-de",
    "Hints in German (one per line; empty: the hints above)",
    de?.hints?.join("\n") ?? "",
  );
  const fields = el(
    "div",
    { class: "field-rows" },
    ...(existing?.fields ?? []).map((f) => fieldRow(f, de?.fields?.[f.name])),
  );
  const add = el("button", { type: "button", class: "secondary", text: "Add field" });
  on(add, "click", () => fields.append(fieldRow(null)));
  const errors = el("div", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const form = el(
    "form",
    {
      class: "composer admin-form",
      "aria-label": existing ? `Edit ${existing.name}` : "New category",
    },
    el("h2", { text: existing ? `Edit ${existing.name}` : "New category" }),
    errors,
    slug.field,
    name.field,
    description.field,
    hints.field,
    addresses.field,
    el(
      "div",
      { class: "field" },
      el("label", { for: "category-policy", text: "SLA policy" }),
      policy,
    ),
    position.field,
    el("h3", { text: "In German" }),
    el("p", {
      class: "hint",
      text: "Visitors reading German see these; a text left empty shows the one above. Field labels in German are with each field below.",
    }),
    nameDe.field,
    descriptionDe.field,
    hintsDe.field,
    el("h3", { text: "Quiet tickets" }),
    remind.field,
    solve.field,
    close.field,
    el("h3", { text: "Keeping data" }),
    retention.field,
    el("p", {
      class: "hint",
      text: "The schedule erases closed tickets this old: their messages, files and mail go, the reports keep their counts.",
    }),
    el("h3", { text: "Detail fields on the form" }),
    fields,
    add,
    el("div", { class: "buttons" }, el("button", { type: "submit", text: "Save category" })),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    const lines = (s: string) =>
      s
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    const german = (): Record<string, CategoryText> => {
      const fieldTexts = Object.fromEntries(
        [...fields.querySelectorAll(".field-row")]
          .map(readFieldGerman)
          .filter((t): t is [string, FieldText] => t !== null),
      );
      const text: CategoryText = {
        name: nameDe.input.value.trim(),
        description: descriptionDe.input.value.trim(),
        hints: lines(hintsDe.input.value),
        fields: fieldTexts,
      };
      const empty =
        !text.name && !text.description && !text.hints?.length && !Object.keys(fieldTexts).length;
      return empty ? {} : { de: text };
    };
    try {
      await data(
        client.PUT("/api/agent/admin/categories/{id}", {
          params: { path: { id: slug.input.value.trim() } },
          body: {
            name: name.input.value,
            description: description.input.value,
            hints: lines(hints.input.value),
            addresses: lines(addresses.input.value),
            sla_policy: policy.value,
            position: Number(position.input.value) || 0,
            lifecycle: {
              remind_after_days: Number(remind.input.value) || 0,
              solve_after_days: Number(solve.input.value) || 0,
              close_after_days: Number(close.input.value) || 0,
            },
            fields: [...fields.querySelectorAll(".field-row")].map(readField),
            retention_months: retention.input.value.trim() ? Number(retention.input.value) : null,
            translations: german(),
          },
        }),
      );
      toast("Category saved.");
      done();
    } catch (err) {
      showProblems(errors, problems(err));
    }
  });
  void main;
  return form;
}

export async function renderAdminCategories(main: HTMLElement): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Categories" });
  const { categories, policies } = await data(client.GET("/api/agent/admin/categories"));
  const policyIds = policies.map((p) => p.id);
  const slot = el("div");
  const open = (c: Category | null) => {
    clear(slot);
    slot.append(categoryForm(main, policyIds, c, () => void renderAdminCategories(main)));
    slot.querySelector("input")?.focus();
  };
  const create = el("button", { type: "button", text: "New category" });
  on(create, "click", () => open(null));
  const list = el("ul", { class: "library" });
  for (const c of categories) {
    const edit = el("button", { type: "button", class: "secondary", text: `Edit ${c.name}` });
    on(edit, "click", () => open(c));
    list.append(
      el(
        "li",
        { "data-category": c.id },
        el("h2", { text: `${c.name} (${c.id})` }),
        el("p", {
          text: `${c.fields.length} fields · ${c.addresses.join(", ") || "no mail address"} · policy ${c.sla_policy}`,
        }),
        edit,
      ),
    );
  }
  main.append(heading, create, slot, list);
  heading.focus();
}

export async function renderAdminAgents(main: HTMLElement): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Agents" });
  const [{ agents }, { categories }] = await Promise.all([
    data(client.GET("/api/agent/admin/agents")),
    data(client.GET("/api/agent/admin/categories")),
  ]);
  const slot = el("div");
  const open = (a: S["AgentJson"] | null) => {
    clear(slot);
    const input = (
      id: string,
      label: string,
      value: string,
      attrs: Record<string, string> = {},
    ) => {
      const i = el("input", { id, ...attrs });
      i.value = value;
      return { i, f: el("div", { class: "field" }, el("label", { for: id, text: label }), i) };
    };
    const id = input(
      "agent-id",
      "User name (as in Cognito)",
      a?.id ?? "",
      a ? { readonly: "true" } : {},
    );
    const name = input("agent-name", "Name", a?.name ?? "");
    const email = input("agent-email", "Email", a?.email ?? "", { type: "email" });
    const role = el("select", { id: "agent-role" });
    for (const r of ["agent", "supervisor", "admin"])
      role.append(el("option", { value: r, text: r, selected: r === (a?.role ?? "agent") }));
    const boxes = categories.map((c) => {
      const box = el("input", { type: "checkbox", id: `agent-cat-${c.id}`, value: c.id });
      box.checked = a?.categories.includes(c.id) ?? false;
      return el(
        "div",
        { class: "field check" },
        box,
        el("label", { for: `agent-cat-${c.id}`, text: c.name }),
      );
    });
    const errors = el("div", {
      class: "notice error",
      role: "alert",
      tabindex: "-1",
      hidden: true,
    });
    const form = el(
      "form",
      { class: "composer admin-form", "aria-label": a ? `Edit ${a.name}` : "New agent" },
      el("h2", { text: a ? `Edit ${a.name}` : "New agent" }),
      el("p", {
        class: "hint",
        text: "The role here caps the Cognito group's role; lowering it takes effect at once.",
      }),
      errors,
      id.f,
      a
        ? null
        : el("p", {
            class: "hint",
            text: "The Cognito user name the access token carries: with emails as user names it is the user's generated id, which `make agent` creates the user with and prints (and writes this record for you).",
          }),
      name.f,
      email.f,
      el("div", { class: "field" }, el("label", { for: "agent-role", text: "Role" }), role),
      el("fieldset", {}, el("legend", { text: "Categories" }), ...boxes),
      el("div", { class: "buttons" }, el("button", { type: "submit", text: "Save agent" })),
    );
    on(form, "submit", async (e) => {
      e.preventDefault();
      const chosen = [...form.querySelectorAll<HTMLInputElement>('fieldset input[type="checkbox"]')]
        .filter((b) => b.checked)
        .map((b) => b.value);
      try {
        await data(
          client.PUT("/api/agent/admin/agents/{id}", {
            params: { path: { id: id.i.value.trim() } },
            body: {
              name: name.i.value,
              email: email.i.value,
              role: role.value as S["Role"],
              categories: chosen,
            },
          }),
        );
        toast("Agent saved.");
        void renderAdminAgents(main);
      } catch (err) {
        showProblems(errors, problems(err));
      }
    });
    slot.append(form);
    (a ? name.i : id.i).focus();
  };
  const create = el("button", { type: "button", text: "New agent" });
  on(create, "click", () => open(null));
  const table = el(
    "table",
    { class: "tickets" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["User name", "Name", "Role", "Categories", ""].map((h) =>
          el("th", { scope: "col", text: h }),
        ),
      ),
    ),
  );
  const body = el("tbody");
  for (const a of agents) {
    const edit = el("button", { type: "button", class: "secondary", text: `Edit ${a.name}` });
    on(edit, "click", () => open(a));
    body.append(
      el(
        "tr",
        { "data-agent": a.id },
        el("td", { text: a.id }),
        el("td", { text: a.name }),
        el("td", { text: a.role }),
        el("td", { text: a.categories.join(", ") || "all" }),
        el("td", {}, edit),
      ),
    );
  }
  table.append(body);
  main.append(heading, create, slot, table);
  heading.focus();
}
