// Shows the system's health as /api/health reports it.
import { api, el } from "./help.js";

const out = document.getElementById("status");
const { status, data } = await api("/api/health");
out.textContent = "";
if (!data) {
  out.textContent = "The service does not answer right now.";
} else {
  out.append(el("p", { text: status === 200 ? "All systems are working." : "Some parts are not answering." }));
  const list = el("ul");
  for (const c of data.components || []) list.append(el("li", { text: `${c.name}: ${c.detail}` }));
  out.append(list);
}
