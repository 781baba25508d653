import { api, el, faqList, promiseText, t } from "./help.js";
import { formatDay, language } from "./i18n.js";

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
    statusLine.textContent = t("help-links-again");
  } else {
    statusLine.textContent = t("page-error");
  }
});
document.getElementById("links-send").disabled = false;

const list = document.getElementById("categories");
const { status, data } = await api("/api/categories");
list.removeAttribute("aria-busy");
if (status !== 200 || !data) {
  document.getElementById("load-error").textContent = t("help-categories-failed");
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
      hours.append(el("li", { text: t("help-hours", { ...h, zone: policy.time_zone }) }));
    document.getElementById("service-promise").textContent = promiseText(policy);
    if (policy.upcoming_holidays.length) {
      const dates = new Intl.ListFormat(language, { type: "conjunction" }).format(
        policy.upcoming_holidays.map(formatDay),
      );
      document.getElementById("service-holidays").textContent = t("help-holidays", { dates });
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
