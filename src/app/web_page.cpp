// GET /: one self-contained page (no external assets) that polls /api/accounts and /api/calls
// every 2 s (every second while a call is active). Accounts come a page at a time (a fleet has
// 50,000), filtered by state and name, with the counts by state from /api/accounts/summary.
#include <string_view>

#include "app/api.hpp"
#include "app/web_page_parts.hpp"

namespace sipline::app {

namespace {

constexpr const char* kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sipline</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; }
th { background: #f4f4f4; }
.registered, .refreshing { color: #17702a; font-weight: bold; }
.failed { color: #b00020; font-weight: bold; }
.registering, .unregistering { color: #a06000; }
.disabled { color: #888; }
#note { color: #888; font-size: .9em; }
#filter { margin: .6em 0; }
#summary { font-weight: bold; }
.lamp { display: inline-block; width: .8em; height: .8em; border-radius: 50%;
        background: #ccc; margin-right: .3em; vertical-align: middle; }
.lamp.on, .lamp.busy { background: #d00020; }
.lamp.ringing { background: #e08000; animation: blink 1s step-start infinite; }
.lamp.idle { background: #2a9d3a; }
.blf { white-space: nowrap; margin-right: .8em; }
@keyframes blink { 50% { opacity: .25; } }
button { font-size: .85em; }
#settings table { width: auto; }
#settings th { background: none; font-weight: normal; font-family: monospace; }
#settings small { color: #666; }
.problem { color: #b00020; font-size: .9em; }
/*calls-css*/
</style>
</head>
<body>
<h1>sipline</h1>
<p id="summary"></p>
<form id="filter">
<label>State <select id="filter-state"><option value="">any</option></select></label>
<label>Name <input id="filter-name" size="20"></label>
<button type="button" id="page-prev">&lt; Previous</button>
<span id="page-info"></span>
<button type="button" id="page-next">Next &gt;</button>
</form>
<table>
<thead><tr><th>#</th><th>Name</th><th>AOR</th><th>State</th><th>MWI</th><th>BLF</th><th>Transport</th>
<th>Expires</th><th>Next</th><th>Last status</th><th>Last error</th><th>Keep-alive misses</th>
<th></th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="note">loading...</p>
<!--calls-html-->
<form id="settings" hidden novalidate></form>
<form id="login" hidden>
<label>HTTP token (the content of the daemon's http_token_file):
<input id="token" type="password" autocomplete="off" size="66"></label>
<button type="submit">Log in</button>
</form>
<script>
"use strict";
// The token: from "#token=..." in the address (then dropped from it) or the login form,
// kept for this tab only. Sent as a header, so another site's page cannot send it.
(function () {
  const m = location.hash.match(/token=([0-9A-Za-z._~-]+)/);
  if (m) {
    sessionStorage.setItem("sipline_token", m[1]);
    history.replaceState(null, "", location.pathname);
  }
})();
function api(path, options) {
  const o = Object.assign({}, options || {});
  o.headers = Object.assign({"Content-Type": "application/json"}, o.headers || {});
  const t = sessionStorage.getItem("sipline_token");
  if (t) o.headers["Authorization"] = "Bearer " + t;
  return fetch(path, o);
}
document.getElementById("login").onsubmit = (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("sipline_token", document.getElementById("token").value.trim());
  document.getElementById("login").hidden = true;
  refresh();
};
function dur(s) {
  if (s === null || s === undefined) return "-";
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
}
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}
function next(a) {
  if (a.next_refresh_in_s !== null && a.next_refresh_in_s !== undefined)
    return "refresh in " + dur(a.next_refresh_in_s);
  if (a.next_attempt_in_s !== null && a.next_attempt_in_s !== undefined)
    return "retry in " + dur(a.next_attempt_in_s);
  return "-";
}
// A lamp: a dot coloured by `cls` and its label; `key` (data-lamp) names it for scripts and tests.
function lamp(td, key, cls, label, title) {
  const span = document.createElement("span");
  span.className = "blf";
  span.dataset.lamp = key;
  span.title = title || "";
  const dot = document.createElement("span");
  dot.className = "lamp " + cls;
  span.appendChild(dot);
  span.appendChild(document.createTextNode(label));
  td.appendChild(span);
}
// The message-waiting lamp: lit while messages wait, with the new/old counts.
function mwiCell(tr, a) {
  const td = document.createElement("td");
  if (a.mwi) {
    lamp(td, "mwi-" + a.index, a.mwi.waiting ? "on" : "", a.mwi.new + " new / " + a.mwi.old + " old",
         a.mwi.waiting ? "messages waiting" : "no new messages");
  } else {
    td.textContent = (a.subscriptions || []).some(s => s.event === "message-summary") ? "?" : "-";
  }
  tr.appendChild(td);
}
// One lamp per watched line: idle, ringing (blinks), busy; the other party in the tooltip.
function blfCell(tr, a) {
  const td = document.createElement("td");
  for (const b of (a.blf || [])) {
    const m = b.uri.match(/^sips?:([^@;]+)@/);
    lamp(td, "blf-" + a.index + "-" + b.uri, b.state, m ? m[1] : b.uri, b.uri + ": " + b.state + (b.remote ? " with " + b.remote : ""));
  }
  if (!td.childNodes.length) td.textContent = "-";
  tr.appendChild(td);
}
async function reregister(index) {
  await api("/api/accounts/" + index + "/register", {method: "POST"});
  refresh();
}
// The settings form of one account, built from the schema GET .../settings sends (types,
// bounds, choices, help). Only changed fields are sent; problems show next to their field.
function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.dataset.type === "integer") return input.value === "" ? null : Number(input.value);
  if (input.dataset.type === "array")
    return input.value.split(",").map(s => s.trim()).filter(s => s.length);
  return input.value;
}
function field(key, meta, v) {
  let input;
  if (meta.choices) {
    input = document.createElement("select");
    for (const c of meta.choices) {
      const o = document.createElement("option");
      o.value = o.textContent = c;
      input.appendChild(o);
    }
    input.value = v;
  } else {
    input = document.createElement("input");
    if (meta.type === "boolean") {
      input.type = "checkbox";
      input.checked = v;
    } else if (meta.type === "integer") {
      input.type = "number";
      if ("min" in meta) { input.min = meta.min; input.max = meta.max; }
      input.value = v;
    } else if (key === "password") {
      input.type = "password";
      input.placeholder = v + " (leave empty to keep)";
      input.autocomplete = "new-password";
    } else {
      input.value = meta.type === "array" ? (v || []).join(", ") : v;
      input.size = 40;
    }
  }
  input.id = "set-" + key;
  input.name = key;
  input.dataset.type = meta.type;
  input.dataset.initial = JSON.stringify(valueOf(input));
  return input;
}
async function openSettings(index) {
  const r = await api("/api/accounts/" + index + "/settings", {cache: "no-store"});
  const form = document.getElementById("settings");
  if (!r.ok) { form.hidden = false; form.textContent = "settings: HTTP " + r.status; return; }
  const j = await r.json();
  form.replaceChildren();
  form.dataset.index = index;
  const h = document.createElement("h2");
  h.textContent = "Account " + index + " settings";
  form.appendChild(h);
  const table = document.createElement("table");
  for (const [key, meta] of Object.entries(j.schema)) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    const label = document.createElement("label");
    label.textContent = key;
    label.htmlFor = "set-" + key;
    th.appendChild(label);
    const td = document.createElement("td");
    td.appendChild(field(key, meta, j.settings[key]));
    const hint = document.createElement("small");
    hint.textContent = " " + [meta.allowed, meta.unit, meta.help].filter(s => s).join(" · ");
    td.appendChild(hint);
    const problem = document.createElement("div");
    problem.className = "problem";
    problem.id = "problem-" + key;
    td.appendChild(problem);
    tr.append(th, td);
    table.appendChild(tr);
  }
  form.appendChild(table);
  const save = document.createElement("button");
  save.type = "submit";
  save.id = "save";
  save.textContent = "Save (the account re-registers)";
  const status = document.createElement("span");
  status.id = "settings-status";
  form.append(save, " ", status);
  form.hidden = false;
}
document.getElementById("settings").onsubmit = async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  const changes = {};
  for (const input of form.querySelectorAll("input, select")) {
    const v = valueOf(input);
    if (input.name === "password" && v === "") continue;
    if (JSON.stringify(v) !== input.dataset.initial) changes[input.name] = v;
  }
  for (const p of form.querySelectorAll(".problem")) p.textContent = "";
  const status = document.getElementById("settings-status");
  status.textContent = "saving...";
  if (!Object.keys(changes).length) { status.textContent = "nothing changed"; return; }
  const r = await api("/api/accounts/" + form.dataset.index + "/settings",
                      {method: "PUT", body: JSON.stringify(changes)});
  const j = await r.json().catch(() => ({}));
  if (r.ok) {
    await openSettings(form.dataset.index);
    document.getElementById("settings-status").textContent = "saved: " + Object.keys(changes).join(", ");
    refresh();
    return;
  }
  status.textContent = "not saved (" + (j.error || "HTTP " + r.status) + "): nothing changed";
  for (const p of (j.problems || [])) {
    const key = p.key.replace(/^account\[\d+\]\./, "");
    const el = document.getElementById("problem-" + key);
    const allowed = p.allowed && !p.message.includes(p.allowed) ? " (allowed: " + p.allowed + ")" : "";
    const text = p.message + allowed;
    if (el) el.textContent = text; else status.textContent += "; " + key + ": " + text;
  }
};
function render(accounts) {
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const a of accounts) {
    const tr = document.createElement("tr");
    cell(tr, a.index);
    cell(tr, a.name);
    cell(tr, a.aor);
    cell(tr, a.state, a.state);
    mwiCell(tr, a);
    blfCell(tr, a);
    cell(tr, a.transport + (a.local_port ? "/" + a.local_port : ""));
    cell(tr, a.granted_expires_s ? dur(a.granted_expires_s) : "-");
    cell(tr, next(a));
    cell(tr, a.last_status_code ? a.last_status_code : "-");
    let err = a.last_error || "-";
    for (const w of (a.warnings || [])) err += " [warning: " + w + "]";
    cell(tr, err);
    cell(tr, a.keepalive_misses);
    const td = document.createElement("td");
    const b = document.createElement("button");
    b.textContent = "Re-register";
    b.onclick = () => reregister(a.index);
    const s = document.createElement("button");
    s.textContent = "Settings";
    s.className = "open-settings";
    s.onclick = () => openSettings(a.index);
    td.append(b, " ", s);
    tr.appendChild(td);
    rows.appendChild(tr);
  }
}
// One page of accounts: the filters' query, PAGE_SIZE rows from `offset`.
const PAGE_SIZE = 100;
let offset = 0;
function accountsQuery() {
  const q = new URLSearchParams();
  const state = document.getElementById("filter-state").value;
  const name = document.getElementById("filter-name").value;
  if (state) q.set("state", state);
  if (name) q.set("name", name);
  q.set("offset", offset);
  q.set("limit", PAGE_SIZE);
  return q.toString();
}
function renderSummary(s) {
  const parts = Object.entries(s.states).filter(([, n]) => n > 0).map(([st, n]) => n + " " + st);
  document.getElementById("summary").textContent =
    s.total + " accounts" + (parts.length ? ": " + parts.join(", ") : "");
  const sel = document.getElementById("filter-state");
  if (sel.options.length === 1) {
    for (const st of Object.keys(s.states)) {
      const o = document.createElement("option");
      o.value = o.textContent = st;
      sel.appendChild(o);
    }
  }
}
function renderPage(shown, total) {
  document.getElementById("page-info").textContent =
    shown ? (offset + 1) + "-" + (offset + shown) + " of " + total : "none of " + total;
  document.getElementById("page-prev").disabled = offset === 0;
  document.getElementById("page-next").disabled = offset + shown >= total;
}
function goTo(newOffset) {
  offset = Math.max(0, newOffset);
  refresh();
}
document.getElementById("filter-state").onchange = () => goTo(0);
document.getElementById("filter-name").oninput = () => goTo(0);
document.getElementById("filter").onsubmit = (ev) => ev.preventDefault();
document.getElementById("page-prev").onclick = () => goTo(offset - PAGE_SIZE);
document.getElementById("page-next").onclick = () => goTo(offset + PAGE_SIZE);
async function refresh() {
  const note = document.getElementById("note");
  try {
    const r = await api("/api/accounts?" + accountsQuery(), {cache: "no-store"});
    if (r.status === 401) {
      document.getElementById("login").hidden = false;
      note.textContent = "log in with the token";
      return;
    }
    if (!r.ok) throw new Error("HTTP " + r.status);
    const accounts = await r.json();
    const total = Number(r.headers.get("X-Total-Count") || accounts.length);
    if (!accounts.length && offset > 0 && total > 0) {  // the list shrank under this page
      offset = Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE;
      return refresh();
    }
    const s = await api("/api/accounts/summary", {cache: "no-store"});
    if (s.ok) renderSummary(await s.json());
    render(accounts);
    renderPage(accounts.length, total);
    fillAccounts(accounts);
    refreshCalls();
    note.textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    note.textContent = "daemon not reachable: " + e.message;
  }
}
/*calls-script*/
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
)HTML";

}  // namespace

namespace {
void splice(std::string& page, std::string_view marker, const char* part) {
  page.replace(page.find(marker), marker.size(), part);
}
std::string build_page() {
  std::string page = kPage;
  splice(page, "/*calls-css*/", web_page_calls_css());
  splice(page, "<!--calls-html-->", web_page_calls_html());
  splice(page, "/*calls-script*/", web_page_calls_script());
  return page;
}
}  // namespace

const std::string& web_page() {
  static const std::string page = build_page();
  return page;
}

}  // namespace sipline::app
