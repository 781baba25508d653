// The agent console: sign in, then the queue and the tickets, by hash route
// (#/view/<name>, #/ticket/<reference>).
import "./style.css";
import { renderAdminAgents, renderAdminCategories } from "./admin";
import { client, data, leaveConsole, whenSignedOut } from "./api";
import {
  answerCode,
  authenticatorLink,
  type ConsoleConfig,
  confirmAuthenticator,
  forgotPassword,
  loadConfig,
  newAuthenticatorKey,
  resetPassword,
  type Step,
  setNewPassword,
  signIn,
  signOut,
  token,
} from "./auth";
import { clear, el, on } from "./dom";
import { renderHeld } from "./held";
import { renderCanned, renderFaq } from "./library";
import { askPermission, muted, setMuted, startPolling } from "./notify";
import { renderOpening } from "./opening";
import { renderAdminPolicies } from "./policies";
import { renderAudit, renderCustomerData } from "./privacy";
import { renderProfile } from "./profile";
import { renderNav, renderQueue, VIEWS } from "./queue";
import { renderReports } from "./reports";
import { renderCustomer, renderSearch, searchBox } from "./search";
import { dropDrafts, installShortcuts, showShortcuts } from "./speed";
import { renderTicket } from "./ticket";
import { renderTiers } from "./tiers";
import type { Counts, Me, ViewName } from "./types";
import { refreshSavedViews, VIEWS_CHANGED } from "./views";

const app = document.getElementById("app") as HTMLElement;

/** One labelled input of the sign-in forms. */
function field(id: string, label: string, attrs: Record<string, string | boolean> = {}) {
  const input = el("input", { id, name: id, required: true, ...attrs });
  return {
    input,
    box: el("div", { class: "field" }, el("label", { for: id, text: label }), input),
  };
}

const CODE_ATTRS = {
  inputmode: "numeric",
  autocomplete: "one-time-code",
  pattern: "[0-9]{6}",
  maxlength: "6",
};

/** The sign-in pages, one step at a time, as the user pool asks for them. */
function signInPage(config: ConsoleConfig, message = ""): void {
  // As typed (the email: the pool is not case sensitive), and the name the pool
  // wants in a challenge's answers (USER_ID_FOR_SRP, when it gives one).
  let username = "";
  let challengeUser = "";
  /** A step's form; `notice` is an error, or news when given as `{ info }`. */
  const form = (title: string, notice: string | { info: string }, ...rows: HTMLElement[]) => {
    clear(app);
    app.removeAttribute("aria-busy");
    const info = typeof notice === "string" ? "" : notice.info;
    const problem = typeof notice === "string" ? notice : "";
    const error = el("p", {
      class: "notice error",
      role: "alert",
      hidden: !problem,
      text: problem,
    });
    const box = el(
      "form",
      { class: "signin", "aria-labelledby": "signin-title" },
      el("h1", { id: "signin-title", text: title }),
      info ? el("p", { class: "notice", role: "status", text: info }) : null,
      error,
      ...rows,
    );
    app.append(el("main", { id: "main" }, box));
    box.querySelector("input")?.focus();
    const fail = (text: string) => {
      error.hidden = false;
      error.textContent = text;
      box.querySelector("input")?.focus();
    };
    return { box, fail };
  };
  const after = (next: Step, fail: (m: string) => void, retry: () => void) => {
    switch (next.kind) {
      case "done":
        void start(config);
        return;
      case "new-password":
        challengeUser = next.user ?? challengeUser;
        return newPassword(next.session);
      case "mfa":
        challengeUser = next.user ?? challengeUser;
        return code(next.session);
      case "mfa-setup":
        challengeUser = next.user ?? challengeUser;
        return void setup(next.session);
      case "failed":
        if (next.startOver) return password(next.message);
        fail(next.message);
        retry();
    }
  };
  const submitting = (box: HTMLFormElement, run: () => Promise<void>) =>
    on(box, "submit", async (e) => {
      e.preventDefault();
      const button = box.querySelector("button[type=submit]") as HTMLButtonElement | null;
      if (button) button.disabled = true;
      try {
        await run();
      } finally {
        if (button) button.disabled = false;
      }
    });

  function password(notice: string | { info: string } = ""): void {
    const user = field("username", "User name", {
      autocomplete: "username",
      autocapitalize: "none",
      spellcheck: "false",
      value: username,
    });
    const pass = field("password", "Password", {
      type: "password",
      autocomplete: "current-password",
    });
    const forgot = el("button", { type: "button", class: "link", text: "Forgot password?" });
    const { box, fail } = form(
      "Agent sign-in",
      notice,
      user.box,
      pass.box,
      el("button", { type: "submit", text: "Sign in" }),
      forgot,
    );
    if (username) pass.input.focus();
    on(forgot, "click", () => {
      username = user.input.value.trim();
      requestReset();
    });
    submitting(box, async () => {
      username = user.input.value.trim().toLowerCase();
      challengeUser = username;
      after(await signIn(config, username, pass.input.value), fail, () => pass.input.select());
    });
  }

  function newPassword(session: string): void {
    const fresh = field("new-password", "New password", {
      type: "password",
      autocomplete: "new-password",
    });
    const { box, fail } = form(
      "Choose your password",
      "",
      el("p", {
        text: "This is your first sign-in. Choose a password of at least 12 characters with lower and upper case letters and a digit.",
      }),
      fresh.box,
      el("button", { type: "submit", text: "Set password" }),
    );
    submitting(box, async () => {
      after(await setNewPassword(config, challengeUser, fresh.input.value, session), fail, () =>
        fresh.input.select(),
      );
    });
  }

  function code(session: string): void {
    const typed = field("mfa-code", "Code from your authenticator app", CODE_ATTRS);
    const { box, fail } = form(
      "Two-step sign-in",
      "",
      typed.box,
      el("button", { type: "submit", text: "Verify" }),
    );
    submitting(box, async () => {
      after(await answerCode(config, challengeUser, typed.input.value, session), fail, () =>
        typed.input.select(),
      );
    });
  }

  async function setup(session: string): Promise<void> {
    const key = await newAuthenticatorKey(config, session);
    if (!key.ok) return password(key.message);
    const typed = field("mfa-code", "The code your app shows now", CODE_ATTRS);
    const grouped = key.secret.match(/.{1,4}/g)?.join(" ") ?? key.secret;
    const { box, fail } = form(
      "Set up two-step sign-in",
      "",
      el(
        "p",
        {},
        "Every agent signs in with a code from an authenticator app (Google Authenticator, 1Password, Authy and the like) as well as the password. Add this key to your app, as a time-based key:",
      ),
      el("p", { class: "secret", id: "mfa-key", "aria-label": "Authenticator key", text: grouped }),
      el(
        "p",
        {},
        "On a phone, ",
        el("a", { href: authenticatorLink(key.secret, username), text: "open it in the app" }),
        ".",
      ),
      typed.box,
      el("button", { type: "submit", text: "Turn on and sign in" }),
    );
    submitting(box, async () => {
      after(
        await confirmAuthenticator(config, challengeUser, typed.input.value, key.session),
        fail,
        () => typed.input.select(),
      );
    });
  }

  function requestReset(notice = ""): void {
    const user = field("username", "User name (your email)", {
      autocomplete: "username",
      autocapitalize: "none",
      spellcheck: "false",
      type: "email",
      value: username,
    });
    const back = el("button", { type: "button", class: "link", text: "Back to sign-in" });
    const { box, fail } = form(
      "Reset your password",
      notice,
      el("p", { text: "We mail you a code to set a new password with." }),
      user.box,
      el("button", { type: "submit", text: "Send code" }),
      back,
    );
    on(back, "click", () => password());
    submitting(box, async () => {
      username = user.input.value.trim().toLowerCase();
      const sent = await forgotPassword(config, username);
      if (sent.ok) reset(sent.destination);
      else fail(sent.message);
    });
  }

  function reset(destination: string): void {
    const typed = field("reset-code", "Code from the mail", CODE_ATTRS);
    const fresh = field("new-password", "New password", {
      type: "password",
      autocomplete: "new-password",
    });
    const again = el("button", { type: "button", class: "link", text: "Send a new code" });
    const { box, fail } = form(
      "Reset your password",
      "",
      el("p", {
        role: "status",
        text: `If ${username} has an account, a code is on its way to ${destination}.`,
      }),
      typed.box,
      fresh.box,
      el("button", { type: "submit", text: "Set password" }),
      again,
    );
    on(again, "click", () => requestReset());
    submitting(box, async () => {
      const done = await resetPassword(config, username, typed.input.value, fresh.input.value);
      if (done.ok) password({ info: "Your password is changed. Sign in with the new one." });
      else fail(done.message);
    });
  }

  password(message);
}

let stopPolling: (() => Promise<void>) | undefined;

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
  const keys = el("button", {
    type: "button",
    class: "secondary",
    "aria-keyshortcuts": "?",
    text: "Shortcuts",
  });
  on(keys, "click", showShortcuts);
  dropDrafts();
  installShortcuts(me.agent.id);
  // Closing the console (or its tab) lets alerts by mail flow at once.
  window.addEventListener("pagehide", () => leaveConsole());
  on(out, "click", () => {
    // "Away" after the last question on the wire, with the session it had.
    const session = token();
    void (stopPolling?.() ?? Promise.resolve()).then(() => leaveConsole(session));
    // On a shared machine the next person must not find this agent's drafts.
    dropDrafts(me.agent.id);
    signOut();
    signInPage(config);
  });
  app.append(
    el(
      "header",
      { class: "top" },
      el("a", { href: "#/view/unassigned", class: "brand", text: "Helpdesk" }),
      searchBox(),
      el("a", {
        class: "who",
        href: "#/profile",
        title: "How you sign to customers",
        text: `${me.agent.name} · ${me.agent.role}`,
      }),
      bell,
      keys,
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
      } else if (parts[0] === "admin" && parts[1] === "tiers") {
        await renderTiers(main);
      } else if (parts[0] === "admin" && parts[1] === "data") {
        await renderCustomerData(main);
      } else if (parts[0] === "admin" && parts[1] === "audit") {
        await renderAudit(main, new URLSearchParams(query));
      } else if (parts[0] === "admin" && parts[1] === "agents") {
        await renderAdminAgents(main);
      } else if (parts[0] === "reports") {
        await renderReports(main, me, new URLSearchParams(query));
      } else if (parts[0] === "new") {
        await renderOpening(main, me);
      } else if (parts[0] === "profile") {
        renderProfile(main, me);
      } else if (parts[0] === "held") {
        await renderHeld(main, new URLSearchParams(query));
      } else if (parts[0] === "search") {
        await renderSearch(main, me, new URLSearchParams(query));
      } else if (parts[0] === "customer" && parts[1]) {
        await renderCustomer(main, decodeURIComponent(parts[1]));
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
  // Signed out while the first page loaded: no polling without a session (its
  // 401 would draw the sign-in page again under the agent's hands).
  if (!nav.isConnected) return;
  // Saved views join the sidebar once it is built (by the first page), and
  // again whenever one is saved or deleted.
  void refreshSavedViews(nav);
  window.addEventListener(VIEWS_CHANGED, () => void refreshSavedViews(nav));
  stopPolling?.();
  stopPolling = startPolling(
    config.poll_seconds ?? 15,
    (c) => {
      counts = c;
      // Seen from another tab: how many tickets wait for an answer from us.
      const awaiting = c.categories.reduce((sum, k) => sum + k.awaiting_response, 0);
      document.title = `${awaiting > 0 ? `(${awaiting}) ` : ""}Agent console · Helpdesk`;
      renderNav(
        nav,
        counts,
        me,
        currentPage(location.hash.replace(/^#/, "").split("?")[0].split("/").filter(Boolean)),
      );
      // The views' counts are live as the queues' are.
      void refreshSavedViews(nav);
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
