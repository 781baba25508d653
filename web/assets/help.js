// Shared by the help-center pages: API calls and safe DOM building (text only,
// never HTML from data), in the reader's language.

import { formatDate, formatNumber, language, t } from "./i18n.js";

export { formatDate, t };

export async function api(path, { method = "GET", body, headers = {} } = {}) {
  // The API answers in the page's language (status words, hours, our answers).
  const init = {
    method,
    headers: { accept: "application/json", "accept-language": language, ...headers },
  };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  return { status: res.status, headers: res.headers, data };
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

// FAQ entries as question/answer disclosures (native, so keyboard and screen
// readers work without extra code). Opening one is counted once per visit (this
// tab's session), so the reports can tell which answers end visits without a
// request; a request names the answers read before it.
export function faqList(results) {
  const box = el("div", { class: "faq" });
  for (const r of results) {
    const item = el(
      "details",
      { "data-faq": r.id },
      el("summary", { text: r.question }),
      el("p", { text: r.answer }),
      el(
        "p",
        {},
        el("a", {
          href: `/answers/?a=${encodeURIComponent(r.category)}/${encodeURIComponent(r.id)}`,
          text: t("help-own-page"),
        }),
      ),
    );
    item.addEventListener("toggle", () => {
      if (item.open) noteRead(`${r.category}/${r.id}`);
    });
    box.append(item);
  }
  return box;
}

const READ_KEY = "helpdesk.faq-read";

/** The answers opened in this visit ("category/id"). */
export function answersRead() {
  try {
    const list = JSON.parse(sessionStorage.getItem(READ_KEY) || "[]");
    return Array.isArray(list) ? list.filter((x) => typeof x === "string").slice(0, 20) : [];
  } catch {
    return [];
  }
}

/** A request was sent: the next one starts a new visit. */
export function forgetAnswersRead() {
  try {
    sessionStorage.removeItem(READ_KEY);
  } catch {
    /* storage off: nothing kept */
  }
}

export function noteRead(ref) {
  const read = answersRead();
  if (read.includes(ref)) return;
  try {
    sessionStorage.setItem(READ_KEY, JSON.stringify([...read, ref]));
  } catch {
    /* storage off */
  }
  // A statistic only: failures are ignored, and it never holds up the page.
  fetch("/api/faq/reads", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ faq: ref }),
    keepalive: true,
  }).catch(() => {});
}

// "We answer within 24 business hours; premium customers within 2 business hours."
export function promiseText(policy) {
  if (!policy) return "";
  return t("help-promise", policy.reply_within);
}

// Uploads files straight to storage with presigned URLs; returns the keys to
// name in the request, and one message per file that could not be uploaded.
export async function uploadFiles(files, onProgress = () => {}) {
  const keys = [];
  const problems = [];
  for (const file of files) {
    const ask = await api("/api/attachments", {
      method: "POST",
      body: {
        filename: file.name,
        content_type: file.type || "application/octet-stream",
        size: file.size,
      },
    });
    if (ask.status !== 201 || !ask.data) {
      problems.push(
        ask.data?.error?.fields
          ? `${file.name}: ${ask.data.error.fields.map((f) => f.reason).join(" ")}`
          : t("page-file-not-uploaded", { name: file.name }),
      );
      continue;
    }
    try {
      const put = await fetch(ask.data.upload_url, {
        method: "PUT",
        headers: ask.data.headers,
        body: file,
      });
      if (!put.ok) throw new Error(String(put.status));
      keys.push(ask.data.key);
      onProgress(file.name);
    } catch {
      problems.push(t("page-file-failed", { name: file.name }));
    }
  }
  return { keys, problems };
}

export function fileSize(bytes) {
  if (bytes < 1024) return t("page-size-bytes", { size: formatNumber(bytes) });
  if (bytes < 1024 * 1024)
    return t("page-size-kb", { size: formatNumber(Math.round(bytes / 1024)) });
  return t("page-size-mb", { size: formatNumber(bytes / 1024 / 1024, 1) });
}
