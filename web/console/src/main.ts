// The agent console: sign in, then the queue and the tickets, by hash route
// (#/view/<name>, #/ticket/<reference>).
import "./style.css";
import { renderAdminAgents, renderAdminCategories } from "./admin";
import { client, data, whenSignedOut } from "./api";
import { type ConsoleConfig, loadConfig, setNewPassword, signIn, signOut, token } from "./auth";
import { clear, el, on } from "./dom";
import { renderCanned, renderFaq } from "./library";
import { askPermission, muted, setMuted, startPolling } from "./notify";
import { renderAdminPolicies } from "./policies";
import { renderNav, renderQueue, VIEWS } from "./queue";
import { renderReports } from "./reports";
import { renderTicket } from "./ticket";
import type { Counts, Me, ViewName } from "./types";

const app = document.getElementById("app") as HTMLElement;

function signInPage(config: ConsoleConfig, message = ""): void {
  clear(app);
  app.removeAttribute("aria-busy");
  const user = el("input", {
    id: "username",
    name: "username",
    autocomplete: "username",
    required: true,
  });
  const pass = el("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const fresh = el("input", {
    id: "new-password",
    name: "new-password",
    type: "password",
    autocomplete: "new-password",
  });
  const freshField = el(
    "div",
    { class: "field", hidden: true },
    el("label", { for: "new-password", text: "New password" }),
    fresh,
  );
  const error = el("p", { class: "notice error", role: "alert", hidden: !message, text: message });
  const form = el(
    "form",
    { class: "signin", "aria-labelledby": "signin-title" },
    el("h1", { id: "signin-title", text: "Agent sign-in" }),
    error,
    el("div", { class: "field" }, el("label", { for: "username", text: "User name" }), user),
    el("div", { class: "field" }, el("label", { for: "password", text: "Password" }), pass),
    freshField,
    el("button", { type: "submit", text: "Sign in" }),
  );
  let challenge: string | undefined;
  on(form, "submit", async (e) => {
    e.preventDefault();
    const result = challenge
      ? await setNewPassword(config, user.value, fresh.value, challenge)
      : await signIn(config, user.value.trim(), pass.value);
    if (result.ok) {
      void start(config);
      return;
    }
    challenge = result.newPasswordSession;
    freshField.hidden = !challenge;
    error.hidden = false;
    error.textContent = result.message;
    (challenge ? fresh : pass).focus();
  });
  app.append(el("main", { id: "main" }, form));
  user.focus();
}

let stopPolling: (() => void) | undefined;

/** The nav entry a route belongs to: a view's or admin page's name, else the page. */
function currentPage(parts: string[]): string {
  return parts[0] === "view" || parts[0] === "admin" ? (parts[1] ?? "") : (parts[0] ?? "");
}

async function start(config: ConsoleConfig): Promise<void> {
  let me: Me;
  try {
    me = await data(client.GET("/api/agent/me"));
  } catch (e) {
    signOut();
    signInPage(config, e instanceof Error ? e.message : "Sign-in failed.");
    return;
  }
  clear(app);
  app.removeAttribute("aria-busy");
  let counts: Counts | null = null;
  const nav = el("nav", { class: "sidebar", "aria-label": "Queues" });
  let main = el("main", { id: "main", tabindex: "-1" });
  const bell = el("button", {
    type: "button",
    class: "secondary",
    "aria-pressed": String(!muted()),
    text: muted() ? "Alerts off" : "Alerts on",
  });
  on(bell, "click", async () => {
    const turnOn = muted();
    setMuted(!turnOn);
    if (turnOn) await askPermission();
    bell.setAttribute("aria-pressed", String(turnOn));
    bell.textContent = turnOn ? "Alerts on" : "Alerts off";
  });
  const out = el("button", { type: "button", class: "secondary", text: "Sign out" });
  on(out, "click", () => {
    stopPolling?.();
    signOut();
    signInPage(config);
  });
  app.append(
    el(
      "header",
      { class: "top" },
      el("a", { href: "#/view/unassigned", class: "brand", text: "Helpdesk" }),
      el("span", { class: "who", text: `${me.agent.name} · ${me.agent.role}` }),
      bell,
      out,
    ),
    el("div", { class: "layout" }, nav, main),
  );

  const route = async () => {
    const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
    const parts = path.split("/").filter(Boolean);
    const current = currentPage(parts);
    renderNav(nav, counts, me, current);
    // Each route draws into a main of its own: a page still loading when the agent
    // moved on finishes into the one it was given, off screen, never over the newer page.
    const fresh = el("main", { id: "main", tabindex: "-1" });
    main.replaceWith(fresh);
    main = fresh;
    try {
      if (parts[0] === "ticket" && parts[1]) {
        await renderTicket(main, me, decodeURIComponent(parts[1]));
      } else if (parts[0] === "canned") {
        await renderCanned(main, me);
      } else if (parts[0] === "admin" && parts[1] === "categories") {
        await renderAdminCategories(main);
      } else if (parts[0] === "admin" && parts[1] === "policies") {
        await renderAdminPolicies(main);
      } else if (parts[0] === "admin" && parts[1] === "agents") {
        await renderAdminAgents(main);
      } else if (parts[0] === "reports") {
        await renderReports(main, me, new URLSearchParams(query));
      } else if (parts[0] === "faq") {
        await renderFaq(main, me, new URLSearchParams(query));
      } else {
        const view = (VIEWS.some((v) => v.name === current) ? current : "unassigned") as ViewName;
        await renderQueue(main, me, view, new URLSearchParams(query));
      }
    } catch (e) {
      // A page that could not load says so, instead of staying blank.
      fresh.append(
        el("p", {
          class: "notice error",
          role: "alert",
          text: e instanceof Error ? e.message : "This page could not be loaded.",
        }),
      );
    }
  };
  window.onhashchange = () => void route();
  await route();
  stopPolling?.();
  stopPolling = startPolling(
    config.poll_seconds ?? 15,
    (c) => {
      counts = c;
      renderNav(
        nav,
        counts,
        me,
        currentPage(location.hash.replace(/^#/, "").split("?")[0].split("/").filter(Boolean)),
      );
    },
    () => {
      // A queue on screen gets the new arrivals; a ticket being read, a form being
      // filled in or a report are left alone.
      const onQueue =
        location.hash === "" || location.hash === "#/" || location.hash.startsWith("#/view/");
      if (onQueue) void route();
    },
  );
}

async function boot(): Promise<void> {
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    clear(app);
    app.append(
      el("p", {
        class: "notice error",
        role: "alert",
        text: e instanceof Error ? e.message : "The console is not configured.",
      }),
    );
    return;
  }
  whenSignedOut(() => {
    stopPolling?.();
    signInPage(config, "Your session ended. Sign in again.");
  });
  if (token()) await start(config);
  else signInPage(config);
}

void boot();
