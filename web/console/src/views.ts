// Saved views: a search kept under a name, the agent's own or shared with a
// category's team, listed in the sidebar with how many tickets each shows now.
import { client, data, reasons } from "./api";
import { el, on } from "./dom";
import type { Me } from "./types";

/** Said on `window` when a view was saved or deleted: the sidebar reloads. */
export const VIEWS_CHANGED = "helpdesk:views-changed";

/** The sidebar's saved views, with their counts; loaded again on each call. */
export async function refreshSavedViews(nav: HTMLElement): Promise<void> {
  // Signed out meanwhile (the sidebar is gone): no call without a session,
  // whose 401 would draw the sign-in page again under the agent's hands.
  if (!nav.isConnected) return;
  let answer: Awaited<ReturnType<typeof list>>;
  try {
    answer = await list();
  } catch {
    return; // The sidebar keeps what it showed; the next poll tries again.
  }
  if (!nav.isConnected) return;
  const section = el(
    "section",
    { class: "saved-views", "aria-labelledby": "saved-views-title" },
    el("h2", { id: "saved-views-title", text: "Saved views" }),
  );
  if (answer.views.length === 0) {
    section.append(el("p", { class: "hint", text: "Save a search to keep it here." }));
  } else {
    const ul = el("ul", { class: "views" });
    for (const v of answer.views) {
      const params = new URLSearchParams(v.search);
      params.set("view", v.id);
      const link = el(
        "a",
        { href: `#/search?${params}`, "data-saved-view": v.id },
        el("span", { text: v.name }),
      );
      if (v.shared_with) {
        link.append(el("span", { class: "shared", text: ` (${v.shared_with} team)` }));
      }
      if (v.count !== null && v.count !== undefined) {
        link.append(
          el("span", {
            class: "count",
            text: String(v.count),
            "aria-label": `${v.count} tickets`,
          }),
        );
      }
      ul.append(el("li", {}, link));
    }
    section.append(ul);
  }
  nav.querySelector("section.saved-views")?.remove();
  // Above the counts table, which the poll redraws at the end.
  nav.insertBefore(section, nav.querySelector("table.category-counts"));
}

function list() {
  return data(client.GET("/api/agent/views"));
}

/** Under a search (its words and filters): save it as a view, or delete the view it came from. */
export function viewTools(
  me: Me,
  search: Record<string, string>,
  viewId: string | null,
): HTMLElement {
  const said = el("p", { class: "notice", role: "status", hidden: true });
  const tell = (ok: boolean, text: string) => {
    said.className = ok ? "notice ok" : "notice error";
    said.textContent = text;
    said.hidden = false;
  };
  const name = el("input", { id: "view-name", maxlength: "60", autocomplete: "off" });
  const share = el("select", { id: "view-share" });
  share.append(el("option", { value: "", text: "Only me" }));
  for (const c of me.categories) {
    share.append(el("option", { value: c.id, text: `The ${c.name} team` }));
  }
  const form = el(
    "form",
    { class: "filters save-view", "aria-label": "Save this search as a view" },
    el("span", { class: "field" }, el("label", { for: "view-name", text: "View name" }), name),
    el("span", { class: "field" }, el("label", { for: "view-share", text: "Shown to" }), share),
    el("button", { type: "submit", class: "secondary", text: "Save as a view" }),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      const saved = await data(
        client.POST("/api/agent/views", {
          body: { name: name.value, shared_with: share.value || null, search },
        }),
      );
      tell(true, `Saved as "${saved.name}".`);
      window.dispatchEvent(new Event(VIEWS_CHANGED));
    } catch (err) {
      tell(false, reasons(err, "Not saved. Try again."));
    }
  });
  const box = el("div", { class: "view-tools" }, form);
  if (viewId) {
    const remove = el("button", { type: "button", class: "secondary", text: "Delete this view" });
    on(remove, "click", async () => {
      try {
        await data(client.DELETE("/api/agent/views/{id}", { params: { path: { id: viewId } } }));
        tell(true, "View deleted.");
        remove.remove();
        window.dispatchEvent(new Event(VIEWS_CHANGED));
      } catch (err) {
        tell(false, reasons(err, "Not deleted. Try again."));
      }
    });
    box.append(remove);
  }
  box.append(said);
  return box;
}

/** Admins, on a search by tag: rename the tag on every ticket, or merge it into another. */
export function renameTag(me: Me, tag: string | null): HTMLElement | null {
  if (!tag || me.agent.role !== "admin") return null;
  const to = el("input", { id: "rename-tag", maxlength: "32", autocomplete: "off" });
  const said = el("p", { class: "notice", role: "status", hidden: true });
  const form = el(
    "form",
    { class: "filters save-view", "aria-label": `Rename the tag ${tag}` },
    el(
      "span",
      { class: "field" },
      el("label", { for: "rename-tag", text: `Rename ${tag} to (a tag in use merges)` }),
      to,
    ),
    el("button", { type: "submit", class: "secondary", text: "Rename tag" }),
  );
  on(form, "submit", async (e) => {
    e.preventDefault();
    try {
      const done = await data(
        client.POST("/api/agent/tags/rename", { body: { from: tag, to: to.value } }),
      );
      said.className = done.left ? "notice error" : "notice ok";
      said.textContent =
        `${done.changed} ticket${done.changed === 1 ? "" : "s"} renamed.` +
        (done.left ? ` ${done.left} still carry ${tag}: rename again in a few seconds.` : "");
    } catch (err) {
      said.className = "notice error";
      said.textContent = reasons(err, "Not renamed. Try again.");
    }
    said.hidden = false;
  });
  return el("div", { class: "view-tools" }, form, said);
}
