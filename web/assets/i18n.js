// The help center's words in the visitor's language. The catalogs are the ones
// every customer mail is written from (`/assets/locales/<language>.ftl`, a
// small part of Fluent's syntax: `key = text`, `{ $name }` for a value, an
// indented line continues the text before). The language is the one chosen on
// the page (kept in this browser), else the first of ours the browser prefers,
// else English; the API is told it as `Accept-Language`.

export const LANGUAGES = ["en", "de"];
const CHOICE_KEY = "helpdesk.language";

function chosen() {
  try {
    const stored = localStorage.getItem(CHOICE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch {
    return null;
  }
}

function preferred() {
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = String(tag).split(/[-_]/)[0].toLowerCase();
    if (LANGUAGES.includes(primary)) return primary;
  }
  return "en";
}

/** The language this page is read in: "en" or "de". */
export const language = chosen() || preferred();

function parse(text) {
  const messages = new Map();
  let last = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.startsWith("#")) {
      last = null;
    } else if (line.startsWith(" ")) {
      if (last) messages.set(last, `${messages.get(last)} ${line.trim()}`);
    } else {
      const at = line.indexOf(" = ");
      if (at > 0) {
        last = line.slice(0, at).trim();
        messages.set(last, line.slice(at + 3).trim());
      }
    }
  }
  return messages;
}

async function load(lang) {
  try {
    const res = await fetch(`/assets/locales/${lang}.ftl`);
    return res.ok ? parse(await res.text()) : new Map();
  } catch {
    return new Map();
  }
}

// English stands in for anything the chosen catalog lacks (or failed to load).
const [own, english] = await Promise.all([
  load(language),
  language === "en" ? Promise.resolve(null) : load("en"),
]);

/** The message `key` with its `{ $name }` values filled in, in one pass. */
export function t(key, values = {}) {
  const message = own.get(key) ?? english?.get(key) ?? key;
  return message.replace(/\{ \$([a-z0-9_-]+) \}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** A date and time as the reader's language writes it, in their time zone. */
export function formatDate(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  return at.toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
}

/** A calendar day ("2026-12-25") as the reader's language writes it. */
export function formatDay(day) {
  const at = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return String(day);
  return at.toLocaleDateString(language, { dateStyle: "medium", timeZone: "UTC" });
}

// The page's own words: every element marked `data-i18n` gets its message.
document.documentElement.lang = language;
for (const node of document.querySelectorAll("[data-i18n]")) {
  node.textContent = t(node.dataset.i18n);
}

// The switch at the top of each page: the choice is kept, the page read again.
for (const button of document.querySelectorAll("[data-language]")) {
  button.setAttribute("aria-pressed", String(button.dataset.language === language));
  button.addEventListener("click", () => {
    try {
      localStorage.setItem(CHOICE_KEY, button.dataset.language);
    } catch {
      /* storage off: this page only */
    }
    location.reload();
  });
}
const nav = document.querySelector("nav.languages");
if (nav) nav.setAttribute("aria-label", t("page-language"));
