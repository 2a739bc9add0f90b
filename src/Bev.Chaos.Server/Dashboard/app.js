// The dashboard: plain browser JavaScript over the chaos API and its /ws event stream.
const $ = (selector) => document.querySelector(selector);
const tokenInput = $("#token");
tokenInput.value = localStorage.getItem("bev-chaos-token") || "";
tokenInput.addEventListener("change", () => { localStorage.setItem("bev-chaos-token", tokenInput.value); connect(); refresh(); loadInjectors(); loadScenarios(); });

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
    const counted = f.measurements ? "matched " + f.measurements.matched + ", affected " + f.measurements.affected : "";
    const tr = row([f.fault_id, f.injector_name, f.target_service, Math.max(0, Math.round((Date.parse(f.expires_at) - now) / 1000)) + " s", counted],
      button("remove", async () => { await api("DELETE", "/faults/" + f.fault_id); refresh(); }));
    tr.dataset.faultId = f.fault_id;
    return tr;
  });
  $("#faults tbody").replaceChildren(...faultRows);
  $("#fault-count").textContent = String(faultRows.length);
  $("#experiments tbody").replaceChildren(...status.body.active_experiments.map((e) =>
    row([e.experiment_id, e.name, e.status], button("stop", async () => { await api("POST", "/experiments/" + e.experiment_id + "/stop"); refresh(); }))));
}

function option(value, label) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  return o;
}

// The inject form: the fault types from /injectors, the catalog's targets (and what their
// proxied dependencies speak) from /targets; a refused fault shows the API's own message.
let injectors = [];
async function loadInjectors() {
  const [list, targets] = await Promise.all([api("GET", "/injectors"), api("GET", "/targets")]);
  if (list.status !== 200) return;
  injectors = list.body;
  // A reload (a token typed in) keeps the fault type already chosen.
  const chosen = $("#inject-injector").value;
  $("#inject-injector").replaceChildren(...injectors.map((i) => option(i.name, i.name)));
  if (injectors.some((i) => i.name === chosen)) $("#inject-injector").value = chosen;
  if (targets.status === 200) {
    $("#inject-targets").replaceChildren(...targets.body.map((t) =>
      option(t.name, t.name + (t.proxies.length ? " — proxies: " + t.proxies.map((p) => p.name + " (" + p.protocol + ")").join(", ") : ""))));
  }
  showInjector();
}

function showInjector() {
  const injector = injectors.find((i) => i.name === $("#inject-injector").value);
  if (!injector) return;
  $("#inject-profile").replaceChildren(option("", "(none)"), ...injector.profiles.map((p) => option(p, p)));
  $("#inject-help").textContent = injector.description + " Parameters: " + injector.parameters.map((p) =>
    p.name + (p.default === null || p.default === undefined ? "" : " = " + p.default) + (p.min === null || p.min === undefined ? "" : " [" + p.min + "–" + p.max + "]")).join(", ") + ".";
}

$("#inject-injector").addEventListener("change", showInjector);
$("#inject").addEventListener("submit", async (event) => {
  event.preventDefault();
  let parameters = {};
  const text = $("#inject-parameters").value.trim();
  if (text) {
    try { parameters = JSON.parse(text); } catch { $("#inject-result").textContent = "parameters: not JSON — write an object, e.g. {\"toxicity\": 0.2}"; return; }
  }
  if (!$("#inject-injector").value) { $("#inject-result").textContent = "no injectors loaded: the API refused the list (a token needed?)"; return; }
  const body = { injector_name: $("#inject-injector").value, target_service: $("#inject-target").value.trim(), duration_seconds: Number($("#inject-duration").value), parameters };
  if ($("#inject-profile").value) body.profile_name = $("#inject-profile").value;
  const result = await api("POST", "/faults", body);
  $("#inject-result").textContent = result.status === 201 ? "injected " + result.body.fault_id : "refused: " + (result.body && result.body.error || result.status);
  $("#inject-result").dataset.faultId = result.status === 201 ? result.body.fault_id : "";
  refresh();
});

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
loadInjectors();
loadScenarios();
setInterval(refresh, 1000);
