import { api, el, formatDate } from "./help.js";

const ticket = new URLSearchParams(location.search).get("ticket") || "";
// The secret travels in the fragment, which browsers never send to a server.
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const problem = document.getElementById("track-error");

const { status, data } = await api(`/api/tickets/${encodeURIComponent(ticket)}`, { headers: { "x-tracking-token": token } });
if (status === 200 && data) {
  document.title = `${data.subject} — Your request`;
  document.getElementById("reference").textContent = data.reference;
  document.getElementById("subject").textContent = data.subject;
  document.getElementById("status").textContent = data.status_label;
  const thread = document.getElementById("thread");
  for (const m of data.messages) {
    const who = m.from === "you" ? "You" : "Support";
    thread.append(el("li", { class: m.from }, el("span", { class: "meta", text: `${who} · ${formatDate(m.created_at)}` }), m.body));
  }
  document.getElementById("ticket").hidden = false;
} else if (status === 404) {
  problem.textContent = "This link is not valid or has expired.";
} else {
  problem.textContent = "We could not load your request. Please try again in a moment.";
}
