// The explainer page. It reads the inputs (descriptor and token in any form the API reads, or an example), posts one
// check --batch request to /api/check and the descriptor to /api/sddl, and draws what the answers carry as data: the
// decoded descriptor, the passes side by side with their intersection, each ACE's outcome, SID and bits, and the
// conditions with the claim values they read. It never parses the English "message" of a step; that is only shown.
// The inputs live in the URL fragment (#sd=...&token=...&desired=...&type=...&more=...), so a link reproduces the view.
// Other views (inheritance, scenario, audit; "view=NAME" in the fragment) work the same way over their own endpoint.
"use strict";

const $ = id => document.getElementById(id);
const fields = ["sd", "token", "desired", "type", "more"];
// Each view's inputs, kept in the fragment with "view=NAME" (the check view, the first, without it: older links stay valid).
const viewFields = { check: fields, inherit: ["parent", "creator", "itoken", "container", "itype", "flags"], run: ["scenario"], audit: ["audit-query", "audit-cell"] };
let currentView = "check";
const passStages = ["Dacl", "RestrictedPass", "WriteRestrictedPass", "AppContainerPass"];
const passTitles = { Dacl: "DACL pass (the token's own SIDs)", RestrictedPass: "Restricted pass (restricting SIDs)", WriteRestrictedPass: "Write-restricted pass (write rights only)", AppContainerPass: "AppContainer pass (package and capabilities)" };
let examples = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c === null || c === undefined ? "" : c);
  return e;
}

function value(k) {
  const e = $(k);
  return e.type === "checkbox" ? (e.checked ? "1" : "") : e.value;
}

function setValue(k, v) {
  const e = $(k);
  if (e.type === "checkbox") e.checked = v === "1" || v === true;
  else e.value = v;
}

// The view the fragment names, with its inputs filled in; true when the inputs are complete enough to run at once.
function readFragment() {
  const p = new URLSearchParams(location.hash.slice(1));
  const view = p.get("view") || "check";
  if (!viewFields[view]) return null;
  for (const k of viewFields[view]) if (p.has(k)) setValue(k, p.get(k));
  if (view === "check") return p.has("sd") && p.has("token") ? view : null;
  return [...p.keys()].some(k => viewFields[view].includes(k)) ? view : null;
}

function writeFragment() {
  const p = new URLSearchParams();
  if (currentView !== "check") p.set("view", currentView);
  for (const k of viewFields[currentView]) if (value(k).trim() !== "") p.set(k, value(k));
  history.replaceState(null, "", "#" + p.toString());
}

function showView(view) {
  currentView = view;
  for (const b of document.querySelectorAll("#views button")) b.classList.toggle("active", b.dataset.view === view);
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== "view-" + view;
}

function showError(text) {
  $("output").hidden = false;
  $("error").hidden = false;
  $("error").textContent = text;
  for (const id of ["summary", "descriptor", "stages", "passes", "result"]) $(id).replaceChildren();
}

async function post(path, body) {
  let response;
  try {
    response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (e) {
    return { error: "the server did not answer: " + e.message };
  }
  try {
    return await response.json();
  } catch (e) {
    return { error: "the server answered " + response.status + " without JSON" };
  }
}

// The token as a JSON object: JSON is used as it is; anything else (a saved whoami /all) is read by /api/token.
async function tokenObject(box = "token", note = "token-format") {
  const text = $(box).value;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return { token: JSON.parse(trimmed) };
    } catch (e) {
      return { error: "token: not valid JSON: " + e.message };
    }
  }
  const answer = await post("api/token", { token: text });
  if (answer.error) return { error: answer.error };
  $(note).textContent = "read as " + answer.format + " (" + (answer.token.groups || []).length + " groups)";
  return { token: answer.token };
}

function moreFields() {
  const text = $("more").value.trim();
  if (text === "") return {};
  let more;
  try {
    more = JSON.parse(text);
  } catch (e) {
    throw new Error("more fields: not valid JSON: " + e.message);
  }
  if (typeof more !== "object" || more === null || Array.isArray(more)) throw new Error("more fields: expected a JSON object such as {\"owner\": \"BA\"}");
  return more;
}

function rowClass(step) {
  if (step.outcome === "Granted") return "granted";
  if (step.outcome === "Denied") return "denied";
  if (step.outcome) return "skipped";
  if (step.kind === "Condition") return "condition";
  return "";
}

function rightsText(mask, rights) {
  return (mask || "") + (rights && rights.length ? " " + rights.join(" | ") : "");
}

// What one step contributed: the bits it granted or denied, and what was already decided before it.
function bitsCell(s) {
  const parts = [];
  if (s.kind === "Ace" && s.outcome === "Granted") parts.push("granted " + rightsText(s.mask, s.maskRights));
  else if (s.kind === "Ace" && s.outcome === "Denied") parts.push("denied " + rightsText(s.denied || s.mask, s.denied ? null : s.maskRights));
  else if (s.mask && s.mask !== "0x00000000") parts.push(rightsText(s.mask, s.maskRights));
  if (s.alreadyGranted) parts.push("already granted " + s.alreadyGranted);
  if (s.alreadyDenied) parts.push("already denied " + s.alreadyDenied);
  if (s.missing) parts.push("missing " + rightsText(s.missing, s.missingRights));
  if (s.limit) parts.push("limit " + s.limit);
  return parts.join("; ");
}

// A condition's attribute operands with the values the token holds for them (from the token JSON, by claim name).
function claimValues(token, operand) {
  if (!operand || operand.kind !== "Attribute") return null;
  const list = operand.source === "User" ? token.userClaims : operand.source === "Device" ? token.deviceClaims : null;
  if (!list) return null;
  const claim = list.find(c => (c.name || "").toLowerCase() === (operand.name || "").toLowerCase());
  return claim ? claim.values : null;
}

function operandText(token, o) {
  if (!o) return "";
  if (o.kind === "Attribute") {
    const values = claimValues(token, o);
    return "@" + o.source + "." + o.name + (o.found ? " = " + (values ? JSON.stringify(values) : o.count + " value(s)") : " (not in the token)");
  }
  if (o.kind === "Result") return o.value;
  return o.kind + (o.count !== undefined ? " (" + o.count + ")" : "");
}

function conditionList(token, s) {
  const list = el("ul", { class: "condition-steps" });
  for (const c of s.conditionSteps || [])
    list.append(el("li", { class: "mono" }, operandText(token, c.left) + " " + c.operator + " " + (c.right ? operandText(token, c.right) : "") + " → " + c.value + (c.reason !== "Evaluated" ? " (" + c.reason + ")" : "")));
  return el("div", {}, el("div", {}, "condition: " + (s.condition || "")), list);
}

function stepTable(stage, steps, token) {
  const table = el("table", { class: "pass", "data-stage": stage },
    el("tr", {}, el("th", {}, "#"), el("th", {}, "ACE"), el("th", {}, "Outcome"), el("th", {}, "Token SID matched"), el("th", {}, "Bits"), el("th", {}, "Why")));
  for (const s of steps) {
    const why = s.kind === "Condition" ? conditionList(token, s) : (s.message || "");
    table.append(el("tr", { class: rowClass(s), "data-kind": s.kind },
      el("td", { class: "mono" }, s.ace === null || s.ace === undefined ? "" : String(s.ace)),
      el("td", { class: "mono" }, s.aceSddl || s.kind),
      el("td", {}, s.outcome || (s.kind === "Condition" ? s.condition : "")),
      el("td", { class: "mono" }, s.sid ? s.sid + (s.sidName ? " (" + s.sidName + ")" : "") + (s.sidState && s.sidState !== "Enabled" ? " [" + s.sidState + "]" : "") : ""),
      el("td", { class: "mono bits" }, bitsCell(s)),
      el("td", {}, why)));
  }
  return table;
}

function renderDescriptor(doc) {
  const box = $("descriptor");
  box.replaceChildren();
  if (!doc) return;
  if (doc.error) {
    box.append(el("h2", {}, "Descriptor"), el("div", { class: "error" }, doc.error));
    return;
  }
  const who = x => x ? x.sid + (x.alias ? " (" + x.alias + ")" : "") + (x.name ? " " + x.name : "") : "(none)";
  box.append(el("h2", {}, "Descriptor" + (doc.objectType ? " — rights named for " + doc.objectType : "")),
    el("div", { class: "mono", id: "descriptor-sddl" }, doc.sddl || ""),
    el("table", { class: "header" },
      el("tr", {}, el("th", {}, "Owner"), el("td", { class: "mono" }, who(doc.owner))),
      el("tr", {}, el("th", {}, "Group"), el("td", { class: "mono" }, who(doc.group))),
      el("tr", {}, el("th", {}, "Control"), el("td", { class: "mono" }, doc.control.hex + " " + doc.control.flags.join(" | ")))));
  for (const [name, acl] of [["DACL", doc.dacl], ["SACL", doc.sacl]]) {
    if (!acl || acl.state !== "present") {
      box.append(el("div", {}, name + ": " + (acl ? acl.state : "absent")));
      continue;
    }
    const table = el("table", { class: "acl", "data-acl": name },
      el("tr", {}, el("th", {}, "#"), el("th", {}, "Type"), el("th", {}, "Flags"), el("th", {}, "Trustee"), el("th", {}, "Rights"), el("th", {}, "Object type / condition")));
    for (const a of acl.aces) {
      const rights = a.mask.hex + " " + (a.mask.composite ? a.mask.composite + " = " : "") + (a.mask.rights || []).join(" | ");
      table.append(el("tr", { "data-ace": String(a.index) },
        el("td", { class: "mono" }, String(a.index)),
        el("td", { class: "mono" }, a.sddlType || a.type),
        el("td", { class: "mono" }, a.flags.names.join(" | ")),
        el("td", { class: "mono" }, who(a.trustee)),
        el("td", { class: "mono" }, rights),
        el("td", { class: "mono" }, [a.objectType, a.inheritedObjectType, a.condition, a.resourceAttribute].filter(x => x).map(x => typeof x === "string" ? x : JSON.stringify(x)).join(" "))));
    }
    box.append(el("h3", {}, name + " (" + acl.aces.length + " ACEs" + (acl.canonical === false ? ", not in canonical order" : "") + ")"), table);
  }
}

function render(answer, token) {
  $("output").hidden = false;
  $("error").hidden = true;
  const ex = answer.explanation;
  const granted = answer.status === "STATUS_SUCCESS";
  $("summary").replaceChildren(
    el("div", { class: "verdict " + (granted ? "granted" : "denied"), id: "verdict" }, (granted ? "Granted " : "Denied ") + answer.granted + " (" + answer.status + ")"),
    el("div", { id: "granted-rights" }, "Granted rights: " + answer.granted + (answer.grantedRights && answer.grantedRights.length ? " (" + answer.grantedRights.join(" | ") + ")" : "")));
  for (const id of ["stages", "passes", "result"]) $(id).replaceChildren();
  if (ex) renderExplanation(ex, token, { stages: $("stages"), passes: $("passes"), result: $("result") }, true);
}

// The explanation view of one check: the stages before the passes, the passes side by side, how they combine, the
// result. "main" gives the elements the ids the page's own check view has (a scenario's checks are drawn by class).
function renderExplanation(ex, token, boxes, main) {
  const id = name => main ? name : null;
  const byStage = new Map();
  for (const s of ex.steps) {
    if (!byStage.has(s.stage)) byStage.set(s.stage, []);
    byStage.get(s.stage).push(s);
  }
  for (const [stage, steps] of byStage) {
    if (passStages.includes(stage) || stage === "Result") continue;
    boxes.stages.append(el("h2", {}, stage), stepTable(stage, steps, token));
  }
  // The passes side by side, then how they combine: each pass's total and their intersection within the integrity limit.
  const present = passStages.filter(p => byStage.has(p));
  const row = el("div", { class: "side-by-side", id: id("side-by-side") });
  const combine = el("table", { class: "intersection", id: id("intersection") }, el("tr", {}, el("th", {}, "Pass"), el("th", {}, "Allows")));
  for (const stage of present) {
    const steps = byStage.get(stage);
    row.append(el("div", { class: "pass-column", "data-pass": stage }, el("h2", {}, passTitles[stage]), stepTable(stage, steps, token)));
    const total = steps.find(s => s.kind === "PassTotal");
    combine.append(el("tr", { "data-pass": stage }, el("td", {}, stage), el("td", { class: "mono" }, total ? rightsText(total.mask, total.maskRights) + (total.denied ? "; denied " + total.denied : "") : "(no total: the pass ended early)")));
  }
  boxes.passes.append(row);
  const results = byStage.get("Result") || [];
  const intersection = results.find(s => s.kind === "Intersection");
  if (intersection) combine.append(el("tr", { class: "total", "data-pass": "Intersection" }, el("td", {}, "Intersection"), el("td", { class: "mono" }, rightsText(intersection.mask, intersection.maskRights) + (intersection.limit && intersection.limit !== "0xffffffff" ? "; integrity limit " + intersection.limit : ""))));
  if (present.length > 1 || intersection) boxes.result.append(el("h2", {}, "How the passes combine"), combine);
  if (results.length) boxes.result.append(el("h2", {}, "Result"), stepTable("Result", results, token));
}

async function check() {
  writeFragment();
  $("token-format").textContent = "";
  let more;
  try {
    more = moreFields();
  } catch (e) {
    showError(e.message);
    return;
  }
  const t = await tokenObject();
  if (t.error) {
    showError(t.error);
    return;
  }
  const request = Object.assign({}, more, { sd: $("sd").value, token: t.token, desired: $("desired").value });
  if ($("type").value.trim()) request.type = $("type").value.trim();
  const sddlRequest = { sd: $("sd").value, type: request.type || null, path: more.path || null, map: more.map || null };
  const [answer, decoded] = await Promise.all([post("api/check", request), post("api/sddl", sddlRequest)]);
  if (answer.error) {
    showError(answer.error);
    renderDescriptor(decoded);
    return;
  }
  renderDescriptor(decoded);
  render(answer, t.token);
}

function pick(i) {
  const x = examples[i].request;
  if (examples[i].view === "inherit") return pickInherit(x);
  if (examples[i].view === "run") return setValue("scenario", x.scenario);
  const more = {};
  for (const [k, v] of Object.entries(x)) if (!["sd", "token", "desired", "type"].includes(k) && !k.endsWith("Source")) more[k] = v;
  $("sd").value = x.sd;
  $("token").value = typeof x.token === "string" ? x.token : JSON.stringify(x.token, null, 2);
  $("desired").value = x.desired;
  $("type").value = x.type || "";
  $("more").value = Object.keys(more).length ? JSON.stringify(more) : "";
}

// An uploaded file is read here, in the browser, into the text box: the server never sees a file name.
function upload(input, target) {
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => { $(target).value = reader.result; };
    reader.readAsText(file);
  });
}

// ----- The inheritance view: POST /api/inherit (one inherit --batch create request) ---------------------------------

function pickInherit(x) {
  setValue("parent", (x.parent || "").trim());
  setValue("creator", (x.creator || "").trim());
  setValue("itoken", typeof x.token === "string" ? x.token : JSON.stringify(x.token, null, 2));
  setValue("container", x.container === true);
  setValue("itype", x.type || "");
  setValue("flags", (x.flags || []).join(", "));
}

function showInheritError(text) {
  $("inherit-output").hidden = false;
  $("inherit-error").hidden = false;
  $("inherit-error").textContent = text;
  for (const id of ["inherit-summary", "inherit-trace", "inherit-acls"]) $(id).replaceChildren();
}

const sourceText = {
  Absent: "none", Creator: "the creator's descriptor", Parent: "the parent", CreatorAndParent: "the creator's explicit ACEs, then the parent's inheritable ACEs",
  Token: "the token", Current: "the current descriptor",
};
const originSources = { Creator: "creator ACE", Parent: "parent ACE", TokenDefaultDacl: "token's default DACL ACE", TokenIntegrityLabel: "the creator's integrity level" };
const changeText = {
  MaskMapped: "generic rights mapped", CreatorSidReplaced: "CREATOR SID replaced", EffectiveCopy: "effective copy",
  InheritOnlyCopy: "inherit-only copy for the children", AppliesAndPropagates: "applies and is handed on (one ACE)", MarkedInherited: "marked INHERITED_ACE",
};

// Where one ACE of the result came from: the input ACE (its SDDL, from that input's decode) and what was done to it.
function originText(o, inputs) {
  if (!o) return "";
  let text = originSources[o.source] || o.source;
  if (o.index !== null && o.index !== undefined) {
    text += " #" + o.index;
    const acl = o.source === "Creator" ? inputs.creator : o.source === "Parent" ? inputs.parent : null;
    const ace = acl && acl.aces ? acl.aces[o.index] : null;
    if (ace && ace.sddl) text += " " + ace.sddl;
  }
  const changes = (o.changes || []).map(c => changeText[c] || c);
  return text + (changes.length ? ": " + changes.join(", ") : "");
}

function originTable(name, acl, origins, inputs) {
  const table = el("table", { class: "acl", "data-acl": name, id: "inherit-" + name.toLowerCase() },
    el("tr", {}, el("th", {}, "#"), el("th", {}, "ACE"), el("th", {}, "Trustee"), el("th", {}, "Rights"), el("th", {}, "Came from")));
  acl.aces.forEach((a, i) => {
    const o = origins[i];
    const rights = a.mask.hex + " " + (a.mask.composite ? a.mask.composite + " = " : "") + (a.mask.rights || []).join(" | ");
    table.append(el("tr", { "data-ace": String(a.index), "data-origin": o ? o.source : null, class: o ? "origin-" + o.source : null },
      el("td", { class: "mono" }, String(a.index)),
      el("td", { class: "mono" }, a.sddl || a.type),
      el("td", { class: "mono" }, a.trustee ? a.trustee.sid + (a.trustee.name ? " " + a.trustee.name : "") : ""),
      el("td", { class: "mono" }, rights),
      el("td", { class: "origin" }, originText(o, inputs))));
  });
  return table;
}

async function inherit() {
  writeFragment();
  $("itoken-format").textContent = "";
  const t = await tokenObject("itoken", "itoken-format");
  if (t.error) {
    showInheritError(t.error);
    return;
  }
  const parent = $("parent").value.trim(), creator = $("creator").value.trim();
  const request = { parent: parent || null, creator: creator || null, container: $("container").checked, token: t.token };
  if ($("itype").value.trim()) request.type = $("itype").value.trim();
  const flags = $("flags").value.split(/[\s,|]+/).filter(f => f);
  if (flags.length) request.flags = flags;
  const decode = text => text ? post("api/sddl", { sd: text, type: request.type || null }) : Promise.resolve(null);
  const [answer, parentDoc, creatorDoc] = await Promise.all([post("api/inherit", request), decode(parent), decode(creator)]);
  if (!answer.result) {
    showInheritError(answer.error || "no result");
    return;
  }
  $("inherit-output").hidden = false;
  $("inherit-error").hidden = true;
  const r = answer.result;
  const ok = r.status === "STATUS_SUCCESS";
  $("inherit-summary").replaceChildren(
    el("div", { class: "verdict " + (ok ? "granted" : "denied"), id: "inherit-verdict" }, r.status + (answer.error ? ": " + answer.error : "")),
    el("div", { class: "mono", id: "inherit-sddl" }, answer.sddl || ""));
  $("inherit-trace").replaceChildren();
  $("inherit-acls").replaceChildren();
  if (!r.trace || !r.descriptor) return;
  const tr = r.trace;
  const d = r.descriptor;
  const who = x => x ? x.sid + (x.alias ? " (" + x.alias + ")" : "") + (x.name ? " " + x.name : "") : "(none)";
  $("inherit-trace").append(el("h2", {}, "Where each part came from"), el("table", { class: "header", id: "inherit-parts" },
    el("tr", { "data-part": "owner" }, el("th", {}, "Owner"), el("td", { class: "mono" }, who(d.owner)), el("td", {}, "from " + (sourceText[tr.owner] || tr.owner) + " (" + tr.ownerCheck + ")")),
    el("tr", { "data-part": "group" }, el("th", {}, "Group"), el("td", { class: "mono" }, who(d.group)), el("td", {}, "from " + (sourceText[tr.group] || tr.group))),
    el("tr", { "data-part": "dacl" }, el("th", {}, "DACL"), el("td", { class: "mono" }, d.dacl ? d.dacl.state : "absent"), el("td", {}, "from " + (sourceText[tr.dacl] || tr.dacl) + (tr.creatorDaclIgnored ? "; the creator's DACL was a default and lost to the parent" : "") + (tr.daclAutoInherit ? "; inherited ACEs marked INHERITED_ACE" : ""))),
    el("tr", { "data-part": "sacl" }, el("th", {}, "SACL"), el("td", { class: "mono" }, d.sacl ? d.sacl.state : "absent"), el("td", {}, "from " + (sourceText[tr.sacl] || tr.sacl) + (tr.labelAdded ? "; a mandatory label at the creator's integrity added" : ""))),
    el("tr", {}, el("th", {}, "Control"), el("td", { class: "mono" }, d.control.hex), el("td", { class: "mono" }, d.control.flags.join(" | ")))));
  const inputs = {
    parent: parentDoc && !parentDoc.error ? parentDoc.dacl : null,
    creator: creatorDoc && !creatorDoc.error ? creatorDoc.dacl : null,
  };
  for (const [name, acl, origins, side] of [["DACL", d.dacl, tr.daclOrigins || [], "dacl"], ["SACL", d.sacl, tr.saclOrigins || [], "sacl"]]) {
    if (!acl || acl.state !== "present") continue;
    const sideInputs = { parent: side === "dacl" ? inputs.parent : parentDoc && parentDoc.sacl, creator: side === "dacl" ? inputs.creator : creatorDoc && creatorDoc.sacl };
    $("inherit-acls").append(el("h2", {}, "New " + name + " (" + acl.aces.length + " ACEs)"), originTable(name, acl, origins, sideInputs));
  }
}

// ----- The scenario view: POST /api/run (a scenario's YAML text, as ntsec run reads it) -----------------------------

function showRunError(text) {
  $("run-output").hidden = false;
  $("run-error").hidden = false;
  $("run-error").textContent = text;
  for (const id of ["run-summary", "run-steps"]) $(id).replaceChildren();
}

// A step's status: an NTSTATUS, or for a user32 call the Win32 error it set.
function statusText(step) {
  if (step.status) return step.status.name + " (" + step.status.hex + ")";
  if (step.error) return step.error.name + " (" + step.error.code + ")";
  return "";
}

function stepClass(step) {
  if (step.met === false) return "unmet";
  const ok = step.status ? step.status.name === "STATUS_SUCCESS" : step.error ? step.error.code === 0 : true;
  return ok ? "succeeded" : "failed";
}

// The kernel's access check of a step, drawn as the explanation view inside the step, opened on request.
function accessCheckDetails(check) {
  const granted = check.status === "STATUS_SUCCESS";
  const body = el("div", { class: "explanation" });
  const details = el("details", { class: "access-check" },
    el("summary", {}, "Access check on " + (check.object || check.objectType) + ": " + (granted ? "granted " + check.granted : check.status) + " (desired " + check.desired + ", token of " + check.subject + ", " + check.subjectChoice + ")"),
    body);
  details.addEventListener("toggle", () => {
    if (!details.open || body.childElementCount) return;
    const boxes = { stages: el("div"), passes: el("div"), result: el("div") };
    renderExplanation(check.explanation, {}, boxes, false);
    body.append(boxes.stages, boxes.passes, boxes.result);
  });
  return details;
}

async function runScenario() {
  writeFragment();
  const answer = await post("api/run", { scenario: $("scenario").value });
  if (answer.error || !answer.steps) {
    showRunError(answer.error || "no steps in the answer");
    return;
  }
  $("run-output").hidden = false;
  $("run-error").hidden = true;
  const expected = answer.steps.filter(s => s.met !== undefined).length;
  $("run-summary").replaceChildren(el("div", { class: "verdict " + (answer.unmet ? "denied" : "granted"), id: "run-verdict" },
    answer.scenario + ": " + answer.steps.length + " steps; " + (expected - answer.unmet) + " of " + expected + " expectations met"));
  const table = el("table", { class: "steps", id: "run-table" },
    el("tr", {}, el("th", {}, "#"), el("th", {}, "Thread"), el("th", {}, "Call"), el("th", {}, "Status"), el("th", {}, "Granted"), el("th", {}, "Why"), el("th", {}, "Expectation")));
  for (const step of answer.steps) {
    const why = el("td", { class: "why" }, step.why || "");
    const check = step.reason && step.reason.accessCheck;
    if (check && check.explanation) why.append(accessCheckDetails(check));
    const granted = step.granted ? step.granted.mask + (step.granted.rights.length ? " " + step.granted.rights.join(" | ") : "") : "";
    const expectation = step.met === undefined ? "" : step.met ? "met" : "NOT MET: " + (step.mismatch || "");
    table.append(el("tr", { class: stepClass(step), "data-step": String(step.number), "data-line": String(step.line) },
      el("td", { class: "mono" }, String(step.number)),
      el("td", { class: "mono" }, step.thread || ""),
      el("td", { class: "mono" }, step.call || step.kind),
      el("td", { class: "mono" }, statusText(step)),
      el("td", { class: "mono bits" }, granted),
      why,
      el("td", {}, expectation)));
  }
  $("run-steps").replaceChildren(table);
}

// ----- The audit view (ntsec serve --audit FILE): GET /api/audit, POST /api/audit/query, POST /api/audit/explain ------

let audit = null;
const auditPage = 50;

// The store's reports, when the server has one: the tab appears only then.
async function loadAudit() {
  let response;
  try {
    response = await fetch("api/audit");
  } catch (e) {
    return;
  }
  if (!response.ok) return;
  audit = await response.json();
  $("audit-tab").hidden = false;
  $("audit-store").textContent = "Store " + audit.store + " (" + (audit.kind === "directory" ? "a directory scanned from LDIF" : "a file estate") + ")";
  for (const r of audit.reports) $("audit-report").append(el("option", { value: r.name }, r.name + " — " + r.description));
  $("audit-report").addEventListener("change", () => auditForm({}));
  auditForm({});
}

function auditReport() {
  return audit.reports.find(r => r.name === $("audit-report").value) || audit.reports[0];
}

// The chosen report's parameters as inputs, filled from values (a query object).
function auditForm(values) {
  const report = auditReport();
  $("audit-description").textContent = report.command;
  const box = $("audit-params");
  box.replaceChildren();
  for (const p of report.parameters) {
    const id = "audit-p-" + p.name;
    const v = values[p.name];
    const input = p.kind === "bool"
      ? el("input", { type: "checkbox", id, class: "check" })
      : el("input", { id, placeholder: p.description, value: v === undefined || v === null ? "" : Array.isArray(v) ? v.join(", ") : String(v) });
    if (p.kind === "bool") input.checked = v === true;
    box.append(el("label", {}, p.name + (p.required ? " (required)" : ""), input));
  }
}

function auditValues() {
  const report = auditReport();
  const query = { report: report.name };
  for (const p of report.parameters) {
    const e = $("audit-p-" + p.name);
    if (p.kind === "bool") { if (e.checked) query[p.name] = true; continue; }
    const text = e.value.trim();
    if (text === "") continue;
    query[p.name] = p.kind === "list" ? text.split(/[\s,]+/).filter(x => x) : text;
  }
  return query;
}

function showAuditError(text) {
  $("audit-output").hidden = false;
  $("audit-error").hidden = false;
  $("audit-error").textContent = text;
}

async function auditQuery(offset) {
  const query = Object.assign(auditValues(), { offset: offset || 0, limit: auditPage });
  $("audit-query").value = JSON.stringify(query);
  $("audit-cell").value = "";
  writeFragment();
  $("audit-cell-view").replaceChildren();
  const answer = await post("api/audit/query", query);
  $("audit-output").hidden = false;
  if (answer.error) {
    $("audit-rows").replaceChildren();
    $("audit-pager").replaceChildren();
    showAuditError(answer.error);
    return;
  }
  $("audit-error").hidden = true;
  const report = audit.reports.find(r => r.name === answer.report);
  const columns = [];
  for (const row of answer.rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const table = el("table", { class: "audit-rows", id: "audit-table" }, el("tr", {}, ...columns.map(c => el("th", {}, c)), report.explains ? el("th", {}, "") : null));
  answer.rows.forEach((row, i) => {
    const tr = el("tr", { "data-row": String(answer.offset + i) }, ...columns.map(c => el("td", { class: "mono" }, row[c] === null || row[c] === undefined ? "" : Array.isArray(row[c]) ? row[c].join(" | ") : String(row[c]))));
    // A file row names its principal by name and SID; a directory row by SID (principal) and name.
    const who = audit.kind === "directory" ? row.principal : row.sid;
    if (report.explains && who) {
      const cell = { path: row.path || row.dn, principal: who, right: audit.kind === "directory" ? row.right : null };
      const button = el("button", { class: "explain" }, "explain");
      button.addEventListener("click", () => auditExplain(cell));
      tr.append(el("td", {}, button));
    }
    table.append(tr);
  });
  $("audit-rows").replaceChildren(el("div", { id: "audit-count" }, "rows " + (answer.rows.length ? (answer.offset + 1) + "–" + (answer.offset + answer.rows.length) : "none") + (answer.more ? " (more follow)" : "")), table);
  const pager = $("audit-pager");
  pager.replaceChildren();
  if (answer.offset > 0) {
    const prev = el("button", { id: "audit-prev" }, "previous " + auditPage);
    prev.addEventListener("click", () => auditQuery(Math.max(0, answer.offset - auditPage)));
    pager.append(prev);
  }
  if (answer.more) {
    const next = el("button", { id: "audit-next" }, "next " + auditPage);
    next.addEventListener("click", () => auditQuery(answer.offset + auditPage));
    pager.append(next);
  }
}

// The explained cell, drawn as the explanation view: the stored descriptor, the grant, each stage and pass.
async function auditExplain(request) {
  $("audit-cell").value = JSON.stringify(request);
  writeFragment();
  const answer = await post("api/audit/explain", request);
  const box = $("audit-cell-view");
  box.replaceChildren();
  if (answer.error) {
    box.append(el("div", { class: "error", id: "audit-cell-error" }, answer.error));
    return;
  }
  for (const cell of answer.cells) {
    const granted = cell.effective !== undefined ? cell.effective + " " + (cell.effectiveRights || []).join(" | ") : cell.granted + (cell.right ? " (" + cell.right + ": " + (cell.answer ? "yes" : "no") + ")" : "");
    const current = cell.effective !== undefined ? cell.effective : cell.granted;
    const div = el("div", { class: "audit-cell" },
      el("h2", {}, "Cell: " + cell.path + " — " + cell.principal),
      el("div", { class: "mono", id: "audit-cell-sddl" }, cell.sddl || "(no descriptor stored: nothing is granted)"),
      el("div", { class: "verdict " + (current && current !== "0x00000000" ? "granted" : "denied"), id: "audit-cell-grant" }, "Grants " + granted),
      el("div", {}, cell.stored === null ? "the matrix holds no cell" : cell.stored === current ? "the stored cell agrees (" + cell.stored + ")" : "the stored cell says " + cell.stored));
    if (cell.ownerKnown === false) div.append(el("div", { class: "note" }, "the source gave no owner: nobody was treated as the owner"));
    for (const [title, ex] of [["The object's descriptor", cell.explanation], ["The share's ACL (access through the share is the intersection)", cell.share]]) {
      if (!ex) continue;
      const boxes = { stages: el("div"), passes: el("div"), result: el("div") };
      renderExplanation(ex, {}, boxes, false);
      div.append(el("h2", {}, title), boxes.stages, boxes.passes, boxes.result);
    }
    box.append(div);
  }
  box.scrollIntoView();
}

// A link to the audit view: the query (and the cell) from the fragment.
async function auditFromFragment() {
  let query = null, cell = null;
  try {
    query = $("audit-query").value ? JSON.parse($("audit-query").value) : null;
    cell = $("audit-cell").value ? JSON.parse($("audit-cell").value) : null;
  } catch (e) {
    showAuditError("the link's audit query is not valid JSON");
    return;
  }
  if (query && query.report) {
    $("audit-report").value = query.report;
    auditForm(query);
    await auditQuery(query.offset || 0);
  }
  if (cell) await auditExplain(cell);
}

async function start() {
  upload($("sd-file"), "sd");
  upload($("token-file"), "token");
  upload($("scenario-file"), "scenario");
  $("check").addEventListener("click", check);
  $("inherit").addEventListener("click", inherit);
  $("run").addEventListener("click", runScenario);
  $("audit-run").addEventListener("click", () => auditQuery(0));
  for (const b of document.querySelectorAll("#views button")) b.addEventListener("click", () => { showView(b.dataset.view); writeFragment(); });
  for (const id of ["example", "inherit-example", "run-example"])
    $(id).addEventListener("change", e => { if (e.target.value !== "") { pick(Number(e.target.value)); runView(); } });
  try {
    const list = await (await fetch("api/examples")).json();
    examples = list.examples;
    const pickers = { check: "example", inherit: "inherit-example", run: "run-example" };
    examples.forEach((x, i) => { if (pickers[x.view]) $(pickers[x.view]).append(el("option", { value: String(i) }, x.name)); });
  } catch (e) {
    examples = [];
  }
  const first = examples.findIndex(x => x.view === "check");
  const firstInherit = examples.findIndex(x => x.view === "inherit");
  if (firstInherit >= 0) pick(firstInherit);
  const firstRun = examples.findIndex(x => x.view === "run");
  if (firstRun >= 0) pick(firstRun);
  await loadAudit();
  const view = readFragment();
  if (view) {
    showView(view);
    runView();
  } else if (first >= 0) pick(first);
  document.body.dataset.ready = "true";
}

function runView() {
  if (currentView === "inherit") return inherit();
  if (currentView === "run") return runScenario();
  if (currentView === "audit") return audit ? auditFromFragment() : showAuditError("this server has no audit store (ntsec serve --audit FILE)");
  return check();
}

start();
