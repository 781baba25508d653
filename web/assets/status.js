// Shows the system's health as /api/health reports it.
async function showStatus() {
  const out = document.getElementById("status");
  try {
    const res = await fetch("/api/health", { headers: { accept: "application/json" } });
    const body = await res.json();
    out.textContent = "";
    const head = document.createElement("p");
    head.className = body.status === "ok" ? "ok" : "bad";
    head.textContent = body.status === "ok" ? "All systems are working." : "Some parts are not answering.";
    out.appendChild(head);
    const list = document.createElement("ul");
    for (const c of body.components || []) {
      const li = document.createElement("li");
      li.className = c.ok ? "ok" : "bad";
      li.textContent = `${c.name}: ${c.detail}`;
      list.appendChild(li);
    }
    out.appendChild(list);
  } catch (e) {
    out.textContent = "The service does not answer right now.";
    out.className = "bad";
  }
}
showStatus();
