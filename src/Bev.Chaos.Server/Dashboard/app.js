// The dashboard: plain browser JavaScript over the chaos API and its /ws event stream.
const $ = (selector) => document.querySelector(selector);
const tokenInput = $("#token");
tokenInput.value = localStorage.getItem("bev-chaos-token") || "";
tokenInput.addEventListener("change", () => { localStorage.setItem("bev-chaos-token", tokenInput.value); connect(); refresh(); });

function headers() {
  const token = tokenInput.value.trim();
  return token ? { "Authorization": "Bearer " + token, "Content-Type": "application/json" } : { "Content-Type": "application/json" };
}

async function api(method, path, body) {
  const response = await fetch(path, { method, headers: headers(), body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

function button(label, onClick) {
  const b = document.createElement("button");
  b.className = "small";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function row(cells, action) {
  const tr = document.createElement("tr");
  cells.forEach((c) => tr.appendChild(cell(c)));
  const td = document.createElement("td");
  if (action) td.appendChild(action);
  tr.appendChild(td);
  return tr;
}

async function refresh() {
  const [status, faults] = await Promise.all([api("GET", "/status"), api("GET", "/faults")]);
  if (status.status !== 200) { $("#safety").textContent = "API: " + (status.body && status.body.error || status.status); return; }
  const safety = status.body.safety;
  $("#safety").textContent = safety.lock_engaged ? "safety lock ENGAGED" : "safety: ok";
  $("#safety").classList.toggle("locked", safety.lock_engaged);
  const now = Date.now();
  const faultRows = (faults.body || []).map((f) => {
    const tr = row([f.fault_id, f.injector_name, f.target_service, Math.max(0, Math.round((Date.parse(f.expires_at) - now) / 1000)) + " s"],
      button("remove", async () => { await api("DELETE", "/faults/" + f.fault_id); refresh(); }));
    tr.dataset.faultId = f.fault_id;
    return tr;
  });
  $("#faults tbody").replaceChildren(...faultRows);
  $("#fault-count").textContent = String(faultRows.length);
  $("#experiments tbody").replaceChildren(...status.body.active_experiments.map((e) =>
    row([e.experiment_id, e.name, e.status], button("stop", async () => { await api("POST", "/experiments/" + e.experiment_id + "/stop"); refresh(); }))));
}

async function loadScenarios() {
  const scenarios = await api("GET", "/scenarios");
  if (scenarios.status !== 200) return;
  $("#scenarios tbody").replaceChildren(...scenarios.body.map((s) =>
    row([s.name, s.category, s.safety_level], button("run", async () => {
      const started = await api("POST", "/experiments", { scenario: s.name });
      addEvent(started.status === 202 ? "started " + started.body.experiment_id + " (" + s.name + ")" : "refused: " + started.body.error);
      refresh();
    }))));
}

function addEvent(text) {
  const li = document.createElement("li");
  li.textContent = new Date().toLocaleTimeString() + "  " + text;
  $("#events").prepend(li);
  while ($("#events").children.length > 200) $("#events").lastChild.remove();
}

let socket;
function connect() {
  if (socket) socket.close();
  const token = tokenInput.value.trim();
  socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + (token ? "?access_token=" + encodeURIComponent(token) : ""));
  socket.onopen = () => { $("#ws-state").textContent = "live"; };
  socket.onclose = () => { $("#ws-state").textContent = "disconnected"; setTimeout(connect, 2000); };
  socket.onmessage = (message) => {
    const e = JSON.parse(message.data);
    addEvent(e.type + " " + (e.fault_id || e.experiment_id || e.target_service || "") + (e.reason ? " (" + e.reason + ")" : "") + (e.phase ? " → " + e.phase : "") + (e.verdict ? " → " + e.verdict : ""));
    refresh();
  };
}

$("#emergency-stop").addEventListener("click", async () => {
  const result = await api("POST", "/emergency-stop");
  addEvent(result.status === 200 ? "EMERGENCY STOP: " + result.body.faults_removed + " fault(s) removed, safety lock engaged" : "emergency stop refused: " + result.body.error);
  refresh();
});

connect();
refresh();
loadScenarios();
setInterval(refresh, 1000);
