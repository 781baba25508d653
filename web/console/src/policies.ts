// Admin page for SLA policies: the business-hours calendar (time zone, opening
// hours per weekday, holidays) and the reply and solution targets per tier that
// the clocks, the help center's promises and the confirmation mail all use.

import { problems, showProblems } from "./admin";
import { client, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, toast } from "./dom";

type S = components["schemas"];
type Policy = S["PolicyDraft"];
type Targets = S["Targets"];

const DAYS: [string, string][] = [
  ["Mon", "Monday"],
  ["Tue", "Tuesday"],
  ["Wed", "Wednesday"],
  ["Thu", "Thursday"],
  ["Fri", "Friday"],
  ["Sat", "Saturday"],
  ["Sun", "Sunday"],
];
const TARGETS: [keyof Targets, string][] = [
  ["first_response_minutes", "first answer"],
  ["next_response_minutes", "each later answer"],
  ["resolution_minutes", "solution"],
];

function input(id: string, label: string, value: string, attrs: Record<string, string> = {}) {
  const i = el("input", { id, ...attrs });
  i.value = value;
  return { i, f: el("div", { class: "field" }, el("label", { for: id, text: label }), i) };
}

function policyForm(existing: Policy | null, done: () => void): HTMLElement {
  const id = input(
    "policy-id",
    "Id (a-z, 0-9, -)",
    existing?.id ?? "",
    existing ? { readonly: "true" } : {},
  );
  const zones = el("datalist", { id: "time-zones" });
  for (const z of Intl.supportedValuesOf?.("timeZone") ?? [])
    zones.append(el("option", { value: z }));
  const zone = input("policy-zone", "Time zone", existing?.time_zone ?? "Europe/Berlin", {
    list: "time-zones",
    autocomplete: "off",
  });
  const days = DAYS.map(([day, name]) => {
    const h = existing?.hours.find((x) => x.day === day);
    const open = el("input", { type: "checkbox", id: `policy-open-${day}` });
    open.checked = existing ? Boolean(h) : !["Sat", "Sun"].includes(day);
    const opens = input(`policy-opens-${day}`, `${name} opens`, h?.opens ?? "09:00", {
      type: "time",
    });
    const closes = input(`policy-closes-${day}`, `${name} closes`, h?.closes ?? "17:00", {
      type: "time",
    });
    const row = el(
      "fieldset",
      { class: "field-row", "data-day": day },
      el("legend", { text: name }),
      el(
        "div",
        { class: "field check" },
        open,
        el("label", { for: `policy-open-${day}`, text: `Open on ${name}` }),
      ),
      opens.f,
      closes.f,
    );
    return { day, name, open, opens: opens.i, closes: closes.i, row };
  });
  const holidays = el("textarea", { id: "policy-holidays", rows: "4" });
  holidays.value = existing?.holidays?.join("\n") ?? "";
  const hours = (m: number) => String(Math.round((m / 60) * 100) / 100);
  const targets = (["standard", "premium"] as const).map((tier) => {
    const current = existing?.[tier];
    const fields = TARGETS.map(([key, what]) => ({
      key,
      ...input(
        `policy-${tier}-${key}`,
        `${tier === "standard" ? "Standard" : "Premium"}: ${what} within (business hours)`,
        hours(
          current?.[key] ??
            (tier === "standard" ? 1440 : 120) * (key === "resolution_minutes" ? 4 : 1),
        ),
        { type: "number", min: "0.25", step: "0.25" },
      ),
    }));
    return { tier, fields };
  });
  const warn = input(
    "policy-warn",
    "Warn the assignee at (% of a target)",
    String(existing?.warn_percent ?? 80),
    { type: "number", min: "1", max: "99" },
  );
  const escalate = input(
    "policy-escalate",
    "Tell the supervisors at (% of a target)",
    String(existing?.escalate_percent ?? 150),
    { type: "number", min: "101", max: "1000" },
  );
  const errors = el("div", { class: "notice error", role: "alert", tabindex: "-1", hidden: true });
  const form = el(
    "form",
    {
      class: "composer admin-form",
      "aria-label": existing ? `Edit policy ${existing.id}` : "New SLA policy",
    },
    el("h2", { text: existing ? `Edit policy ${existing.id}` : "New SLA policy" }),
    el("p", {
      class: "hint",
      text: "Targets count business hours of this calendar. Running clocks keep the promise already made; new ones use what you save.",
    }),
    errors,
    id.f,
    zone.f,
    zones,
    el("h3", { text: "Opening hours" }),
    el("div", { class: "field-rows" }, ...days.map((d) => d.row)),
    el(
      "div",
      { class: "field" },
      el("label", {
        for: "policy-holidays",
        text: "Holidays, closed all day (YYYY-MM-DD, one per line)",
      }),
      holidays,
    ),
    el("h3", { text: "Targets" }),
    ...targets.map((t) => el("div", { class: "field-row" }, ...t.fields.map((f) => f.f))),
    warn.f,
    escalate.f,
    el("div", { class: "buttons" }, el("button", { type: "submit", text: "Save policy" })),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    const open = days.filter((d) => d.open.checked);
    const minutes = (v: string) => Math.round(Number(v) * 60);
    const body: Policy = {
      time_zone: zone.i.value.trim(),
      hours: open.map((d) => ({ day: d.day, opens: d.opens.value, closes: d.closes.value })),
      holidays: holidays.value
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean),
      standard: Object.fromEntries(
        targets[0].fields.map((f) => [f.key, minutes(f.i.value)]),
      ) as Targets,
      premium: Object.fromEntries(
        targets[1].fields.map((f) => [f.key, minutes(f.i.value)]),
      ) as Targets,
      warn_percent: Number(warn.i.value),
      escalate_percent: Number(escalate.i.value),
    };
    try {
      await data(
        client.PUT("/api/agent/admin/policies/{id}", {
          params: { path: { id: id.i.value.trim() } },
          body,
        }),
      );
      toast("Policy saved.");
      done();
    } catch (err) {
      // "hours.1.closes" means the second open day: say which.
      const named = problems(err).map((p) =>
        p.replace(
          /^hours\.(\d+)\.(\w+)/,
          (_, i: string, part: string) => `${open[Number(i)]?.name ?? "day"} ${part}`,
        ),
      );
      showProblems(errors, named);
    }
  });
  return form;
}

export async function renderAdminPolicies(main: HTMLElement): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "SLA policies" });
  const { policies } = await data(client.GET("/api/agent/admin/policies"));
  const slot = el("div");
  const open = (p: Policy | null) => {
    clear(slot);
    slot.append(policyForm(p, () => void renderAdminPolicies(main)));
    (slot.querySelector(p ? "#policy-zone" : "#policy-id") as HTMLInputElement | null)?.focus();
  };
  const create = el("button", { type: "button", text: "New policy" });
  on(create, "click", () => open(null));
  const list = el("ul", { class: "library" });
  for (const p of policies) {
    const edit = el("button", { type: "button", class: "secondary", text: `Edit ${p.id}` });
    on(edit, "click", () => open(p));
    const hours = p.hours.map((h) => `${h.day} ${h.opens}–${h.closes}`).join(", ");
    list.append(
      el(
        "li",
        { "data-policy": p.id },
        el("h2", { text: p.id }),
        el("p", { text: `${p.time_zone}: ${hours}; ${p.holidays?.length ?? 0} holidays` }),
        el("p", {
          text: `First answer within ${p.standard.first_response_minutes / 60} business hours (premium ${p.premium.first_response_minutes / 60})`,
        }),
        edit,
      ),
    );
  }
  main.append(heading, create, slot, list);
  heading.focus();
}
