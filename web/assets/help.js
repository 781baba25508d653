// Shared by the help-center pages: API calls and safe DOM building (text only,
// never HTML from data).

export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
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

export function formatDate(iso) {
  try {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  } catch {
    return iso;
  }
}

// FAQ entries as question/answer disclosures (native, so keyboard and screen
// readers work without extra code).
export function faqList(results) {
  const box = el("div", { class: "faq" });
  for (const r of results) {
    box.append(el("details", { "data-faq": r.id }, el("summary", { text: r.question }), el("p", { text: r.answer })));
  }
  return box;
}

// "We answer within 24 business hours; premium customers within 2 business hours."
export function promiseText(policy) {
  if (!policy) return "";
  const { standard, premium } = policy.reply_within;
  return `We answer within ${standard}; premium customers within ${premium}.`;
}
