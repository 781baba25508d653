// "Your requests": one link from our links mail opens every request of the
// address. The fragment carries each request's own secret (`t=REF.secret,…`),
// so each is opened with the key it would need alone; nothing reaches a server
// but the usual tracking calls.
import { api, el, formatDate, t } from "./help.js";

const REF = /^[0-9A-Z]{10}$/;
const SECRET = /^[0-9a-f]{32}$/;
const pairs = (new URLSearchParams(location.hash.slice(1)).get("t") || "")
  .split(",")
  .map((p) => p.split("."))
  .filter(([ref, secret]) => REF.test(ref || "") && SECRET.test(secret || ""))
  .slice(0, 20);

const list = document.getElementById("mine");
const problem = document.getElementById("mine-error");

const found = await Promise.all(
  pairs.map(async ([ref, secret]) => {
    const { status, data } = await api(`/api/tickets/${ref}`, {
      headers: { "x-tracking-token": secret },
    });
    return status === 200 && data ? { ref, secret, data } : null;
  }),
);
const requests = found.filter(Boolean);
requests.sort((a, b) => b.data.updated_at.localeCompare(a.data.updated_at));
list.removeAttribute("aria-busy");
if (!requests.length) {
  problem.textContent = t("page-link-invalid");
  document.getElementById("mine-relink").hidden = false;
} else {
  document.getElementById("mine-intro").hidden = false;
  for (const { ref, secret, data } of requests) {
    list.append(
      el(
        "li",
        { "data-reference": data.reference },
        el("a", {
          href: `/track/?ticket=${encodeURIComponent(ref)}#token=${secret}`,
          text: data.subject,
        }),
        el("span", {
          class: "muted",
          text: ` ${t("mine-line", {
            reference: data.reference,
            status: data.status_label,
            when: formatDate(data.updated_at),
          })}`,
        }),
      ),
    );
  }
  if (requests.length < pairs.length) {
    problem.textContent = t("mine-some-expired");
    document.getElementById("mine-relink").hidden = false;
  }
}
