// The calls part of the web page (calls-and-subscriptions.md "Interfaces added": the page lists
// calls and can place and end one): a form that places a call (POST /api/calls), and a table of
// GET /api/calls — active calls first with their live RTP figures, then the latest ended ones —
// whose rows answer (POST .../answer) and end (DELETE) their call. Polled every second while a
// call is active, with the page's token. Spliced into web_page.cpp's page.
#include "app/web_page_parts.hpp"

namespace sipline::app {

const char* web_page_calls_css() {
  return R"CSS(
#dial label { margin-right: .8em; }
#call-status { color: #555; }
.confirmed { color: #17702a; font-weight: bold; }
.incoming, .ringing, .early, .calling { color: #a06000; font-weight: bold; }
.ending, .ended { color: #888; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
)CSS";
}

const char* web_page_calls_html() {
  return R"HTML(
<h2>Calls</h2>
<form id="dial">
<label>Call <input id="call-to" placeholder="1002 or sip:user@host" size="28"></label>
<label>from account <select id="call-account"></select></label>
<label><input id="call-anonymous" type="checkbox"> anonymous</label>
<button type="submit" id="call-place">Call</button>
<span id="call-status"></span>
</form>
<table>
<thead><tr><th>#</th><th>Account</th><th>Direction</th><th>Remote</th><th>State</th>
<th>Started</th><th>Duration</th><th>Codec</th><th>RTP sent</th><th>RTP received</th>
<th>Lost</th><th>Jitter</th><th></th></tr></thead>
<tbody id="calls"></tbody>
</table>
<p id="calls-note"></p>
)HTML";
}

const char* web_page_calls_script() {
  return R"JS(
// The accounts a call can be placed from; the choice survives the 2-second refresh.
function fillAccounts(accounts) {
  const sel = document.getElementById("call-account");
  const usable = accounts.filter(a => a.state !== "disabled");
  const want = usable.map(a => String(a.index)).join();
  if (Array.from(sel.options).map(o => o.value).join() === want) return;
  const keep = sel.value;
  sel.replaceChildren();
  for (const a of usable) {
    const o = document.createElement("option");
    o.value = a.index;
    o.textContent = a.index + ": " + (a.name || a.aor);
    sel.appendChild(o);
  }
  if (want.split(",").includes(keep)) sel.value = keep;
}
async function callAction(path, method, what) {
  const status = document.getElementById("call-status");
  const r = await api(path, {method: method});
  const j = await r.json().catch(() => ({}));
  status.textContent = r.ok ? what : what + " failed: " + (j.error || "HTTP " + r.status);
  refreshCalls();
}
document.getElementById("dial").onsubmit = async (ev) => {
  ev.preventDefault();
  const status = document.getElementById("call-status");
  const to = document.getElementById("call-to").value.trim();
  if (!to) { status.textContent = "whom to call: a number, user or SIP URI"; return; }
  const body = {account: Number(document.getElementById("call-account").value), to: to,
                anonymous: document.getElementById("call-anonymous").checked};
  status.textContent = "calling...";
  const r = await api("/api/calls", {method: "POST", body: JSON.stringify(body)});
  const j = await r.json().catch(() => ({}));
  status.textContent = r.ok ? "call " + j.id + " placed" : "not placed: " + (j.error || "HTTP " + r.status);
  refreshCalls();
};
function callButton(td, text, cls, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.className = cls;
  b.onclick = onclick;
  td.append(b, " ");
}
function callState(c) {
  if (!c.outcome) return c.state;
  return c.state + " " + (c.outcome.status || "timeout") + (c.outcome.reason ? " " + c.outcome.reason : "") +
         " (" + c.outcome.ended_by + ")";
}
function renderCalls(calls) {
  const rows = document.getElementById("calls");
  rows.replaceChildren();
  const shown = calls.slice(0, 50);
  for (const c of shown) {
    const tr = document.createElement("tr");
    tr.id = "call-" + c.id;
    tr.dataset.state = c.state;
    cell(tr, c.id);
    cell(tr, c.account);
    cell(tr, c.direction === "out" ? "outgoing" : "incoming");
    cell(tr, c.remote + (c.anonymous ? " (anonymous)" : ""));
    cell(tr, callState(c), "state " + c.state);
    cell(tr, new Date(c.started_at).toLocaleString());
    cell(tr, c.answered_at ? dur(Math.round(c.duration_s)) : "-", "num duration");
    cell(tr, c.codec || "-");
    cell(tr, c.rtp.sent, "num sent");
    cell(tr, c.rtp.received, "num received");
    cell(tr, c.rtp.lost, "num lost");
    cell(tr, c.rtp.jitter_ms.toFixed(1) + " ms", "num jitter");
    const td = document.createElement("td");
    const path = "/api/calls/" + c.id;
    if (c.state === "incoming") {
      callButton(td, "Answer", "call-answer", () => callAction(path + "/answer", "POST", "answered " + c.id));
      callButton(td, "Reject", "call-end", () => callAction(path, "DELETE", "rejected " + c.id));
    } else if (c.state === "confirmed") {
      callButton(td, "Hang up", "call-end", () => callAction(path, "DELETE", "hung up " + c.id));
    } else if (c.state !== "ended" && c.state !== "ending") {
      callButton(td, "Cancel", "call-end", () => callAction(path, "DELETE", "cancelled " + c.id));
    }
    tr.appendChild(td);
    rows.appendChild(tr);
  }
  document.getElementById("calls-note").textContent = calls.length ? (calls.length > shown.length
      ? "the latest " + shown.length + " of " + calls.length + " calls" : "") : "no calls yet";
}
let liveCalls = false;
async function refreshCalls() {
  try {
    const r = await api("/api/calls", {cache: "no-store"});
    if (!r.ok) return;
    const calls = await r.json();
    renderCalls(calls);
    liveCalls = calls.some(c => c.state !== "ended");
  } catch (e) {
    liveCalls = false;
  }
}
setInterval(() => { if (liveCalls) refreshCalls(); }, 1000);
)JS";
}

}  // namespace sipline::app
