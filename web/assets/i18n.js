// The help center's words in the visitor's language. The catalogs are the ones
// every customer mail is written from (`/assets/locales/<language>.ftl`, a
// small part of Fluent's syntax: `key = text`, `{ $name }` for a value, an
// indented line continues the text before). The language is the page's
// `?lang=` (the switch sets it), else the one chosen before (kept in this
// browser), else the first of ours the browser prefers, else English; the API
// is told it as `Accept-Language`.

export const LANGUAGES = ["en", "de"];
const CHOICE_KEY = "helpdesk.language";

const primary = (tag) => String(tag).split(/[-_]/)[0].toLowerCase();
const browserTags = navigator.languages || [navigator.language || ""];

function chosen() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  try {
    const stored = localStorage.getItem(CHOICE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch {
    return null;
  }
}

function preferred() {
  return browserTags.map(primary).find((l) => LANGUAGES.includes(l)) || "en";
}

/** The language this page is read in: "en" or "de". */
export const language = chosen() || preferred();
/** How dates and numbers are written: the browser's own tag of that language
 * (en-GB stays en-GB), else the language itself. */
const locale = browserTags.find((tag) => primary(tag) === language) || language;

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
    // A slow catalog must not hold the page: its English stays.
    const res = await fetch(`/assets/locales/${lang}.ftl`, { signal: AbortSignal.timeout(4000) });
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

/** A date and time as the reader's language writes it, in their time zone
 * (named when `zoned`: a promise next to hours given in another zone). */
export function formatDate(iso, { zoned = false } = {}) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  const style = zoned
    ? {
        day: "numeric",
        month: "short",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZoneName: "short",
      }
    : { dateStyle: "medium", timeStyle: "short" };
  return at.toLocaleString(locale, style);
}

/** A number as the reader's language writes it. */
export function formatNumber(n, digits = 0) {
  return n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A calendar day ("2026-12-25") as the reader's language writes it. */
export function formatDay(day) {
  const at = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return String(day);
  return at.toLocaleDateString(locale, { dateStyle: "medium", timeZone: "UTC" });
}

// The page's own words: every element marked `data-i18n` gets its message; one
// no catalog has (none loaded) keeps the English it was written with.
const known = (key) => own.has(key) || Boolean(english?.has(key));
document.documentElement.lang = known("page-language") ? language : "en";
for (const node of document.querySelectorAll("[data-i18n]")) {
  if (known(node.dataset.i18n)) node.textContent = t(node.dataset.i18n);
}

/** Typed words or a result on this page that reading it again would lose. */
function unsaved() {
  if (document.body.dataset.unsaved) return true;
  // Words typed by the visitor: text boxes only (a radio button's or
  // checkbox's value is always set; the trap field and search do not count).
  const typed =
    "input:not([type]), input[type=text], input[type=email], input[type=number], input[type=url], input[type=date], textarea";
  return [...document.querySelectorAll(typed)].some(
    (field) => field.offsetParent !== null && field.tabIndex !== -1 && field.value.trim() !== "",
  );
}

// The switch at the top of each page: the choice is kept (in this browser, and
// in the address for when storage is off) and the page read again.
for (const button of document.querySelectorAll("[data-language]")) {
  button.setAttribute("aria-pressed", String(button.dataset.language === language));
  button.addEventListener("click", () => {
    const to = button.dataset.language;
    if (to === language) return;
    if (unsaved() && !window.confirm(t("page-switch-loses"))) return;
    try {
      localStorage.setItem(CHOICE_KEY, to);
    } catch {
      /* storage off: the address carries it */
    }
    const url = new URL(location.href);
    url.searchParams.set("lang", to);
    location.replace(url);
  });
}
const nav = document.querySelector("nav.languages");
if (nav) nav.setAttribute("aria-label", t("page-language"));
