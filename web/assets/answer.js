// One knowledge-base answer on its own page (`/answers/?a=category/id`, a stable
// address agents link from replies): the answer, "did this help?", related answers.
import { api, el, noteRead } from "./help.js";

const ADDRESS = /^([a-z0-9][a-z0-9-]{0,39})\/([a-z0-9-]{1,64})$/;
const found = ADDRESS.exec(new URLSearchParams(location.search).get("a") || "");
const problem = document.getElementById("answer-error");

function pageOf(a) {
  return `/answers/?a=${encodeURIComponent(a.category)}/${encodeURIComponent(a.id)}`;
}

if (!found) {
  problem.textContent = "There is no such answer. The help center lists the ones we have.";
} else {
  const [, category, id] = found;
  const { status, data } = await api(`/api/faq/${category}/${id}`);
  if (status !== 200 || !data) {
    problem.textContent =
      status === 404
        ? "This answer is not (or no longer) published. The help center lists the ones we have."
        : "The answer could not be loaded. Please try again in a moment.";
  } else {
    const a = data.answer;
    document.title = `${a.question} — Help center`;
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
      thanks.textContent =
        sent.status === 204
          ? helpful
            ? "Thank you! Glad it helped."
            : "Thank you for telling us. We will improve this answer; you can also write to us below."
          : "Your answer could not be counted. Please try again later.";
    };
    document.getElementById("helped-yes").addEventListener("click", () => vote(true));
    document.getElementById("helped-no").addEventListener("click", () => vote(false));
  }
}
