// The page of the emotion API: every call goes to the same API a client uses, relative to this page
// (../v1/...), so it works behind an API Gateway stage prefix. The key lives in sessionStorage only.
// User texts are rendered with textContent only and never logged.
"use strict";

const $ = (id) => document.getElementById(id);
const KEY = "emotion-api-key";
const SMALL_FILE_ROWS = 200; // up to this many rows the batch route answers directly; above, a bulk job
const state = { labels: null, last: null, text: "" };

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}), "X-API-Key": sessionStorage.getItem(KEY) || "" };
  const response = await fetch(`../v1/${path}`, { ...options, headers });
  let body = null;
  try { body = await response.json(); } catch (error) { body = null; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : `HTTP ${response.status}`;
    throw new Error(response.status === 401 || response.status === 403 ? `The API key was refused: ${detail}` : detail);
  }
  return body;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}
function percent(score) { return `${Math.round(score * 100)}%`; }

function bars(list, entries) {
  clear(list);
  const top = Math.max(...entries.map(([, value]) => value), 1e-9);
  for (const [label, value, shown] of entries) {
    const item = el("li");
    item.append(el("span", label));
    const bar = el("span", "", "bar");
    bar.style.width = `${Math.max(2, (100 * value) / top)}%`;
    bar.setAttribute("aria-hidden", "true");
    item.append(bar, el("span", shown === undefined ? percent(value) : String(shown)));
    list.append(item);
  }
}

async function useKey(event) {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("api-key").value.trim());
  $("key-status").textContent = "Checking the key…";
  try {
    state.labels = await api("labels");
    const model = state.labels.model;
    $("model-info").textContent = `Model ${model.name} ${model.version}`;
    $("key-status").textContent = "Key accepted.";
    const choices = $("feedback-labels");
    clear(choices);
    for (const label of state.labels.taxonomies.fine) {
      const wrap = el("label", "", "inline");
      const box = el("input");
      Object.assign(box, { type: "checkbox", name: "fine", value: label });
      wrap.append(box, document.createTextNode(label));
      choices.append(wrap);
    }
  } catch (error) {
    $("key-status").textContent = error.message;
  }
}

function renderPrediction(prediction, showAll) {
  state.last = prediction;
  $("result").hidden = false;
  $("primary-emotion").textContent = prediction.emotion;
  $("primary-confidence").textContent = percent(prediction.confidence);
  $("sentiment").textContent = prediction.sentiment || "–";
  $("windows").textContent = prediction.windows > 1 ? `read in ${prediction.windows} windows` : `${prediction.windows} window`;
  const model = state.labels ? state.labels.model : null;
  $("answered-by").textContent = model ? `${model.name} ${model.version}` : "";
  $("warning").hidden = !prediction.warning;
  $("warning").textContent = prediction.warning || "";
  const fine = showAll && prediction.scores
    ? Object.entries(prediction.scores.fine).sort((a, b) => b[1] - a[1])
    : (prediction.labels.fine || []).map((entry) => [entry.label, entry.score]);
  bars($("fine-labels"), fine);
  $("reactions-allowed").textContent = (prediction.reactions.allowed || []).join(" ") || "–";
  $("reactions-blocked").textContent = (prediction.reactions.blocked || []).join(" ") || "–";
  $("feedback-form").hidden = true;
  $("wrong").setAttribute("aria-expanded", "false");
  $("feedback-status").textContent = "";
}

async function classifyText(event) {
  event.preventDefault();
  $("text-error").textContent = "";
  state.text = $("text").value;
  const showAll = $("all-labels").checked;
  try {
    const prediction = await api("predict-emotion", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: state.text, include_scores: showAll }),
    });
    renderPrediction(prediction, showAll);
    $("primary-emotion").focus();
  } catch (error) {
    $("text-error").textContent = error.message;
  }
}

function toggleFeedback() {
  const form = $("feedback-form");
  form.hidden = !form.hidden;
  $("wrong").setAttribute("aria-expanded", String(!form.hidden));
  if (!form.hidden) form.querySelector("input").focus();
}

async function sendFeedback(event) {
  event.preventDefault();
  const corrected = [...document.querySelectorAll("#feedback-labels input:checked")].map((box) => box.value);
  if (!corrected.length) { $("feedback-status").textContent = "Pick at least one label."; return; }
  const prediction = state.last;
  const body = {
    client_id: `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
    text: state.text, store_text: $("store-text").checked,
    model_version: state.labels ? state.labels.model.version : undefined,
    predicted: { fine: (prediction.labels.fine || []).map((e) => e.label), ekman: [prediction.emotion] },
    corrected: { fine: corrected },
  };
  const comment = $("feedback-comment").value.trim();
  if (comment) body.comment = comment;
  try {
    const answer = await api("feedback", { method: "POST", headers: { "Content-Type": "application/json" },
                                           body: JSON.stringify(body) });
    $("feedback-status").textContent = `Thank you: correction ${answer.feedback_id} recorded.`;
    $("feedback-form").hidden = true;
  } catch (error) {
    $("feedback-status").textContent = error.message;
  }
}

// ---- files ----
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== "");
}

function readFile(text, name) {
  if (/\.(jsonl|ndjson)$/i.test(name) || text.trimStart().startsWith("{")) {
    const records = text.split(/\r?\n/).filter((line) => line.trim()).map((line) => {
      try { return JSON.parse(line); } catch (error) { return null; }
    });
    const columns = [...new Set(records.filter(Boolean).flatMap((r) => Object.keys(r)))];
    return { kind: "jsonl", columns, records };
  }
  const rows = parseCsv(text.replace(/^\ufeff/, ""));
  const columns = rows[0] || [];
  const records = rows.slice(1).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  return { kind: "csv", columns, records };
}

function fillColumns(columns) {
  const text = $("text-column"), id = $("id-column");
  clear(text); clear(id);
  id.append(new Option("(row number)", ""));
  for (const column of columns) { text.append(new Option(column, column)); id.append(new Option(column, column)); }
  text.value = columns.includes("text") ? "text" : columns[0] || "";
  id.value = columns.includes("id") ? "id" : "";
}

async function onFileChosen() {
  const file = $("file").files[0];
  if (!file) return;
  state.file = { name: file.name, raw: await file.text() };
  state.file.parsed = readFile(state.file.raw, file.name);
  fillColumns(state.file.parsed.columns);
  $("file-status").textContent = `${state.file.parsed.records.length} rows, columns: ${state.file.parsed.columns.join(", ")}`;
}

async function predictBatch(texts) {
  return (await api("predict-emotion-batch", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ texts }),
  })).results;
}

async function classifyDirectly(items) {
  const size = state.labels ? state.labels.limits.max_batch_texts : 32;
  const lines = [];
  for (let start = 0; start < items.length; start += size) {
    const part = items.slice(start, start + size);
    const usable = part.filter((item) => typeof item.text === "string");
    let predictions;
    try {
      predictions = await predictBatch(usable.map((item) => item.text));
    } catch (error) { // one text over a limit fails its batch: ask for each text, so only it gets an error line
      predictions = [];
      for (const item of usable) {
        try { predictions.push((await predictBatch([item.text]))[0]); } catch (e) { predictions.push({ error: e.message }); }
      }
    }
    const byItem = new Map(usable.map((item, i) => [item, predictions[i]]));
    for (const item of part) {
      const prediction = byItem.get(item);
      lines.push(prediction ? { id: item.id, ...prediction }
        : { id: item.id, error: item.invalid ? "line is not valid JSON" : "text is missing or not a string" });
    }
    $("file-progress").value = Math.min(1, (start + part.length) / items.length);
  }
  return lines;
}

async function classifyAsJob(textColumn, idColumn) {
  const type = state.file.parsed.kind === "csv" ? "text/csv" : "application/x-ndjson";
  const query = new URLSearchParams({ text_column: textColumn });
  if (idColumn) query.set("id_column", idColumn);
  const job = await api(`jobs?${query}`, { method: "POST", headers: { "Content-Type": type }, body: state.file.raw });
  for (;;) {
    const status = await api(`jobs/${job.job_id}`);
    $("file-progress").value = status.items ? status.processed / status.items : 0;
    $("file-status").textContent = `Job ${job.job_id}: ${status.status}, ${status.processed} of ${status.items} done`;
    if (status.results) {
      const lines = [];
      for (const result of status.results.sort((a, b) => a.chunk - b.chunk)) {
        const text = await (await fetch(result.url)).text();
        text.split("\n").filter(Boolean).forEach((line) => lines.push(JSON.parse(line)));
      }
      return lines;
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

function summarize(lines, textsById) {
  $("summary").hidden = false;
  const good = lines.filter((line) => !line.error);
  const count = (key) => Object.entries(good.reduce((acc, line) => ({ ...acc, [line[key]]: (acc[line[key]] || 0) + 1 }), {}))
    .sort((a, b) => b[1] - a[1]).map(([label, n]) => [label, n / good.length, n]);
  bars($("emotion-bars"), count("emotion"));
  bars($("sentiment-bars"), count("sentiment"));
  const examples = $("examples");
  clear(examples);
  for (const [emotion] of count("emotion")) {
    const best = good.filter((l) => l.emotion === emotion).sort((a, b) => b.confidence - a.confidence).slice(0, 3);
    examples.append(el("h4", emotion));
    const list = el("ul");
    for (const line of best) list.append(el("li", `${percent(line.confidence)} · ${line.id}: ${textsById.get(String(line.id)) ?? ""}`));
    examples.append(list);
  }
  const errors = $("error-lines");
  clear(errors);
  for (const line of lines.filter((l) => l.error)) errors.append(el("li", `${line.id}: ${line.error}`));
  if (!errors.children.length) errors.append(el("li", "none"));
  const blob = new Blob(lines.map((line) => JSON.stringify(line) + "\n"), { type: "application/x-ndjson" });
  $("download").href = URL.createObjectURL(blob);
}

async function classifyFile(event) {
  event.preventDefault();
  $("file-error").textContent = "";
  if (!state.file) return;
  const textColumn = $("text-column").value, idColumn = $("id-column").value;
  const items = state.file.parsed.records.map((record, i) => ({
    id: idColumn && record && record[idColumn] !== undefined ? String(record[idColumn]) : `row-${i + 1}`,
    text: record && typeof record[textColumn] === "string" ? record[textColumn] : undefined, invalid: record === null,
  }));
  $("file-progress").hidden = false;
  $("file-progress").value = 0;
  try {
    const direct = items.length <= SMALL_FILE_ROWS;
    $("file-status").textContent = direct ? "Classifying…" : "Submitting a bulk job…";
    const lines = direct ? await classifyDirectly(items) : await classifyAsJob(textColumn, idColumn);
    $("file-status").textContent = `Done: ${lines.length} lines.`;
    summarize(lines, new Map(items.map((item) => [item.id, String(item.text ?? "")])));
  } catch (error) {
    $("file-error").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", useKey);
  $("text-form").addEventListener("submit", classifyText);
  $("wrong").addEventListener("click", toggleFeedback);
  $("feedback-form").addEventListener("submit", sendFeedback);
  $("file").addEventListener("change", onFileChosen);
  $("file-form").addEventListener("submit", classifyFile);
  $("primary-emotion").tabIndex = -1;
  if (sessionStorage.getItem(KEY)) { $("api-key").value = sessionStorage.getItem(KEY); $("key-form").requestSubmit(); }
});
