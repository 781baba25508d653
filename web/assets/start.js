import { api, el, faqList, promiseText } from "./help.js";

// The form works before the lists below have loaded (they may be slow).
document.getElementById("links-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("links-email");
  const error = document.getElementById("links-email-error");
  const statusLine = document.getElementById("links-status");
  error.textContent = "";
  statusLine.textContent = "";
  input.removeAttribute("aria-invalid");
  const { status, data } = await api("/api/tracking-links", {
    method: "POST",
    body: { email: input.value },
  });
  if (status === 202 && data) {
    statusLine.textContent = data.message;
  } else if (status === 400 && data && data.error && data.error.fields) {
    error.textContent = data.error.fields.map((f) => f.reason).join(" ");
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else if (status === 429) {
    statusLine.textContent =
      "You asked several times already. Please check your mailbox, or try again later.";
  } else {
    statusLine.textContent = "Something went wrong. Please try again.";
  }
});
document.getElementById("links-send").disabled = false;

const list = document.getElementById("categories");
const { status, data } = await api("/api/categories");
list.removeAttribute("aria-busy");
if (status !== 200 || !data) {
  document.getElementById("load-error").textContent =
    "We could not load the categories. Please try again in a moment.";
} else {
  for (const c of data.categories) {
    const link = el(
      "a",
      { href: `/new/?category=${encodeURIComponent(c.id)}` },
      el("strong", { text: c.name }),
      el("span", { text: c.description }),
    );
    list.append(el("li", {}, link));
  }
  // For people who prefer mail: each category's addresses.
  const addresses = document.getElementById("mail-addresses");
  for (const c of data.categories) {
    for (const a of c.addresses) {
      addresses.append(
        el(
          "li",
          {},
          el("a", { href: `mailto:${a}`, text: a }),
          el("span", { text: ` (${c.name})` }),
        ),
      );
    }
  }
  document.getElementById("by-mail").hidden = !addresses.children.length;
  // The hours of the policy most categories use.
  const policy = data.policies.find((p) => p.id === "default") || data.policies[0];
  if (policy) {
    const hours = document.getElementById("service-hours");
    for (const h of policy.hours)
      hours.append(
        el("li", { text: `${h.days}, ${h.opens}–${h.closes} (${policy.time_zone} time)` }),
      );
    document.getElementById("service-promise").textContent = promiseText(policy);
    if (policy.upcoming_holidays.length) {
      document.getElementById("service-holidays").textContent =
        `Closed on public holidays, next: ${policy.upcoming_holidays.join(", ")}.`;
    }
    document.getElementById("service").hidden = false;
  }
}

const top = await api("/api/faq");
if (top.status === 200 && top.data && top.data.results.length) {
  document.getElementById("top").append(faqList(top.data.results));
} else {
  document.getElementById("top-title").hidden = true;
}
