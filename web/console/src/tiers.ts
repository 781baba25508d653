// The customer list, for admins: which addresses and domains get premium (or
// standard) promises. A request from a listed sender is timed by its tier from
// the first second; agents can still change one ticket's tier.
import { ApiError, client, completed, data } from "./api";
import type { components } from "./api.gen";
import { clear, el, on, when } from "./dom";

type S = components["schemas"];

export async function renderTiers(main: HTMLElement): Promise<void> {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "Customer tiers" });
  const { rules } = await data(client.GET("/api/agent/tiers"));
  const status = el("p", { class: "notice", role: "status" });
  const list = el("ul", { class: "rules" });
  for (const r of rules) list.append(ruleItem(r, main, status));
  const pattern = el("input", {
    id: "tier-pattern",
    placeholder: "name@example.com or @example.com",
    autocomplete: "off",
    required: "",
  });
  const tier = el(
    "select",
    { id: "tier-tier" },
    el("option", { value: "premium", text: "Premium" }),
    el("option", { value: "standard", text: "Standard" }),
  );
  const note = el("input", {
    id: "tier-note",
    maxlength: "200",
    placeholder: "Business plan until June",
    autocomplete: "off",
  });
  const error = el("p", { class: "field-error", id: "tier-error", role: "alert" });
  const form = el(
    "form",
    { class: "rule-form", "aria-label": "Add a customer" },
    el(
      "div",
      { class: "field" },
      el("label", { for: "tier-pattern", text: "Customer address or domain" }),
      pattern,
    ),
    el("div", { class: "field" }, el("label", { for: "tier-tier", text: "Tier" }), tier),
    el("div", { class: "field" }, el("label", { for: "tier-note", text: "Note" }), note),
    el("button", { type: "submit", text: "Save" }),
    error,
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    for (const input of [pattern, note]) input.removeAttribute("aria-invalid");
    try {
      const saved = await data(
        client.PUT("/api/agent/tiers", {
          body: {
            pattern: pattern.value.trim(),
            tier: tier.value as S["Tier"],
            note: note.value.trim(),
          },
        }),
      );
      await renderTiers(main);
      const shown = main.querySelector<HTMLElement>('[role="status"]');
      if (shown)
        shown.textContent = `${saved.pattern} is ${saved.tier} now. New requests get it within a minute.`;
    } catch (err) {
      // A refused field says why in its own words ("@gmail.com is shared by …").
      const refused = err instanceof ApiError ? err.body.error.fields?.[0] : undefined;
      error.textContent =
        refused?.reason ?? (err instanceof ApiError ? err.message : "The entry was not saved.");
      const input = refused?.field === "note" ? note : pattern;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "tier-error");
    }
  });
  main.append(
    heading,
    el("p", {
      class: "hint",
      text: "Requests from these customers get their tier's promises from the first second: on the help center's receipt, in the confirmation mail and on the queue. An address wins over its domain. Whole public mail providers (gmail.com and the like) cannot be listed. A category's choice field can make an answer premium too (Categories).",
    }),
    status,
    rules.length ? list : el("p", { text: "Nobody is listed yet: every request is standard." }),
    form,
  );
  heading.focus();
}

function ruleItem(r: S["TierRuleJson"], main: HTMLElement, status: HTMLElement): HTMLElement {
  const remove = el("button", {
    type: "button",
    class: "link",
    text: "Remove",
    "aria-label": `Remove ${r.pattern}`,
  });
  on(remove, "click", async () => {
    try {
      await completed(
        client.DELETE("/api/agent/tiers/{pattern}", { params: { path: { pattern: r.pattern } } }),
      );
      await renderTiers(main);
    } catch (e) {
      status.textContent = e instanceof ApiError ? e.message : "The entry was not removed.";
    }
  });
  const label = r.tier === "premium" ? "Premium" : "Standard";
  return el(
    "li",
    { "data-rule": r.pattern },
    el("strong", { text: r.pattern }),
    ` ${label}${r.note ? ` · ${r.note}` : ""} (by ${r.by}, ${when(r.at)}) `,
    remove,
  );
}
