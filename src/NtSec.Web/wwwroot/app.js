// The explainer page: it posts one check --batch request to /api/check and draws the structured explanation.
// The inputs live in the URL fragment (#sd=...&token=...&desired=...&type=...), so a link reproduces the view.
"use strict";

const alice = {
  user: "S-1-5-21-1-2-3-1001",
  groups: [
    { sid: "S-1-5-21-1-2-3-513", attributes: ["Mandatory", "EnabledByDefault", "Enabled"] },
    { sid: "S-1-1-0", attributes: ["Mandatory", "EnabledByDefault", "Enabled"] },
    { sid: "S-1-5-32-545", attributes: ["Mandatory", "EnabledByDefault", "Enabled"] },
    { sid: "S-1-5-11", attributes: ["Mandatory", "EnabledByDefault", "Enabled"] },
    { sid: "S-1-16-8192", attributes: ["Integrity", "IntegrityEnabled"] }
  ],
  privileges: [{ name: "SeChangeNotifyPrivilege", attributes: ["Enabled", "EnabledByDefault"] }]
};
const aliceRestricted = Object.assign({}, alice, {
  restrictedSids: [{ sid: "S-1-1-0", attributes: ["Mandatory", "EnabledByDefault", "Enabled"] }]
});

const examples = [
  { name: "Deny ACE takes write away", sd: "O:BAG:BAD:(A;;FR;;;WD)(D;;FW;;;WD)(A;;FA;;;AU)", token: alice, desired: "FILE_READ_DATA|FILE_WRITE_DATA", type: "file" },
  { name: "Users may read", sd: "O:BAG:BAD:(A;;FA;;;BA)(A;;FR;;;BU)", token: alice, desired: "MAXIMUM_ALLOWED", type: "file" },
  { name: "Restricted token: the second pass", sd: "O:BAG:BAD:(A;;FA;;;S-1-5-21-1-2-3-1001)(A;;FR;;;WD)", token: aliceRestricted, desired: "MAXIMUM_ALLOWED", type: "file" },
  { name: "Low integrity label on the object", sd: "O:BAG:BAD:(A;;FA;;;WD)S:(ML;;NW;;;HI)", token: alice, desired: "FILE_READ_DATA|FILE_WRITE_DATA", type: "file" }
];

const $ = id => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c === null || c === undefined ? "" : c);
  return e;
}

function readFragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of ["sd", "token", "desired", "type"]) if (p.has(k)) $(k).value = p.get(k);
  return p.has("sd") && p.has("token");
}

function writeFragment() {
  const p = new URLSearchParams();
  for (const k of ["sd", "token", "desired", "type"]) p.set(k, $(k).value);
  history.replaceState(null, "", "#" + p.toString());
}

function rowClass(step) {
  if (step.outcome === "Granted") return "granted";
  if (step.outcome === "Denied") return "denied";
  if (step.outcome) return "skipped";
  return "";
}

function showError(text) {
  $("output").hidden = false;
  $("error").hidden = false;
  $("error").textContent = text;
  $("summary").replaceChildren();
  $("passes").replaceChildren();
}

function render(answer) {
  $("output").hidden = false;
  $("error").hidden = true;
  const ex = answer.explanation;
  const granted = answer.status === "STATUS_SUCCESS";
  $("summary").replaceChildren(
    el("div", { class: "verdict " + (granted ? "granted" : "denied"), id: "verdict" }, (granted ? "Granted " : "Denied ") + answer.granted + " (" + answer.status + ")"),
    el("div", { id: "granted-rights" }, "Granted rights: " + answer.granted + (answer.grantedRights && answer.grantedRights.length ? " (" + answer.grantedRights.join(" | ") + ")" : "")));
  const passes = $("passes");
  passes.replaceChildren();
  if (!ex) return;
  const byStage = new Map();
  for (const s of ex.steps) {
    if (!byStage.has(s.stage)) byStage.set(s.stage, []);
    byStage.get(s.stage).push(s);
  }
  for (const [stage, steps] of byStage) {
    const table = el("table", { class: "pass", "data-stage": stage },
      el("tr", {}, el("th", {}, "#"), el("th", {}, "ACE"), el("th", {}, "Outcome"), el("th", {}, "Token SID matched"), el("th", {}, "Bits"), el("th", {}, "Why")));
    for (const s of steps) {
      // The ACE's (or step's) mask with its names, then what this step itself denied or granted of the request.
      const rights = (s.mask || "") + (s.maskRights ? " " + s.maskRights.join(" | ") : "");
      const bits = rights + (s.denied ? "; denied " + s.denied : "") + (s.granted && s.kind === "Ace" ? "; granted " + s.granted : "");
      table.append(el("tr", { class: rowClass(s), "data-kind": s.kind },
        el("td", { class: "mono" }, s.ace === null || s.ace === undefined ? "" : String(s.ace)),
        el("td", { class: "mono" }, s.aceSddl || s.kind),
        el("td", {}, s.outcome || ""),
        el("td", { class: "mono" }, s.sid ? s.sid + (s.sidName ? " (" + s.sidName + ")" : "") : ""),
        el("td", { class: "mono" }, bits),
        el("td", {}, s.message || "")));
    }
    passes.append(el("h2", {}, stage), table);
  }
}

async function check() {
  writeFragment();
  let token;
  try {
    token = JSON.parse($("token").value);
  } catch (e) {
    showError("token: not valid JSON: " + e.message);
    return;
  }
  const request = { sd: $("sd").value, token: token, desired: $("desired").value };
  if ($("type").value.trim()) request.type = $("type").value.trim();
  let response;
  try {
    response = await fetch("api/check", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
  } catch (e) {
    showError("the server did not answer: " + e.message);
    return;
  }
  const answer = await response.json();
  if (answer.error) showError(answer.error);
  else render(answer);
}

function pick(i) {
  const x = examples[i];
  $("sd").value = x.sd;
  $("token").value = JSON.stringify(x.token, null, 2);
  $("desired").value = x.desired;
  $("type").value = x.type;
}

examples.forEach((x, i) => $("example").append(el("option", { value: String(i) }, x.name)));
$("example").addEventListener("change", e => { if (e.target.value !== "") { pick(Number(e.target.value)); check(); } });
$("check").addEventListener("click", check);
if (readFragment()) check(); else { pick(0); }
