import { api, el, faqList } from "./help.js";

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

const top = await api("/api/faq");
if (top.status === 200 && top.data && top.data.results.length) {
  document.getElementById("top").append(faqList(top.data.results));
} else {
  document.getElementById("top-title").hidden = true;
}
