import { api, el, fileSize, formatDate, t, uploadFiles } from "./help.js";

const ticket = new URLSearchParams(location.search).get("ticket") || "";
// The secret travels in the fragment, which browsers never send to a server.
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get("token") || "";
// "How did we do?" links in our mail choose an answer; the page records it only
// on one more click (a mail scanner following links records nothing).
const chosen = ["good", "bad"].includes(fragment.get("rate")) ? fragment.get("rate") : null;
const base = `/api/tickets/${encodeURIComponent(ticket)}`;
const secret = { "x-tracking-token": token };
const problem = document.getElementById("track-error");
const notice = document.getElementById("notice");

function render(data) {
  document.title = t("track-page-title", { subject: data.subject });
  document.getElementById("reference").textContent = data.reference;
  document.getElementById("subject").textContent = data.subject;
  document.getElementById("status").textContent = data.status_label;
  // Queued, then taken by someone we name, then completed.
  const assigned = document.getElementById("assigned");
  const taken = data.assigned_to && data.status !== "resolved" && data.status !== "closed";
  assigned.hidden = !taken;
  assigned.textContent = taken ? t("track-assigned", { name: data.assigned_to }) : "";
  document.getElementById("confirm").hidden = !data.awaiting_confirmation;
  // A link from the form, before the address is verified: our answers are not shown.
  document.getElementById("verify-note").hidden = !data.answers_hidden;
  // A duplicate closed into another request: the conversation goes on there.
  document.getElementById("reply-form").hidden = Boolean(data.merged_into);
  // A solved or closed request takes messages too: say what one does.
  const replyHelp = document.getElementById("reply-help");
  const finished = data.status === "resolved" || data.status === "closed";
  replyHelp.hidden = !finished;
  replyHelp.textContent = finished
    ? t(data.status === "closed" ? "track-closed-note" : "track-solved-note")
    : "";
  if (data.merged_into) {
    notice.textContent = t("track-merged", { reference: data.merged_into });
  }
  const thread = document.getElementById("thread");
  thread.replaceChildren();
  for (const m of data.messages) {
    const who = m.from === "you" ? t("track-you") : (m.author ?? t("track-support"));
    const item = el(
      "li",
      { class: m.from },
      el("span", { class: "meta", text: `${who} · ${formatDate(m.created_at)}` }),
      m.body,
    );
    if (m.attachments.length) {
      const files = el("ul", { class: "files" });
      for (const f of m.attachments) {
        files.append(
          el(
            "li",
            {},
            el("a", {
              href: f.url,
              download: f.filename,
              rel: "noopener noreferrer",
              text: `${f.filename} (${fileSize(f.size)})`,
            }),
          ),
        );
      }
      item.append(files);
    }
    thread.append(item);
  }
  renderRating(data);
  document.getElementById("ticket").hidden = false;
}

function renderRating(data) {
  const section = document.getElementById("rate");
  section.hidden = !data.may_rate && !data.rating;
  document.getElementById("rate-form").hidden = !data.may_rate;
  const rated = document.getElementById("rated");
  if (data.rating) {
    const good = data.rating.score === "good";
    rated.textContent = data.may_rate
      ? t(good ? "track-rated-good" : "track-rated-bad", {
          when: formatDate(data.rating.at),
          until: formatDate(data.rating.changeable_until),
        })
      : t(good ? "track-rated-good-final" : "track-rated-bad-final");
    document.getElementById(`score-${data.rating.score}`).checked = true;
    document.getElementById("rate-comment").value = data.rating.comment;
  } else {
    rated.textContent = t("track-rate-ask");
  }
}

function failed(status, data, tooMany = "page-try-later") {
  if (status === 404) return t("page-link-invalid");
  if (status === 429) return t(tooMany);
  return data?.error?.message || t("page-error");
}

const first = await api(base, { headers: secret });
if (first.status === 200 && first.data) {
  render(first.data);
  if (chosen && first.data.may_rate) {
    document.getElementById(`score-${chosen}`).checked = true;
    document.getElementById("rate-title").focus();
  }
} else {
  problem.textContent = failed(first.status, first.data);
  document.getElementById("relink").hidden = first.status !== 404;
}

let replyFiles = [];
let uploading = false;
document.getElementById("reply-files").addEventListener("change", async (event) => {
  const list = document.getElementById("reply-files-list");
  const error = document.getElementById("reply-files-error");
  list.replaceChildren();
  error.textContent = "";
  replyFiles = [];
  if (event.target.files.length > 5) {
    error.textContent = t("page-files-too-many");
    return;
  }
  uploading = true;
  const { keys, problems } = await uploadFiles(event.target.files, (name) =>
    list.append(el("li", { text: t("page-file-uploaded", { name }) })),
  );
  uploading = false;
  replyFiles = keys;
  error.textContent = problems.join(" ");
});

document.getElementById("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = document.getElementById("reply");
  const error = document.getElementById("reply-error");
  error.textContent = "";
  box.removeAttribute("aria-invalid");
  if (uploading) {
    notice.textContent = t("page-files-wait");
    return;
  }
  const button = document.getElementById("send-reply");
  button.disabled = true;
  const { status, data } = await api(`${base}/replies`, {
    method: "POST",
    headers: secret,
    body: { body: box.value, attachments: replyFiles },
  });
  button.disabled = false;
  if (status === 201 && data) {
    box.value = "";
    replyFiles = [];
    document.getElementById("reply-files").value = "";
    document.getElementById("reply-files-list").replaceChildren();
    render(data);
    notice.textContent = t("track-added");
  } else if (status === 400 && data && data.error && data.error.fields) {
    error.textContent = data.error.fields.map((f) => f.reason).join(" ");
    box.setAttribute("aria-invalid", "true");
    box.focus();
  } else {
    notice.textContent = failed(status, data, "track-too-many");
  }
});
document.getElementById("send-reply").disabled = false;

async function answer(solved) {
  const { status, data } = await api(`${base}/resolution`, {
    method: "POST",
    headers: secret,
    body: { solved },
  });
  if (status === 200 && data) {
    render(data);
    // Said where the question was, in a banner that takes focus.
    const answered = document.getElementById("answered");
    answered.textContent = t(solved ? "track-closed-thanks" : "track-reopened");
    answered.hidden = false;
    answered.focus();
  } else {
    notice.textContent = failed(status, data);
  }
}
document.getElementById("solved").addEventListener("click", () => answer(true));
document.getElementById("not-solved").addEventListener("click", () => answer(false));

document.getElementById("rate-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("rate-error");
  error.textContent = "";
  const picked = document.querySelector('input[name="score"]:checked');
  if (!picked) {
    error.textContent = t("track-rate-choose");
    document.getElementById("score-good").focus();
    return;
  }
  const button = document.getElementById("send-rating");
  button.disabled = true;
  const { status, data } = await api(`${base}/rating`, {
    method: "POST",
    headers: secret,
    body: { score: picked.value, comment: document.getElementById("rate-comment").value },
  });
  button.disabled = false;
  if (status === 200 && data) {
    render(data);
    const answered = document.getElementById("answered");
    answered.textContent = t("track-rate-thanks");
    answered.hidden = false;
    answered.focus();
  } else if (status === 400 && data?.error?.fields) {
    error.textContent = data.error.fields.map((f) => f.reason).join(" ");
  } else {
    error.textContent = failed(status, data);
  }
});
