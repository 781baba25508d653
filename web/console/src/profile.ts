// How the agent signs to customers: the name they read on our mail ("Ana at …")
// and on their tracking page, and a signature under every reply.
import { ApiError, client, data } from "./api";
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
      status.textContent =
        err instanceof ApiError
          ? (err.body.error.fields?.map((f) => f.reason).join(" ") ?? err.message)
          : "Not saved. Try again.";
    }
    status.hidden = false;
  });
  main.append(
    heading,
    el("p", {
      text: "Replies you write from now on carry this; replies already sent keep how they were signed.",
    }),
    form,
  );
  heading.focus();
}
