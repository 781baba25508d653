import {
  answersRead,
  api,
  el,
  faqList,
  forgetAnswersRead,
  formatDate,
  promiseText,
  t,
  uploadFiles,
} from "./help.js";
import { language } from "./i18n.js";

const params = new URLSearchParams(location.search);
const categoryId = params.get("category") || "";
const form = document.getElementById("request");
const banner = document.getElementById("form-error");
const shownAt = Date.now();
// One key per filled-in form: a retried or double-clicked submit makes one ticket.
const idempotencyKey = crypto.randomUUID();
let attachments = [];
let uploading = false;

document.getElementById("files").addEventListener("change", async (event) => {
  const input = event.target;
  const list = document.getElementById("files-list");
  const error = document.getElementById("files-error");
  error.textContent = "";
  list.replaceChildren();
  attachments = [];
  if (input.files.length > 5) {
    error.textContent = t("page-files-too-many");
    return;
  }
  uploading = true;
  const { keys, problems } = await uploadFiles(input.files, (name) =>
    list.append(el("li", { text: t("page-file-uploaded", { name }) })),
  );
  uploading = false;
  attachments = keys;
  error.textContent = problems.join(" ");
});

function detailInput(field) {
  const id = `detail-${field.name}`;
  const kind = field.kind || {};
  const describedBy = [field.help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(" ");
  const common = {
    id,
    name: field.name,
    "aria-describedby": describedBy,
    required: field.required,
  };
  let input;
  switch (kind.type) {
    case "choice":
      input = el("select", common, el("option", { value: "", text: t("form-choose") }));
      // The option itself is sent; the reader's language may say it otherwise.
      (kind.options || []).forEach((o, i) => {
        input.append(el("option", { value: o, text: field.option_labels?.[i] || o }));
      });
      break;
    case "number":
      input = el("input", {
        ...common,
        type: "number",
        inputmode: "decimal",
        min: kind.min ?? null,
        max: kind.max ?? null,
        step: "any",
      });
      break;
    case "email":
      input = el("input", { ...common, type: "email" });
      break;
    case "url":
      input = el("input", { ...common, type: "url", placeholder: "https://" });
      break;
    case "date":
      input = el("input", { ...common, type: "date" });
      break;
    default:
      input = el("input", { ...common, maxlength: kind.max_len ?? null });
  }
  return el(
    "div",
    { class: "field" },
    el("label", { for: id, class: field.required ? "required" : null, text: field.label }),
    input,
    field.help ? el("p", { class: "help", id: `${id}-help`, text: field.help }) : "",
    el("p", { class: "error", id: `${id}-error` }),
  );
}

// The API names fields as it reads them; the page's inputs use these ids, and each
// input's message slot is "<id>-error".
function inputId(field) {
  if (field.startsWith("details.")) return `detail-${field.slice(8)}`;
  if (field.startsWith("attachments")) return "files";
  return { description: "message" }[field] || field;
}

function clearErrors() {
  banner.textContent = "";
  for (const e of form.querySelectorAll(".error")) e.textContent = "";
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

function showErrors(fields) {
  let first = null;
  const unplaced = [];
  for (const { field, reason } of fields) {
    const input = document.getElementById(inputId(field));
    const slot = document.getElementById(`${inputId(field)}-error`);
    if (!input || !slot) {
      unplaced.push(reason);
      continue;
    }
    slot.textContent = reason;
    input.setAttribute("aria-invalid", "true");
    first = first || input;
  }
  banner.textContent = unplaced.length ? unplaced.join(" ") : t("form-check-fields");
  (first || banner).focus();
}

async function load() {
  const { status, data } = await api("/api/categories");
  const category = status === 200 && data ? data.categories.find((c) => c.id === categoryId) : null;
  if (!category) {
    banner.textContent = t("form-no-topic");
    return;
  }
  document.title = t("form-page-title", { category: category.name });
  document.getElementById("title").textContent = category.name;
  document.getElementById("description").textContent = category.description;
  document.getElementById("promise").textContent = promiseText(
    data.policies.find((p) => p.id === category.sla_policy),
  );
  const hints = document.getElementById("hints");
  for (const h of category.hints) hints.append(el("li", { text: h }));
  const details = document.getElementById("details");
  for (const f of category.fields) details.append(detailInput(f));
  form.hidden = false;
  await showAnswers("");
  document.getElementById("answers").hidden = false;
}

// Suggestions while typing: each pause of 250 ms asks once; late answers to
// older queries are dropped.
let asked = 0;
async function showAnswers(query) {
  const mine = ++asked;
  const q = new URLSearchParams({ category: categoryId, q: query });
  const { status, data } = await api(`/api/faq?${q}`);
  if (mine !== asked || status !== 200 || !data) return;
  const results = document.getElementById("faq-results");
  results.replaceChildren(faqList(data.results));
  const statusLine = document.getElementById("faq-status");
  if (query.trim() === "") statusLine.textContent = "";
  else
    statusLine.textContent = data.results.length
      ? t("form-found", { count: data.results.length })
      : t("form-found-none");
}
let pause;
document.getElementById("faq-search").addEventListener("input", (event) => {
  clearTimeout(pause);
  pause = setTimeout(() => showAnswers(event.target.value), 250);
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const button = document.getElementById("send");
  button.disabled = true;
  const value = (id) => document.getElementById(id).value;
  const details = {};
  for (const input of document.getElementById("details").querySelectorAll("input, select")) {
    if (input.value.trim() !== "") details[input.name] = input.value;
  }
  const body = {
    category: categoryId,
    name: value("name"),
    email: value("email"),
    subject: value("subject"),
    description: value("message"),
    details,
    website: value("website"),
    elapsed_ms: Date.now() - shownAt,
    attachments,
    faq_read: answersRead(),
    // The ticket remembers both: every mail to the customer is written in its
    // language, with times in its zone.
    language,
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "",
  };
  if (uploading) {
    banner.textContent = t("page-files-wait");
    button.disabled = false;
    return;
  }
  try {
    const { status, headers, data } = await api("/api/tickets", {
      method: "POST",
      body,
      headers: { "idempotency-key": idempotencyKey },
    });
    if (status === 201 && data) {
      forgetAnswersRead();
      form.hidden = true;
      document.getElementById("answers").hidden = true;
      document.getElementById("reference").textContent = data.reference;
      document.getElementById("sent-to").textContent = body.email;
      document.getElementById("reply-by").textContent = data.reply_by
        ? t("form-answer-by", { when: formatDate(data.reply_by, { zoned: true }) })
        : "";
      document.getElementById("tracking-link").setAttribute("href", data.tracking_url);
      const done = document.getElementById("done");
      done.hidden = false;
      // Switching the language now would lose the reference shown here.
      document.body.dataset.unsaved = "sent";
      done.focus();
      return;
    }
    if (status === 400 && data && data.error && data.error.fields) {
      showErrors(data.error.fields);
    } else if (status === 429) {
      const wait = Math.ceil(Number(headers.get("retry-after") || 60) / 60);
      banner.textContent = t("form-too-many", { minutes: wait });
      banner.focus();
    } else {
      banner.textContent = data?.error?.message || t("page-error");
      banner.focus();
    }
  } catch {
    banner.textContent = t("page-offline");
  } finally {
    button.disabled = false;
  }
});

banner.setAttribute("tabindex", "-1");
document.getElementById("send").disabled = false;
load();
