// How the agent signs to customers (the name they read on our mail, "Ana at …",
// and on their tracking page, and a signature under every reply), and what they
// are told of by mail while away from the console.
import { client, data, reasons } from "./api";
import { clear, el, on } from "./dom";
import type { Me } from "./types";

export function renderProfile(main: HTMLElement, me: Me): void {
  clear(main);
  const heading = el("h1", { tabindex: "-1", text: "How you sign" });
  const name = el("input", {
    id: "display-name",
    maxlength: "40",
    autocomplete: "off",
    value: me.profile.display_name ?? "",
    placeholder: me.agent.name.split(/\s+/)[0] ?? "",
  });
  const signature = el("textarea", { id: "signature", rows: "4", maxlength: "500" });
  signature.value = me.profile.signature ?? "";
  const shows = el("p", { class: "hint", "aria-live": "polite" });
  const preview = () => {
    const first = name.value.trim() || me.agent.name.split(/\s+/)[0] || "Support";
    shows.textContent = `Customers read: "${first}" as the sender of your replies and on their tracking page.`;
  };
  on(name, "input", preview);
  preview();
  const status = el("p", { class: "notice", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "admin-form", "aria-labelledby": "profile-title" },
    el(
      "div",
      { class: "field" },
      el("label", { for: "display-name", text: "Name customers read" }),
      name,
      el("p", {
        class: "hint",
        text: "Letters, digits, spaces and . - ' (at most 40). Empty: the first word of your name.",
      }),
      shows,
    ),
    el(
      "div",
      { class: "field" },
      el("label", { for: "signature", text: "Signature" }),
      signature,
      el("p", {
        class: "hint",
        text: "Plain text under each reply, at most 6 lines. Empty: your name and ours.",
      }),
    ),
    el("button", { type: "submit", text: "Save" }),
    status,
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      me.profile = await data(
        client.PUT("/api/agent/me/profile", {
          body: { display_name: name.value, signature: signature.value },
        }),
      );
      status.className = "notice ok";
      status.textContent = `Saved. Your replies are signed by ${me.profile.public_name}.`;
    } catch (err) {
      status.className = "notice error";
      status.textContent = reasons(err, "Not saved. Try again.");
    }
    status.hidden = false;
  });
  main.append(
    heading,
    el("p", {
      text: "Replies you write from now on carry this; replies already sent keep how they were signed.",
    }),
    form,
    alertsForm(me),
  );
  heading.focus();
}

const KINDS = [
  ["new_ticket", "A new ticket in my categories"],
  ["assigned", "A ticket someone assigns to me"],
  ["customer_replied", "A customer's reply on my ticket"],
  ["sla_warning", "An SLA warning on my ticket"],
] as const;

const EVERY = [
  ["", "Each at once"],
  ["15", "One digest every 15 minutes"],
  ["30", "One digest every 30 minutes"],
  ["60", "One digest every hour"],
  ["120", "One digest every 2 hours"],
  ["240", "One digest every 4 hours"],
] as const;

/** The agent's alert choices: which news, and at once or as a digest. */
function alertsForm(me: Me): HTMLElement {
  const chosen = me.profile.alerts;
  const boxes = KINDS.map(([key, label]) => {
    const box = el("input", { type: "checkbox", id: `alert-${key}`, name: key });
    box.checked = chosen[key] ?? false;
    return [key, box, el("label", { for: `alert-${key}`, text: label })] as const;
  });
  const every = el("select", { id: "alert-every" });
  for (const [value, label] of EVERY) {
    const option = el("option", { value, text: label });
    option.selected = String(chosen.digest_minutes ?? "") === value;
    every.append(option);
  }
  const status = el("p", { class: "notice", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "admin-form", "aria-labelledby": "alerts-title" },
    el("h2", { id: "alerts-title", text: "Alerts by mail" }),
    el("p", {
      class: "hint",
      text: `Sent to ${me.agent.email} only while this console is closed, and once per ticket until you are back.`,
    }),
    el(
      "fieldset",
      {},
      el("legend", { text: "Mail me about" }),
      ...boxes.map(([, box, label]) => el("div", { class: "field check" }, box, label)),
    ),
    el("div", { class: "field" }, el("label", { for: "alert-every", text: "How" }), every),
    el("button", { type: "submit", text: "Save alerts" }),
    status,
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    const pick = (key: (typeof KINDS)[number][0]) =>
      boxes.find(([k]) => k === key)?.[1].checked ?? false;
    try {
      me.profile = await data(
        client.PUT("/api/agent/me/alerts", {
          body: {
            new_ticket: pick("new_ticket"),
            assigned: pick("assigned"),
            customer_replied: pick("customer_replied"),
            sla_warning: pick("sla_warning"),
            digest_minutes:
              every.value === "" ? null : (Number(every.value) as 15 | 30 | 60 | 120 | 240),
          },
        }),
      );
      const on = KINDS.filter(([k]) => me.profile.alerts[k]).length;
      status.className = "notice ok";
      status.textContent =
        on === 0
          ? "Saved. No alerts by mail."
          : `Saved. ${on} kind${on === 1 ? "" : "s"} of alert, ${
              me.profile.alerts.digest_minutes
                ? `in one digest every ${me.profile.alerts.digest_minutes} minutes`
                : "each at once"
            }.`;
    } catch (err) {
      status.className = "notice error";
      status.textContent = reasons(err, "Not saved. Try again.", true);
    }
    status.hidden = false;
  });
  return form;
}
