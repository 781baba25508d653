// One knowledge-base answer on its own page (`/answers/?a=category/id`, a stable
// address agents link from replies): the answer, "did this help?", related answers.
import { api, el, noteRead, t } from "./help.js";

const ADDRESS = /^([a-z0-9][a-z0-9-]{0,39})\/([a-z0-9-]{1,64})$/;
const found = ADDRESS.exec(new URLSearchParams(location.search).get("a") || "");
const problem = document.getElementById("answer-error");

function pageOf(a) {
  return `/answers/?a=${encodeURIComponent(a.category)}/${encodeURIComponent(a.id)}`;
}

if (!found) {
  problem.textContent = t("answer-none");
} else {
  const [, category, id] = found;
  const { status, data } = await api(`/api/faq/${category}/${id}`);
  if (status !== 200 || !data) {
    problem.textContent = t(status === 404 ? "answer-unpublished" : "answer-failed");
  } else {
    const a = data.answer;
    document.title = t("answer-page-title", { question: a.question });
    document.getElementById("question").textContent = a.question;
    const text = document.getElementById("answer-text");
    for (const para of a.answer.split(/\n{2,}/)) text.append(el("p", { text: para }));
    const related = document.getElementById("related");
    for (const r of data.related)
      related.append(el("li", {}, el("a", { href: pageOf(r), text: r.question })));
    document.getElementById("related-box").hidden = !data.related.length;
    document.getElementById("write-to-us").href = `/new/?category=${encodeURIComponent(category)}`;
    document.getElementById("answer").hidden = false;
    noteRead(`${category}/${id}`);
    const thanks = document.getElementById("helped-thanks");
    const vote = async (helpful) => {
      for (const b of ["helped-yes", "helped-no"]) document.getElementById(b).disabled = true;
      const sent = await api(`/api/faq/${category}/${id}/vote`, {
        method: "POST",
        body: { helpful },
      });
      if (sent.status !== 204)
        for (const b of ["helped-yes", "helped-no"]) document.getElementById(b).disabled = false;
      thanks.textContent = t(
        sent.status === 204
          ? helpful
            ? "answer-thanks-yes"
            : "answer-thanks-no"
          : "answer-not-counted",
      );
    };
    document.getElementById("helped-yes").addEventListener("click", () => vote(true));
    document.getElementById("helped-no").addEventListener("click", () => vote(false));
  }
}
