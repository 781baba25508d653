// Working fast: drafts kept in this browser per ticket (a reload or a crash loses
// nothing typed), the queue the agent came from (for next/previous), and keyboard
// shortcuts, listed by `?`.
import { el, on } from "./dom";

const DRAFT = "helpdesk.draft.";
/** A draft older than this is dropped when the console starts. */
const DRAFT_DAYS = 14;

export type DraftKind = "reply" | "note";

interface Stored {
  text: string;
  at: number;
}

function draftKey(agent: string, reference: string, kind: DraftKind): string {
  return `${DRAFT}${agent}.${reference}.${kind}`;
}

export function loadDraft(agent: string, reference: string, kind: DraftKind): string {
  try {
    const raw = localStorage.getItem(draftKey(agent, reference, kind));
    const stored = raw ? (JSON.parse(raw) as Partial<Stored>) : null;
    return typeof stored?.text === "string" ? stored.text : "";
  } catch {
    return "";
  }
}

/** Keeps `text` (an empty one removes the draft). */
export function saveDraft(agent: string, reference: string, kind: DraftKind, text: string): void {
  const key = draftKey(agent, reference, kind);
  try {
    if (text.trim()) localStorage.setItem(key, JSON.stringify({ text, at: Date.now() }));
    else localStorage.removeItem(key);
  } catch {
    // Storage full or blocked: the draft lives on in the page until it is sent.
  }
}

/** Drops old drafts, and with `agent` every draft of theirs (signing out on a shared machine). */
export function dropDrafts(agent?: string): void {
  const oldest = Date.now() - DRAFT_DAYS * 24 * 3600 * 1000;
  for (const key of Object.keys(localStorage)) {
    if (!key.startsWith(DRAFT)) continue;
    if (agent && key.startsWith(`${DRAFT}${agent}.`)) {
      localStorage.removeItem(key);
      continue;
    }
    try {
      const stored = JSON.parse(localStorage.getItem(key) ?? "") as Partial<Stored>;
      if (typeof stored.at !== "number" || stored.at < oldest) localStorage.removeItem(key);
    } catch {
      localStorage.removeItem(key);
    }
  }
}

const QUEUE = "helpdesk.queue";

/** The tickets of the queue on screen, in its order: what next/previous walk. */
export function rememberQueue(references: string[]): void {
  sessionStorage.setItem(QUEUE, JSON.stringify(references));
}

function neighbour(reference: string, step: 1 | -1): string | null {
  try {
    const list = JSON.parse(sessionStorage.getItem(QUEUE) ?? "[]") as unknown;
    if (!Array.isArray(list)) return null;
    const at = list.indexOf(reference);
    const next = at < 0 ? null : list[at + step];
    return typeof next === "string" ? next : null;
  } catch {
    return null;
  }
}

export const SHORTCUTS: [string, string][] = [
  ["j", "Next ticket (of the queue you came from), or next row in a queue"],
  ["k", "Previous ticket, or previous row in a queue"],
  ["r", "Write a reply"],
  ["n", "Write an internal note"],
  ["Ctrl+Enter", "Send the reply or note you are writing"],
  ["s", "Mark the ticket solved"],
  ["a", "Assign the ticket to me"],
  ["g q", "Go to the queue"],
  ["/", "Search by reference, address or Message-ID"],
  ["?", "Show this list"],
];

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

export function showShortcuts(): void {
  const existing = document.getElementById("shortcuts");
  if (existing instanceof HTMLDialogElement) {
    existing.showModal();
    return;
  }
  const close = el("button", { type: "button", class: "secondary", text: "Close" });
  const dialog = el(
    "dialog",
    { id: "shortcuts", "aria-labelledby": "shortcuts-title" },
    el("h2", { id: "shortcuts-title", text: "Keyboard shortcuts" }),
    el(
      "dl",
      { class: "shortcuts" },
      ...SHORTCUTS.flatMap(([key, what]) => [
        el("dt", {}, el("kbd", { text: key })),
        el("dd", { text: what }),
      ]),
    ),
    close,
  ) as HTMLDialogElement;
  on(close, "click", () => dialog.close());
  document.body.append(dialog);
  dialog.showModal();
}

function click(selector: string): boolean {
  const target = document.querySelector(selector);
  if (target instanceof HTMLButtonElement && !target.disabled) {
    target.click();
    return true;
  }
  return false;
}

/** Moves the queue's current row (marked `aria-current`) by `step`. */
function moveRow(step: 1 | -1): void {
  const rows = [...document.querySelectorAll<HTMLTableRowElement>("table.tickets tbody tr")];
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.getAttribute("aria-current") === "true");
  const next = rows[Math.min(rows.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
  for (const r of rows) r.removeAttribute("aria-current");
  next.setAttribute("aria-current", "true");
  next.querySelector("a")?.focus();
}

/** The shortcuts, for the signed-in console; `me` is the agent's id. */
export function installShortcuts(me: string): void {
  let pendingG = false;
  // A key pressed soon after typing is more typing (focus may have left the box
  // when a reply was sent): no shortcut fires within this long of the last one.
  const typingPause = 1500;
  let lastTyped = 0;
  document.onkeydown = (e: KeyboardEvent) => {
    if (typing(e.target)) lastTyped = Date.now();
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && typing(e.target)) {
      const form = (e.target as HTMLElement).closest("form");
      if (form && (e.target as HTMLElement).tagName === "TEXTAREA") {
        e.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (Date.now() - lastTyped < typingPause) return;
    if (document.querySelector("dialog[open]")) return;
    const onTicket = location.hash.startsWith("#/ticket/");
    const reference = onTicket ? decodeURIComponent(location.hash.slice(9).split("?")[0]) : "";
    if (pendingG) {
      pendingG = false;
      if (e.key === "q") location.hash = "#/view/unassigned";
      return;
    }
    const focus = (id: string) => {
      const box = document.getElementById(id);
      if (!box) return false;
      box.scrollIntoView({ block: "center" });
      box.focus();
      return true;
    };
    let handled = true;
    switch (e.key) {
      case "?":
        showShortcuts();
        break;
      case "/":
        handled = focus("search");
        break;
      case "g":
        pendingG = true;
        break;
      case "j":
      case "k": {
        const step = e.key === "j" ? 1 : -1;
        if (!onTicket) moveRow(step);
        else {
          const next = neighbour(reference, step);
          if (next) location.hash = `#/ticket/${encodeURIComponent(next)}`;
        }
        break;
      }
      case "r":
        handled = onTicket && focus("reply-body");
        break;
      case "n":
        handled = onTicket && focus("note-body");
        break;
      case "s": {
        const status = document.getElementById("status-select");
        handled = onTicket && status instanceof HTMLSelectElement && status.value !== "resolved";
        if (handled && status instanceof HTMLSelectElement) {
          status.value = "resolved";
          status.dispatchEvent(new Event("change", { bubbles: true }));
        }
        break;
      }
      case "a": {
        const who = document.getElementById("assignee-select");
        const mine =
          who instanceof HTMLSelectElement && [...who.options].some((o) => o.value === me);
        if (who instanceof HTMLSelectElement && mine) {
          handled = who.value !== me;
          if (handled) {
            who.value = me;
            who.dispatchEvent(new Event("change", { bubbles: true }));
          }
        } else handled = onTicket && click("button[data-shortcut=take]");
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };
}
