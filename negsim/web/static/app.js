// negsim's page: pick a scenario, step one negotiation, watch the distribution move.
// Everything it shows comes from the server's JSON API; text from scenario files is always
// inserted as text (never as HTML). Each view keeps a version number: a reply that comes
// back after the settings, scenario, run or seed changed is dropped, so what is drawn always
// belongs to what the controls say.
"use strict";

const state = {
  info: null,          // /api/scenarios/{id}
  settings: new Map(), // path -> number set by a slider
  good: new Map(),     // the last settings the server accepted
  rows: new Map(),     // path -> the slider row's controls
  trace: null,         // the current run's trace
  round: 0,            // index into trace.rounds
  playing: null,       // interval id while playing
  version: { trace: 0, distribution: 0 },
  distStale: true,
  requests: {},        // name -> AbortController of the request in flight
  pageRuns: 2000,
  limits: {},          // the page's work budget (max_page_rounds, max_run_rounds)
  traceFields: null,   // run and seed of the trace drawn, as sent
  distFields: null,    // runs and seed of the distribution drawn, as sent
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "style") node.style.cssText = v; // CSSOM: allowed by the page's CSP
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const isNumber = (x) => typeof x === "number" && Number.isFinite(x);
const fmt = (x, digits = 2) => (isNumber(x) ? x.toFixed(digits) : "–");
const pct = (x, digits = 1) => (isNumber(x) ? `${(100 * x).toFixed(digits)}%` : "–");
const clamp = (x, lo, hi) => Math.min(Math.max(x, lo), hi);
// A number as one writes it: 0.009, not 0.009000000000000001 (range steps add float noise).
const tidy = (x) => Number(Number(x).toPrecision(12));
const actorName = (id) => (state.info.actors.find((a) => a.id === id) || { name: id }).name;
const issueLabel = (id) => (state.info.issues.find((i) => i.id === id) || { label: id }).label;

// --- errors and requests ------------------------------------------------------------------

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error-text").textContent = "";
}

class ApiError extends Error {
  constructor(message, status, kind) {
    super(message);
    this.status = status;
    this.kind = kind; // "settings", "request", "file", "server" (see app.py: _error)
  }
}

async function api(name, url) {
  // One request per name in flight: a newer one aborts the older (slider bursts); the
  // server drops a request whose page went away before computing it.
  abort(name);
  const controller = new AbortController();
  state.requests[name] = controller;
  try {
    const response = await fetch(url, { signal: controller.signal });
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`the server answered ${response.status} without JSON`, response.status);
    }
    if (!response.ok) {
      throw new ApiError(body.error || `the server answered ${response.status}`,
                         response.status, body.kind || "server");
    }
    return body;
  } finally {
    if (state.requests[name] === controller) delete state.requests[name];
  }
}

function abort(name) {
  if (state.requests[name]) state.requests[name].abort();
  delete state.requests[name];
}

const aborted = (err) => err && err.name === "AbortError";

function settingsQuery(settings = state.settings) {
  const params = new URLSearchParams();
  for (const [path, value] of settings) params.append("set", `${path}=${value}`);
  return params;
}

function scenarioUrl(suffix, extra = {}) {
  const params = settingsQuery();
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const query = params.toString();
  return `/api/scenarios/${encodeURIComponent(state.info.id)}${suffix}${query ? "?" + query : ""}`;
}

// --- scenarios ----------------------------------------------------------------------------

async function loadScenarios() {
  const body = await api("scenarios", "/api/scenarios");
  state.pageRuns = body.page_runs;
  state.limits = { rounds: body.max_page_rounds, runRounds: body.max_run_rounds };
  $("version").textContent = body.negsim;
  $("runs").min = body.min_page_runs;
  $("runs").max = body.max_page_runs;
  $("runs").value = body.page_runs;
  const select = $("scenario");
  select.replaceChildren(...body.scenarios.map((s) =>
    el("option", { value: s.id, title: s.title }, s.id === s.name ? s.file : `${s.id} (${s.file})`)));
  const wanted = new URLSearchParams(location.hash.slice(1)).get("scenario");
  select.value = body.scenarios.some((s) => s.id === wanted) ? wanted : body.default;
  await pickScenario(select.value);
}

async function pickScenario(id) {
  let info;
  try {
    info = await api("info", `/api/scenarios/${encodeURIComponent(id)}`);
  } catch (err) {
    if (aborted(err)) return;
    showError(err.message);
    if (state.info) $("scenario").value = state.info.id; // still showing the previous one
    return;
  }
  stopPlaying();
  clearError();
  for (const name of Object.keys(state.requests)) abort(name);
  state.version.trace += 1;
  state.version.distribution += 1;
  state.info = info;
  history.replaceState(null, "", `#scenario=${encodeURIComponent(id)}`);
  state.settings.clear();
  state.good.clear();
  $("title").textContent = info.title;
  $("description").textContent = info.description || "";
  $("seed").value = info.seed;
  $("dist-seed").value = info.seed;
  $("run").value = 0;
  buildSliders();
  state.trace = null;
  state.traceFields = null;
  state.distFields = null;
  state.round = 0;
  state.distStale = true;
  setStale("negotiation", true); // the previous scenario's run, until this one's arrives
  updateButtons();
  $("agreement-box").replaceChildren();
  $("figures").replaceChildren();
  $("deal-table").tBodies[0].replaceChildren();
  loadTrace();
  if (!$("distribution").hidden) loadDistribution();
}

// --- parameters ---------------------------------------------------------------------------

function buildSliders() {
  const groups = new Map();
  for (const p of state.info.parameters) {
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  state.rows.clear();
  const sections = [];
  for (const [group, params] of groups) {
    const rows = params.map(sliderRow);
    const keyCount = params.filter((p) => p.key).length;
    sections.push(el("details", { class: "group", open: keyCount > 0 },
      el("summary", {}, group), ...rows));
  }
  $("sliders").replaceChildren(...sections);
  $("param-count").textContent = state.info.parameters.length;
  applyShowAll();
  updateRestoreAll();
}

function applyShowAll() {
  const showAll = $("show-all").checked;
  for (const row of document.querySelectorAll(".param")) {
    row.hidden = !(showAll || row.dataset.key === "true" || row.classList.contains("changed"));
  }
  for (const group of document.querySelectorAll("#sliders details")) {
    group.hidden = group.querySelectorAll(".param:not([hidden])").length === 0;
    if (showAll) group.open = true;
  }
}

// Why a typed value cannot be this parameter's, or null (the server checks again, along
// with the rules that tie parameters together).
function outOfDomain(p, value) {
  const d = p.domain;
  const below = d.lo !== null && (d.lo_open ? value <= d.lo : value < d.lo);
  const above = d.hi !== null && value > d.hi;
  if (below || above || (d.integer && !Number.isInteger(value))) {
    return `${p.path}: must be ${d.text} (got ${value})`;
  }
  return null;
}

function sliderRow(p) {
  const id = `p-${p.path.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const range = el("input", { type: "range", id, min: p.min, max: p.max, step: p.step,
                              "aria-label": p.label });
  const number = el("input", { type: "number", class: "value", step: "any",
                               "aria-label": `${p.label} (number)` });
  const restore = el("button", { type: "button", class: "restore", title: "the file's value",
                                 hidden: true }, "↺");
  const source = p.sourced ? el("button", { type: "button", class: "source",
    title: p.cited ? "the quote or assumption behind it" : "uncited" }, "source") : null;
  const row = el("div", { class: "param", dataset: { path: p.path, key: String(p.key) } },
    el("div", { class: "param-head" }, el("label", { for: id }, p.label), source),
    el("div", { class: "param-input" }, range, number, restore),
    el("div", { class: "written" }, `file: ${p.text}`,
      p.uncertain ? el("span", { class: "uncertain" }, " (uncertain)") : null));
  const controls = { timer: null };
  // Show a value (null: the file's) without asking the server anything.
  controls.show = (value) => {
    const shown = value === null ? p.value : value;
    range.value = clamp(shown, p.min, p.max);
    number.value = tidy(shown);
    row.classList.toggle("changed", value !== null);
    restore.hidden = value === null;
  };
  const set = (value) => {
    const problem = outOfDomain(p, value);
    if (problem) {
      showError(problem);
      controls.show(state.settings.has(p.path) ? state.settings.get(p.path) : null);
      return;
    }
    state.settings.set(p.path, value);
    controls.show(value);
    updateRestoreAll();
    clearTimeout(controls.timer);
    controls.timer = setTimeout(settingsChanged, 250);
  };
  range.addEventListener("input", () => set(tidy(range.value)));
  number.addEventListener("change", () => {
    const value = Number(number.value);
    if (number.value.trim() === "" || !Number.isFinite(value)) {
      showError(`${p.path}: type a number`);
      controls.show(state.settings.has(p.path) ? state.settings.get(p.path) : null);
      return;
    }
    set(value);
  });
  restore.addEventListener("click", () => {
    clearTimeout(controls.timer);
    state.settings.delete(p.path);
    controls.show(null);
    updateRestoreAll();
    settingsChanged();
  });
  if (source) source.addEventListener("click", () => openEvidence(p));
  controls.show(null);
  state.rows.set(p.path, controls);
  return row;
}

function updateRestoreAll() {
  $("restore-all").disabled = state.settings.size === 0;
}

function restoreAll() {
  for (const controls of state.rows.values()) clearTimeout(controls.timer);
  state.settings.clear();
  for (const controls of state.rows.values()) controls.show(null);
  updateRestoreAll();
  applyShowAll();
  settingsChanged();
}

// Put the sliders back to the last settings the server accepted (after it refused some).
function revertSettings() {
  state.settings = new Map(state.good);
  for (const [path, controls] of state.rows) {
    clearTimeout(controls.timer);
    controls.show(state.settings.has(path) ? state.settings.get(path) : null);
  }
  updateRestoreAll();
  applyShowAll();
}

const windowRounds = () => state.settings.get("protocol.max_rounds") ?? state.info.max_rounds;

// The page's work budget, checked before asking (the server checks again).
function overBudget(runs) {
  const rounds = windowRounds();
  if (rounds > state.limits.rounds) {
    return `too long for the page: protocol.max_rounds is ${rounds}; the page plays at most ` +
      `${state.limits.rounds.toLocaleString("en")} rounds (use negsim run or negsim trace)`;
  }
  if (runs !== null && runs * rounds > state.limits.runRounds) {
    return `too large for the page: ${runs.toLocaleString("en")} runs × ${rounds} rounds is ` +
      `over ${state.limits.runRounds.toLocaleString("en")} run-rounds; use fewer runs or a ` +
      `shorter window here, or negsim run`;
  }
  return null;
}

function settingsChanged() {
  clearError();
  const runs = Number($("runs").value);
  const problem = overBudget(Number.isInteger(runs) ? runs : null);
  if (problem) {
    revertSettings();
    showError(`${problem} (put back to the last value that worked)`);
    return;
  }
  state.distStale = true;
  state.version.distribution += 1; // whatever is in flight is for older settings
  abort("distribution");
  markFiguresStale();
  loadTrace(true);
  if (!$("distribution").hidden) loadDistribution();
}

// Grey a view whose content does not belong to the controls (until its next reply).
function setStale(view, stale) {
  $(view).classList.toggle("stale", stale);
}

async function openEvidence(p) {
  const dialog = $("evidence-dialog");
  $("evidence-title").textContent = `${p.group}: ${p.label}`;
  $("evidence-value").textContent = `${p.path} = ${p.text} (allowed: ${p.domain.text})`;
  $("evidence-body").replaceChildren(el("p", {}, "loading…"));
  dialog.showModal();
  try {
    const body = await api("evidence", `/api/scenarios/${encodeURIComponent(state.info.id)}` +
      `/evidence?path=${encodeURIComponent(p.path)}`);
    const items = body.rows.map((row) => {
      if (row.quote) {
        return el("div", { class: "quote" },
          el("blockquote", {}, `“${row.quote}”`),
          el("p", { class: "cite" }, `${row.document_title || row.document} `,
            el("span", { class: "doc" }, `(${row.document}; evidence ${row.evidence_id})`)));
      }
      if (row.assumption) {
        return el("div", { class: "assumption" }, el("strong", {}, "Assumption: "), row.assumption);
      }
      return el("p", { class: "uncited" },
        "No quote and no stated assumption: this value is uncited.");
    });
    const note = body.rows.find((row) => row.note);
    if (note) items.push(el("p", { class: "note" }, `How the evidence was read as a number: ${note.note}`));
    $("evidence-body").replaceChildren(...items);
  } catch (err) {
    if (!aborted(err)) $("evidence-body").replaceChildren(el("p", { class: "uncited" }, err.message));
  }
}

// --- the negotiation view -----------------------------------------------------------------

async function loadTrace(keepRound = false) {
  const version = ++state.version.trace;
  const sent = new Map(state.settings);
  const url = scenarioUrl("/trace", { run: $("run").value.trim(), seed: $("seed").value.trim() });
  $("trace-status").textContent = "computing…";
  const fields = { run: $("run").value, seed: $("seed").value };
  try {
    const trace = await api("trace", url);
    if (version !== state.version.trace) return;
    state.trace = trace;
    state.good = sent;
    state.traceFields = fields;
    state.round = keepRound ? Math.min(state.round, trace.rounds.length - 1) : 0;
    $("trace-status").textContent = "";
    setStale("negotiation", false);
    renderRound();
  } catch (err) {
    if (aborted(err) || version !== state.version.trace) return;
    $("trace-status").textContent = "";
    showError(refusal(err, sent, "negotiation"));
  }
  updateButtons();
}

// The message for a refused request. What the server refused goes back to what is drawn:
// the sliders for a refused setting, the run/seed or runs/seed fields for a refused field;
// anything else (the file, the server, a busy server) greys the view until its next reply.
function refusal(err, sent, view) {
  const changed = [...sent].some(([k, v]) => state.good.get(k) !== v) || sent.size !== state.good.size;
  if (err.kind === "settings" && changed) {
    revertSettings();
    settingsChanged();
    return `${err.message} (put back to the last value that worked)`;
  }
  const fields = view === "negotiation" ? state.traceFields : state.distFields;
  if (err.kind === "request" && fields) {
    for (const [id, value] of Object.entries(view === "negotiation"
      ? { run: fields.run, seed: fields.seed } : { runs: fields.runs, "dist-seed": fields.seed })) {
      $(id).value = value;
    }
    return `${err.message} (put back to the last value that worked)`;
  }
  setStale(view, true);
  return err.message;
}

function updateButtons() {
  const none = !state.trace;
  for (const id of ["step", "back", "reset", "play"]) if (none) $(id).disabled = true;
  if (!none) $("play").disabled = false;
}

function go(round) {
  if (!state.trace) return;
  state.round = clamp(round, 0, state.trace.rounds.length - 1);
  renderRound();
}

function stopPlaying() {
  if (state.playing) clearInterval(state.playing);
  state.playing = null;
  $("play").textContent = "Play";
}

function togglePlay() {
  if (state.playing) return stopPlaying();
  if (!state.trace) return;
  if (state.round >= state.trace.rounds.length - 1) go(0);
  $("play").textContent = "Pause";
  state.playing = setInterval(() => {
    if (!state.trace || state.round >= state.trace.rounds.length - 1) return stopPlaying();
    go(state.round + 1);
  }, 350);
}

function marker(kind, value, title) {
  if (!isNumber(value)) return null;
  return el("span", { class: `mark ${kind}`, style: `left: ${100 * clamp(value, 0, 1)}%`,
                      title }, { offer: "▼", front: "◆", deal: "★" }[kind]);
}

function renderRound() {
  const trace = state.trace;
  const entry = trace.rounds[state.round];
  const last = state.round === trace.rounds.length - 1;
  $("round-label").textContent = `Round ${entry.round}`;
  $("round-label").dataset.round = entry.round;
  $("round-count").textContent =
    `of rounds 0–${trace.rounds.length - 1} played (the window has ${trace.max_rounds})`;
  $("back").disabled = state.round === 0;
  $("reset").disabled = state.round === 0;
  $("step").disabled = last;
  const summary = [`${actorName(entry.proposer)} proposes.`];
  if (entry.stage !== undefined) {
    const stage = state.info.stages.find((s) => s.id === entry.stage);
    summary.push(stage && stage.issues.length === 0
      ? `On the table: stage “${entry.stage}”, which settles no issue: its terms are its effects on the war.`
      : `On the table: stage “${entry.stage}”.`);
  }
  summary.push(`Perceived chance the talks end before the next round: ${pct(entry.hazard)}.`);
  $("round-summary").textContent = summary.join(" ");
  renderIssues(entry, last);
  renderActors(entry);
  $("events").textContent = entry.events.length
    ? `Events in force this round: ${entry.events.join(", ")}.` : "No event in force this round.";
  renderOutcome(trace, last);
}

function renderIssues(entry, last) {
  const out = state.trace.outcome;
  const table = entry.table ? new Set(entry.table) : null;
  const rows = state.info.issues.map((issue) => {
    const offer = entry.offer[issue.id];
    const front = entry.no_deal[issue.id];
    const settled = entry.settled && entry.settled[issue.id] !== undefined;
    const off = table && !table.has(issue.id);
    const marks = [marker("front", front, `no deal: ${fmt(front, 3)}`),
                   marker("offer", offer, `offer: ${fmt(offer, 3)}`)];
    if (last && out.agreed) marks.push(marker("deal", out.deal[issue.id], `deal: ${fmt(out.deal[issue.id], 3)}`));
    const note = settled ? "settled by an earlier stage" : off ? "not on the table this stage" : "";
    return el("div", { class: `issue${off ? " off" : ""}`, dataset: { issue: issue.id } },
      el("div", { class: "issue-head" },
        el("strong", {}, issue.label),
        el("span", { class: "numbers" }, "offer ",
          el("span", { class: "offer-value", dataset: { issue: issue.id, value: offer } }, fmt(offer)),
          ` · no deal ${fmt(front)}${issue.contested ? " (the front)" : ""}`,
          note ? ` · ${note}` : "")),
      el("div", { class: "scale" }, el("div", { class: "track" }), ...marks),
      el("div", { class: "ends" },
        el("span", { class: "zero" }, `0: ${issue.zero}`),
        el("span", { class: "one" }, `1: ${issue.one}`)));
  });
  $("issues").replaceChildren(...rows);
}

function verdict(actor, entry, answer) {
  if (!answer) return ["neutral", "does not vote (the offer leaves its issues alone)"];
  if (actor.id === entry.proposer) return ["neutral", "proposes (accepts its own offer)"];
  if (answer.accept) return ["yes", "✓ accepts"];
  if (answer.inside_red_lines === false) return ["no", "⊘ rejects: crosses its red lines"];
  return ["no", "✗ rejects: below its threshold"];
}

function renderActors(entry) {
  const body = [];
  for (const actor of state.info.actors.filter((a) => a.required)) {
    const view = entry.actors[actor.id];
    if (!view) continue;
    const answer = entry.responses[actor.id];
    const utility = answer ? answer.utility : view.utility;
    const [kind, text] = verdict(actor, entry, answer);
    const beliefs = Object.entries(view.belief || {}).map(([k, v]) =>
      `${issueLabel(k)} ${isNumber(v) && v >= 0 ? "+" : ""}${fmt(v, 4)}/round`);
    body.push(el("tr", { dataset: { actor: actor.id } },
      el("th", { scope: "row" }, actor.name),
      el("td", {},
        el("div", { class: "ubar", title: `utility ${fmt(utility, 3)}, threshold ${fmt(view.threshold, 3)}, floor ${fmt(view.floor, 3)}` },
          el("div", { class: `fill ${kind}`, style: `width: ${100 * clamp(utility || 0, 0, 1)}%` }),
          el("div", { class: "tick threshold", style: `left: ${100 * clamp(view.threshold || 0, 0, 1)}%` }),
          el("div", { class: "tick floor", style: `left: ${100 * clamp(view.floor || 0, 0, 1)}%` })),
        el("div", { class: "unumbers" },
          `${fmt(utility)} against threshold ${fmt(view.threshold)}, floor ${fmt(view.floor)}`)),
      el("td", { class: kind }, text),
      el("td", {}, beliefs.length ? beliefs.join(", ") : "–"),
      el("td", {}, fmt(view.war))));
  }
  $("actors").tBodies[0].replaceChildren(...body);
}

function renderOutcome(trace, last) {
  const out = trace.outcome;
  const box = $("outcome");
  box.className = "";
  if (!last) {
    box.replaceChildren(el("p", { class: "pending" },
      `Step on to see how it ends (${trace.rounds.length - 1 - state.round} more rounds).`));
    return;
  }
  if (out.agreed) {
    box.className = "deal";
    box.replaceChildren(
      el("p", {}, el("strong", {}, `Deal in round ${out.round}`), `, proposed by ${actorName(out.proposer)}.`),
      el("p", {}, state.info.issues.map((i) => `${i.label} ${fmt(out.deal[i.id])}`).join(" · ")));
  } else {
    box.className = "nodeal";
    const reason = out.mediator_left
      ? `the mediator walked away in round ${out.rounds} (the talks broke off)`
      : `the window closed after ${out.rounds} rounds with the war still on; the last offer ` +
        `was blocked most by ${out.blocker ? actorName(out.blocker) : "no one"}`;
    box.replaceChildren(el("p", {}, el("strong", {}, "No deal: "), reason + "."));
  }
  box.append(el("p", {}, "Utilities: ", Object.entries(out.utilities).map(([a, u]) =>
    `${actorName(a)} ${fmt(u, 3)}`).join(", "), out.agreed ? "" : " (the value of fighting on)"));
  if (out.events.length) box.append(el("p", {}, `Events that fired: ${out.events.join(", ")}.`));
  if (out.stages) {
    box.append(el("p", {}, "Stages: ", Object.entries(out.stages).map(([s, r]) =>
      r === null ? `${s} not agreed` : `${s} agreed in round ${r}`).join("; ")));
  }
}

// --- the distribution view ----------------------------------------------------------------

async function loadDistribution() {
  const runsValue = Number($("runs").value);
  const problem = Number.isInteger(runsValue) ? overBudget(runsValue) : null;
  if (problem) {
    if (state.distFields) $("runs").value = state.distFields.runs;
    showError(`${problem} (put back to the last value that worked)`);
    return;
  }
  state.distStale = true;
  const version = ++state.version.distribution;
  const extra = { runs: $("runs").value.trim(), seed: $("dist-seed").value.trim() };
  const url = scenarioUrl("/distribution", extra);
  const figuresBase = scenarioUrl("/figures/", extra);
  const sent = new Map(state.settings);
  const fields = { runs: $("runs").value, seed: $("dist-seed").value };
  $("dist-status").textContent = "running…";
  $("distribution").setAttribute("aria-busy", "true");
  try {
    const body = await api("distribution", url);
    if (version !== state.version.distribution) return;
    state.distStale = false;
    state.distFields = fields;
    setStale("distribution", false);
    renderDistribution(body, figuresBase, version);
    $("dist-status").textContent = "";
  } catch (err) {
    if (aborted(err) || version !== state.version.distribution) return;
    $("dist-status").textContent = "";
    showError(refusal(err, sent, "distribution"));
  } finally {
    if (version === state.version.distribution) $("distribution").removeAttribute("aria-busy");
  }
}

function renderDistribution(body, figuresBase, version) {
  const s = body.summary;
  const a = s.agreement;
  const rounds = s.rounds_to_agreement;
  $("agreement-box").replaceChildren(
    el("span", { class: "big", id: "agreement-value", dataset: { probability: a.probability } },
      pct(a.probability)),
    el("span", {}, ` of ${s.runs.toLocaleString("en")} runs reach a deal (95% interval `,
      `${pct(a.ci95[0])} – ${pct(a.ci95[1])})`,
      rounds.median === null ? "" : `; the median deal comes in round ${rounds.median}`, "."));
  renderFigures(body.figures, figuresBase, version);
  const rows = state.info.issues.map((issue) => {
    const entry = s.issues[issue.id];
    return el("tr", {}, el("th", { scope: "row" }, issue.label), el("td", {}, issue.zero),
      el("td", {}, issue.one), el("td", {}, fmt(entry.deal.p25)), el("td", {}, fmt(entry.deal.p50)),
      el("td", {}, fmt(entry.deal.p75)), el("td", {}, fmt(entry.no_deal_median)));
  });
  $("deal-table").tBodies[0].replaceChildren(...rows);
}

// The figures load one after another, the agreement first, so that it changes soonest.
function renderFigures(names, base, version) {
  const order = ["agreement", "rounds", "stages", "deals", "utilities"];
  const sorted = [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const [path, query] = base.split("?");
  const images = sorted.map((name) => {
    const existing = document.querySelector(`#figures img[data-name="${name}"]`);
    const img = existing || el("img", { dataset: { name }, alt: `${name} figure` });
    img.dataset.want = `${path}${name}.png${query ? "?" + query : ""}`;
    return img;
  });
  $("figures").replaceChildren(...images.map((img) => {
    const wide = img.dataset.name === "deals" || img.dataset.name === "utilities";
    return el("figure", { class: wide ? "wide" : "small" }, img);
  }));
  for (const img of images) {
    if (img.getAttribute("src") !== img.dataset.want) img.classList.add("loading");
  }
  const next = (i) => {
    if (i >= images.length || version !== state.version.distribution) return;
    const img = images[i];
    if (img.getAttribute("src") === img.dataset.want && img.complete && img.naturalWidth > 0) {
      img.classList.remove("loading");
      return next(i + 1);
    }
    img.classList.add("loading");
    img.onload = () => { img.classList.remove("loading"); next(i + 1); };
    img.onerror = () => {
      if (version !== state.version.distribution) return;
      img.classList.remove("loading");
      img.classList.add("failed");
      showError(`the ${img.dataset.name} figure failed to load`);
      next(i + 1);
    };
    img.classList.remove("failed");
    img.setAttribute("src", img.dataset.want);
  };
  next(0);
}

// The figures drawn are for older settings: grey them, and stop loading any (a superseded
// image request would keep the server drawing it).
function markFiguresStale() {
  for (const img of document.querySelectorAll("#figures img")) {
    if (!img.complete) {
      img.onload = img.onerror = null;
      img.removeAttribute("src");
    }
    img.classList.add("loading");
  }
}

// --- tabs and wiring ----------------------------------------------------------------------

function showTab(name) {
  for (const tab of ["negotiation", "distribution"]) {
    $(tab).hidden = tab !== name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
  }
  if (name === "distribution" && state.distStale) loadDistribution();
}

function wire() {
  $("scenario").addEventListener("change", (e) => pickScenario(e.target.value));
  $("error-close").addEventListener("click", clearError);
  $("tab-negotiation").addEventListener("click", () => showTab("negotiation"));
  $("tab-distribution").addEventListener("click", () => showTab("distribution"));
  $("step").addEventListener("click", () => { stopPlaying(); go(state.round + 1); });
  $("back").addEventListener("click", () => { stopPlaying(); go(state.round - 1); });
  $("reset").addEventListener("click", () => { stopPlaying(); go(0); });
  $("play").addEventListener("click", togglePlay);
  for (const id of ["run", "seed"]) {
    $(id).addEventListener("change", () => { stopPlaying(); clearError(); loadTrace(); });
  }
  updateButtons();
  for (const id of ["runs", "dist-seed"]) {
    $(id).addEventListener("change", () => { clearError(); loadDistribution(); });
  }
  $("show-all").addEventListener("change", applyShowAll);
  $("restore-all").addEventListener("click", restoreAll);
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea, dialog") || $("negotiation").hidden) return;
    if (e.key === "ArrowRight") { stopPlaying(); go(state.round + 1); }
    if (e.key === "ArrowLeft") { stopPlaying(); go(state.round - 1); }
  });
}

wire();
loadScenarios().catch((err) => showError(`could not load the scenarios: ${err.message}`));
