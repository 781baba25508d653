import { api, el } from "./help.js";

const list = document.getElementById("categories");
const { status, data } = await api("/api/categories");
list.removeAttribute("aria-busy");
if (status !== 200 || !data) {
  document.getElementById("load-error").textContent = "We could not load the categories. Please try again in a moment.";
} else {
  for (const c of data.categories) {
    const link = el("a", { href: `/new/?category=${encodeURIComponent(c.id)}` },
      el("strong", { text: c.name }), el("span", { text: c.description }));
    list.append(el("li", {}, link));
  }
}
