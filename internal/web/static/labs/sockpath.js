// Socket path lab: choose how an application sends, see the path from ws2_32 through the AFD
// boundary to the NIC, the counts per operation and in total, and the relative cost with weights
// the learner can change. Exercises are checked by the engine, and a real loopback measurement
// can be pasted and lined up with the model. All of it runs in the browser through api.run.

import { evidenceBadge, h, idGen, labelledField, lineCaret, lineColOfByte, sourceRef } from "./dom.js";

const nextId = idGen("sp");

const claim = evidenceBadge;
const source = (src) => sourceRef(src, "sp-src");
const field = (labelText, control, hint) => labelledField(labelText, control, hint, "sp", nextId);
function checkbox(labelText, hint) {
  const c = h("input", { type: "checkbox", id: nextId("c") });
  const kids = [c, h("label", { for: c.id }, labelText)];
  if (hint) {
    const hid = nextId("hint");
    c.setAttribute("aria-describedby", hid);
    kids.push(h("span", { class: "sp-hint", id: hid }, hint));
  }
  return [h("div", { class: "sp-check" }, kids), c];
}

const num = (x, d = 4) => (Number.isInteger(x) ? x.toLocaleString("en") : x.toLocaleString("en", { maximumFractionDigits: d }));
const fmtBytes = (b) => (b >= 1 << 30 && b % (1 << 30) === 0 ? `${b / (1 << 30)} GiB` : b >= 1 << 20 && b % (1 << 20) === 0 ? `${b / (1 << 20)} MiB` : b >= 1024 && b % 1024 === 0 ? `${b / 1024} KiB` : `${num(b)} bytes`);

function errorBox(err, text) {
  const box = h("div", { class: "lab-error", role: "alert" });
  let where = err.field ? `${err.field}: ` : "";
  let line = 0;
  let col = 0;
  if (text !== undefined && err.offset >= 0) {
    [line, col] = lineColOfByte(text, err.offset);
    where = `line ${line}, column ${col}${err.field ? ` (${err.field})` : ""}: `;
  } else if (text !== undefined && err.field) {
    // Point at the first line that mentions the field's last key, so the learner can find it.
    const key = err.field.split(".").pop().replace(/\[\d+\]$/, "");
    const m = /results\[(\d+)\]/.exec(err.field);
    const ls = text.split(/\r?\n/);
    let seen = -1;
    for (let i = 0; i < ls.length; i++) {
      if (m && /"messageSize"/.test(ls[i])) seen++;
      if ((!m || seen === Number(m[1])) && ls[i].includes(`"${key}"`)) { line = i + 1; col = ls[i].indexOf(`"${key}"`) + 1; break; }
    }
    if (line) where = `${err.field} (line ${line}): `;
  }
  box.append(h("p", {}, `${where}${err.message}`));
  if (line) {
    const l = text.split(/\r?\n/)[line - 1] ?? "";
    box.append(h("pre", { class: "lab-mono sp-caret" }, lineCaret(line, l, col)));
  }
  return box;
}

const apis = [
  { id: "send", label: "send() — blocking" },
  { id: "wsasend-iocp", label: "WSASend, overlapped, with an I/O completion port" },
  { id: "readfile-send", label: "ReadFile + send() per chunk (file to socket)" },
  { id: "transmitfile", label: "TransmitFile (file to socket in one call)" },
  { id: "rio", label: "Registered I/O (RIOSend)" },
  { id: "wsk", label: "WSK — a kernel-mode client (for contrast)" },
];

const metrics = [
  ["transitions", "User/kernel transitions"],
  ["copies", "Copies"],
  ["copyBytes", "Bytes copied"],
  ["pageLocks", "Probe-and-locks"],
  ["lockedPages", "Pages locked"],
  ["irps", "IRPs"],
  ["completions", "Completion packets"],
  ["wakeups", "Wake-ups (block + wake)"],
  ["rioEntries", "RIO queue entries (user mode)"],
  ["stackRequests", "Stack requests (tcpip/WFP/NDIS)"],
  ["segments", "TCP segments"],
];
// Which evidence entry labels a derived metric.
const evidenceOf = { copyBytes: "copies", lockedPages: "pageLocks", segments: "stackRequests" };

const weightInfo = [
  ["T", "transition (user → kernel → user)", 5],
  ["I", "IRP allocate, dispatch, complete", 5],
  ["L", "probe and lock, first page", 5],
  ["LPage", "each further 4 KiB page locked", 1],
  ["Q", "queue a completion packet", 5],
  ["CBase", "copy, fixed part", 2],
  ["CPer4K", "copy, per 4 KiB", 2],
  ["RIOEntry", "RIO queue entry in user mode", 1],
  ["S", "stack work per request", 10],
  ["SSeg", "stack work per segment", 1],
  ["W", "block and wake a thread", 20],
];

export async function mount(el, api) {
  el.classList.add("sp-lab");
  const defaults = (await api.run("run", { bytes: 1, messageSize: 1, api: "send" })).weights;

  // ---------- workload controls ----------
  const sec = h("section", { "aria-labelledby": "sp-h-w" }, h("h2", { id: "sp-h-w" }, "1. Choose how the application sends"));
  const apiSel = h("select", { "data-input": "api" }, apis.map((a) => h("option", { value: a.id }, a.label)));
  apiSel.value = "wsasend-iocp";
  const bytesIn = h("input", { type: "number", min: "1", step: "1", value: String(1 << 30), "data-input": "bytes" });
  const sizeIn = h("input", { type: "number", min: "0", step: "1", value: "65536", "data-input": "messageSize" });
  sec.append(field("API", apiSel),
    h("div", { class: "lab-row" },
      field("Bytes to send", bytesIn, "1073741824 is 1 GiB."),
      field("Message size (bytes per call; chunk size for ReadFile + send; TransmitFile: 0 = whole file)", sizeIn)));

  const opts = h("fieldset", { class: "sp-options" }, h("legend", {}, "Options (only those that apply to the chosen API are shown)"));
  const [sndbufRow, sndbuf0] = checkbox("SO_SNDBUF = 0 (no AFD send buffering)");
  const [fullRow, bufferFull] = checkbox("Send buffer full (sends pend)");
  const [skipRow, skip] = checkbox("FILE_SKIP_COMPLETION_PORT_ON_SUCCESS");
  const [ovRow, overlapped] = checkbox("Overlapped (completion through the port)");
  const [fastRow, fastIO] = checkbox("AFD fast-I/O path", "observed, not documented");
  const [lockRow, classicLock] = checkbox("Count a probe-and-lock per classic operation", "observed (community explanation of RIO's gain)");
  const [pageRow, pageable] = checkbox("Pageable buffer (must be probed and locked)");
  const outIn = h("input", { type: "number", min: "1", max: "65536", value: "1" });
  const gqIn = h("input", { type: "number", min: "1", max: "65536", value: "1" });
  const deferIn = h("input", { type: "number", min: "1", max: "65536", value: "1" });
  const rioComp = h("select", {}, h("option", { value: "poll" }, "poll (RIODequeueCompletion in a loop)"), h("option", { value: "notify" }, "notify (RIONotify + IOCP)"));
  const notifyIn = h("input", { type: "number", min: "1", max: "65536", value: "1" });
  const wskMode = h("select", {}, h("option", { value: "function" }, "functions with IRPs (WskSend)"), h("option", { value: "event" }, "event callbacks"));
  const mssIn = h("input", { type: "number", min: "1", max: "65535", value: "1460" });
  const optRows = [
    [sndbufRow, ["send", "wsasend-iocp"]],
    [fullRow, ["send", "wsasend-iocp"]],
    [skipRow, ["wsasend-iocp"]],
    [ovRow, ["transmitfile"]],
    [fastRow, ["send", "wsasend-iocp"]],
    [lockRow, ["send", "wsasend-iocp"]],
    [pageRow, ["wsk"]],
    [field("Sends outstanding", outIn), ["wsasend-iocp", "rio"]],
    [field("Completions per GetQueuedCompletionStatusEx call (1 = plain GQCS)", gqIn), ["wsasend-iocp", "transmitfile"]],
    [field("Requests per RIO_MSG_DEFER batch (1 = no deferral)", deferIn), ["rio"]],
    [field("RIO completion", rioComp), ["rio"]],
    [field("Completions per RIONotify", notifyIn), ["rio"]],
    [field("WSK mode", wskMode), ["wsk"]],
    [field("MSS (bytes per TCP segment)", mssIn), ["send", "wsasend-iocp", "readfile-send", "transmitfile", "rio", "wsk"]],
  ];
  const optGrid = h("div", { class: "sp-optgrid" }, optRows.map(([r]) => r));
  opts.append(optGrid);
  sec.append(opts);

  // weights
  const wDet = h("details", { class: "sp-weights" }, h("summary", {}, "Cost weights (model: educational, adjustable)"));
  wDet.append(h("p", {}, claim("model"), " The relative cost is a weighted sum of the counts. These weights are our educational defaults, never measurements: change them and watch the ranking of the APIs move."));
  const wInputs = {};
  const wGrid = h("div", { class: "sp-wgrid" });
  for (const [k, label, max] of weightInfo) {
    const range = h("input", { type: "range", min: "0", max: String(max), step: "0.01", value: String(defaults[k]) });
    const box = h("input", { type: "number", min: "0", step: "0.01", value: String(defaults[k]), "data-weight": k });
    range.id = nextId("w");
    box.id = nextId("w");
    range.addEventListener("input", () => { box.value = range.value; schedule(); });
    box.addEventListener("input", () => { range.value = box.value; schedule(); });
    wInputs[k] = box;
    wGrid.append(h("div", { class: "sp-wrow" },
      h("label", { for: box.id }, `${k}: ${label}`),
      h("div", { class: "sp-wpair" }, range, box),
      h("label", { for: range.id, class: "visually-hidden" }, `${k} slider`)));
  }
  const resetW = h("button", { type: "button", class: "secondary" }, "Reset weights");
  resetW.addEventListener("click", () => {
    for (const [k] of weightInfo) { wInputs[k].value = String(defaults[k]); wInputs[k].previousSibling.value = String(defaults[k]); }
    run();
  });
  wDet.append(wGrid, resetW);
  sec.append(wDet);

  const runBtn = h("button", { type: "button", "data-action": "run" }, "Run the model");
  const pinBtn = h("button", { type: "button", class: "secondary" }, "Keep this run for comparison");
  const err = h("div", { "data-error": "run" });
  const out = h("div", { "aria-live": "polite", "data-output": "run", class: "sp-out" });
  sec.append(runBtn, pinBtn, err, out);

  function workload() {
    const a = apiSel.value;
    const o = {};
    if (sndbuf0.checked) o.sndbuf = 0;
    if (bufferFull.checked) o.bufferFull = true;
    if (skip.checked) o.skipCompletionPortOnSuccess = true;
    if (overlapped.checked) o.overlapped = true;
    if (fastIO.checked) o.fastIO = true;
    if (classicLock.checked) o.classicProbeLock = true;
    if (pageable.checked) o.pageableBuffer = true;
    const n = (inp) => Math.trunc(Number(inp.value) || 0);
    if (n(outIn) > 1) o.outstanding = n(outIn);
    if (n(gqIn) > 1) o.gqcsExBatch = n(gqIn);
    if (a === "rio") {
      if (n(deferIn) > 1) o.rioDeferBatch = n(deferIn);
      o.rioCompletion = rioComp.value;
      if (n(notifyIn) > 1) o.rioNotifyBatch = n(notifyIn);
    }
    if (a === "wsk") o.wskMode = wskMode.value;
    if (n(mssIn) !== 1460) o.mss = n(mssIn);
    const weights = {};
    for (const [k] of weightInfo) weights[k] = Number(wInputs[k].value) || 0;
    return { bytes: Number(bytesIn.value), messageSize: Number(sizeIn.value), api: a, options: o, weights };
  }
  function showOptions() {
    for (const [row, list] of optRows) row.hidden = !list.includes(apiSel.value);
  }

  let pinned = null;
  let last = null;
  let timer = 0;
  function schedule() { clearTimeout(timer); timer = setTimeout(run, 150); }

  const targets = { api: apiSel, bytes: bytesIn, messageSize: sizeIn };
  async function run() {
    err.replaceChildren();
    for (const e of el.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
    let r;
    try {
      r = await api.run("run", workload());
    } catch (e) {
      err.replaceChildren(errorBox(e));
      const f = (e.field || "").replace(/^options\./, "");
      const t = targets[f] || (f.startsWith("weights.") ? wInputs[f.slice(8)] : null);
      if (t) t.setAttribute("aria-invalid", "true");
      return;
    }
    last = r;
    render(r);
  }

  pinBtn.addEventListener("click", () => {
    if (!last) return;
    pinned = { label: `${apis.find((a) => a.id === last.workload.api).label}, ${fmtBytes(last.workload.messageSize)} per call`, run: last };
    render(last);
  });

  function stageView(r) {
    const ol = h("ol", { class: "sp-path", "aria-label": "The send path, from the application down to the NIC" });
    for (const s of r.stages) {
      const li = h("li", { class: `sp-stage sp-${s.mode}${s.active ? "" : " sp-idle"}`, "data-stage": s.id });
      if (s.mode === "boundary") {
        li.append(h("p", { class: "sp-boundary-label" }, "▲ user mode ─── system call boundary ─── kernel mode ▼"));
      }
      li.append(h("p", { class: "sp-stage-name" }, s.name, h("span", { class: "sp-mode" }, ` (${s.mode})`)));
      if (s.items && s.items.length) {
        li.append(h("ul", { class: "sp-items" }, s.items.map((it) => h("li", {},
          it.metric !== "info" ? h("strong", {}, `${num(it.perOp)} ${metricWord(it.metric, it.perOp)} per op${it.bytes ? ` (${fmtBytes(it.bytes)})` : ""}: `) : null,
          it.what, " ", claim(it.evidence), " ", source(it.source)))));
      } else if (!s.active) {
        li.append(h("p", { class: "sp-hint" }, "not involved"));
      }
      ol.append(li);
    }
    return ol;
  }
  function metricWord(m, n) {
    const w = { transitions: "transition", copies: "copy", pageLocks: "probe-and-lock", irps: "IRP", completions: "completion packet", wakeups: "wake-up", rioEntries: "RIO entry", stackRequests: "stack request" }[m] || m;
    if (n === 1) return w;
    return w === "copy" ? "copies" : `${w}s`;
  }
  function evidenceFor(r, m) {
    const e = r.evidence.find((x) => x.metric === (evidenceOf[m] || m));
    return e ? e.evidence : null;
  }

  function render(r) {
    const w = r.workload;
    const kids = [];
    kids.push(h("p", { class: "lab-verdict neutral", "data-summary": "" },
      `${apis.find((a) => a.id === w.api).label}: ${fmtBytes(w.bytes)} in ${num(r.ops)} operation${r.ops === 1 ? "" : "s"} of ${fmtBytes(w.messageSize)}${r.lastOpBytes !== w.messageSize ? ` (last one ${fmtBytes(r.lastOpBytes)})` : ""}.`));
    for (const wmsg of r.warnings) kids.push(h("p", { class: "sp-warning", role: "note" }, "⚠ ", wmsg));
    if (r.ignoredOptions.length) kids.push(h("p", { class: "sp-hint" }, `Ignored for this API: ${r.ignoredOptions.join(", ")}.`));

    kids.push(h("h3", {}, "The path of one operation"));
    kids.push(stageView(r));
    if (r.setup.length) {
      kids.push(h("h4", {}, "Once, before the first send"));
      kids.push(h("ul", { class: "sp-items" }, r.setup.map((it) => h("li", {}, h("strong", {}, `${num(it.perOp)} ${metricWord(it.metric, it.perOp)}: `), it.what, " ", claim(it.evidence), " ", source(it.source)))));
    }

    kids.push(h("h3", {}, "Counts"));
    const head = ["What", "Per operation", "Setup", "Total", "Evidence"];
    if (pinned) head.push(`Total: ${pinned.label}`);
    const rows = metrics.map(([m, label]) => {
      const ev = evidenceFor(r, m);
      const tds = [h("th", { scope: "row" }, label), h("td", {}, num(r.perOp[m])), h("td", {}, num(r.setupCounts[m])),
        h("td", { "data-total": m }, num(r.total[m])), h("td", {}, ev ? claim(ev) : "—")];
      if (pinned) tds.push(h("td", {}, num(pinned.run.total[m])));
      return h("tr", {}, tds);
    });
    kids.push(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table sp-counts", "data-table": "counts" },
      h("caption", {}, "Counted by the model for this workload. The evidence is the weakest label among the steps that add to the row."),
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows))));

    kids.push(h("h3", {}, "Relative cost ", claim("model")));
    const costRows = [["transitions", "Transitions"], ["copies", "Copies"], ["pageLocks", "Page locks"], ["irps", "IRPs"], ["completions", "Completions"],
      ["wakeups", "Wake-ups"], ["rioEntries", "RIO entries"], ["stack", "Stack (tcpip, WFP, NDIS)"], ["boundary", "What the API choice controls (all but stack)"], ["total", "Total"]];
    const chead = ["Part", "Per operation", "Total"];
    if (pinned) chead.push(`Total: ${pinned.label}`);
    kids.push(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table", "data-table": "cost" },
      h("caption", {}, `Cost units (weighted sums; ${num(r.costPerMiB)} units per MiB sent).`),
      h("thead", {}, h("tr", {}, chead.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, costRows.map(([k, label]) => {
        const tds = [h("th", { scope: "row" }, label), h("td", {}, num(r.costPerOp[k], 3)), h("td", { "data-cost": k }, num(r.costTotal[k], 1))];
        if (pinned) tds.push(h("td", {}, num(pinned.run.costTotal[k], 1)));
        return h("tr", { class: k === "total" ? "sp-total" : "" }, tds);
      })))));
    kids.push(h("p", { class: "sp-hint" }, claim(r.weightsLabel.evidence), " ", r.weightsLabel.what, " ", source(r.weightsLabel.source)));
    out.replaceChildren(...kids);
  }

  apiSel.addEventListener("change", () => { showOptions(); run(); });
  for (const c of [bytesIn, sizeIn, outIn, gqIn, deferIn, notifyIn, mssIn]) c.addEventListener("input", schedule);
  for (const c of [sndbuf0, bufferFull, skip, overlapped, fastIO, classicLock, pageable, rioComp, wskMode]) c.addEventListener("change", run);
  runBtn.addEventListener("click", run);

  // ---------- exercises ----------
  const exSec = h("section", { "aria-labelledby": "sp-h-ex" }, h("h2", { id: "sp-h-ex" }, "2. Exercises, checked by the engine"));
  const exercises = await api.run("exercises", {});
  for (const ex of exercises) exSec.append(exerciseView(ex));

  function setWorkload(w) {
    apiSel.value = w.api;
    bytesIn.value = String(w.bytes);
    sizeIn.value = String(w.messageSize);
    const o = w.options || {};
    sndbuf0.checked = o.sndbuf === 0;
    bufferFull.checked = !!o.bufferFull;
    skip.checked = !!o.skipCompletionPortOnSuccess;
    overlapped.checked = !!o.overlapped;
    fastIO.checked = !!o.fastIO;
    classicLock.checked = !!o.classicProbeLock;
    pageable.checked = !!o.pageableBuffer;
    outIn.value = String(o.outstanding || 1);
    gqIn.value = String(o.gqcsExBatch || 1);
    deferIn.value = String(o.rioDeferBatch || 1);
    notifyIn.value = String(o.rioNotifyBatch || 1);
    showOptions();
    run();
  }

  function exerciseView(ex) {
    const box = h("div", { class: "lab-exercise", "data-exercise": ex.id });
    box.append(h("h3", {}, ex.title), h("p", {}, ex.prompt, " ", claim(ex.evidence), " ", source(ex.source)));
    let answer;
    if (ex.kind === "workload") {
      box.append(h("p", {}, "Set up the workload in part 1 (bytes must be 1073741824), then submit it. The engine runs it and counts the transitions."));
      answer = () => {
        const w = workload();
        delete w.weights;
        return w;
      };
    } else if (ex.kind === "choice") {
      const fs = h("fieldset", {}, h("legend", {}, "Your answer"));
      const name = nextId("r");
      for (const c of ex.choices) {
        const id = `${name}-${c.id}`;
        fs.append(h("div", { class: "sp-check" }, h("input", { type: "radio", name, id, value: c.id }), h("label", { for: id }, c.text)));
      }
      box.append(fs);
      answer = () => { const s = fs.querySelector("input:checked"); return s ? s.value : undefined; };
    } else {
      const inp = h("input", { type: "number", step: "any", "data-answer": "" });
      box.append(field("Your answer", inp));
      if (ex.workload) {
        const show = h("button", { type: "button", class: "secondary" }, "Show this workload in part 1");
        show.addEventListener("click", () => { setWorkload(ex.workload); sec.scrollIntoView({ block: "start" }); apiSel.focus(); });
        box.append(show);
      }
      answer = () => (inp.value.trim() === "" ? undefined : Number(inp.value));
    }
    const check = h("button", { type: "button", "data-action": "check" }, ex.kind === "workload" ? "Submit the current workload" : "Check");
    const res = h("div", { "aria-live": "polite", "data-output": "check" });
    box.append(check, res);
    check.addEventListener("click", async () => {
      const a = answer();
      if (a === undefined) { res.replaceChildren(h("p", { class: "lab-error", role: "alert" }, "Give an answer first.")); return; }
      let r;
      try {
        r = await api.run("check", { exercise: ex.id, answer: a });
      } catch (e) {
        res.replaceChildren(errorBox(e));
        return;
      }
      const kids = [h("p", { class: `lab-verdict ${r.correct ? "pass" : "fail"}`, "data-verdict": r.correct ? "correct" : "wrong" },
        r.correct ? `Right (${ex.kind === "choice" ? r.got : num(r.got)}).` : `Not yet: you answered ${ex.kind === "choice" ? r.got : num(r.got)}, the engine expects ${ex.kind === "workload" ? "at most 2 transitions" : typeof r.expected === "number" ? num(r.expected) : r.expected}.`),
      h("p", {}, claim(r.evidence), " ", r.why, " ", source(r.source))];
      if (r.references && r.references.length) {
        kids.push(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table" },
          h("caption", {}, "1 GiB with other APIs (model)"),
          h("thead", {}, h("tr", {}, ["Workload", "Transitions", "Cost units"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, r.references.map((x) => h("tr", {}, h("th", { scope: "row" }, x.label), h("td", {}, num(x.transitions)), h("td", {}, num(x.cost, 1))))))));
      }
      res.replaceChildren(...kids);
    });
    return box;
  }

  // ---------- measurement ----------
  const mSec = h("section", { "aria-labelledby": "sp-h-m" }, h("h2", { id: "sp-h-m" }, "3. Compare with a real measurement"),
    h("p", {}, "The model predicts proportions, not microseconds. To see how they hold up, measure loopback TCP sends on a real machine with the NT Atlas measurement program (standard-library Go, source in ", h("code", {}, "cmd/ntatlas-loopback"), "):"),
    h("p", {}, h("a", { href: "/static/downloads/ntatlas-loopback-windows-amd64.exe", download: "ntatlas-loopback.exe" }, "Download ntatlas-loopback.exe for Windows (x64)"),
      " — built by NT Atlas from that source, unsigned (SmartScreen may ask before it runs). Then, in PowerShell: ",
      h("code", {}, ".\\ntatlas-loopback.exe -sizes 64,1024,16384,65536 -duration 500ms"), ". Or, with Go installed:"),
    h("pre", {}, h("code", {}, "go run ./cmd/ntatlas-loopback -sizes 64,1024,16384,65536 -duration 500ms\n\n# or build a Windows executable once, then run it there:\nGOOS=windows GOARCH=amd64 go build ./cmd/ntatlas-loopback\n.\\ntatlas-loopback.exe")),
    h("p", {}, "It prints JSON. Paste it here or open the saved file; it is read in this browser tab only. Go's runtime sends with overlapped WSASend on a completion port, so the model is run that way for each size."));
  const mTa = h("textarea", { rows: "8", spellcheck: "false", "data-input": "measurement" });
  const mFile = h("input", { type: "file", accept: ".json,application/json,text/plain" });
  const mBtn = h("button", { type: "button", "data-action": "compare" }, "Compare");
  const mErr = h("div", { "data-error": "measurement" });
  const mOut = h("div", { "aria-live": "polite", "data-output": "measurement" });
  mSec.append(field("Output of ntatlas-loopback (JSON)", mTa), field("…or open a file", mFile), mBtn, mErr, mOut);
  mFile.addEventListener("change", async () => {
    const f = mFile.files && mFile.files[0];
    if (!f) return;
    if (f.size > 1 << 20) { mErr.replaceChildren(errorBox({ field: "file", message: `${f.name} is larger than 1 MiB` })); return; }
    const b = new Uint8Array(await f.arrayBuffer());
    if (b[0] === 0xff && b[1] === 0xfe) mTa.value = new TextDecoder("utf-16le").decode(b.slice(2));
    else mTa.value = new TextDecoder().decode(b).replace(/^\uFEFF/, "");
    compare();
  });
  async function compare() {
    mErr.replaceChildren();
    mTa.removeAttribute("aria-invalid");
    const text = mTa.value.replace(/^\uFEFF/, "");
    let r;
    try {
      if (!text.trim()) throw { field: "", offset: -1, message: "paste the JSON printed by ntatlas-loopback first" };
      r = await api.run("import-measurement", JSON.parse(text));
    } catch (e) {
      // JSON.parse errors name a position in the text; engine errors name a field or offset.
      // The engine sees the re-serialised object, so its byte offsets do not fit the pasted text:
      // keep only the field it names (errorBox finds that field's line).
      let ie = { field: e.field || "", offset: -1, message: e.message };
      if (e instanceof SyntaxError) {
        const m = /position (\d+)/.exec(e.message);
        const pos = m ? Number(m[1]) : -1;
        ie = { field: "", offset: pos >= 0 ? new TextEncoder().encode(text.slice(0, pos)).length : -1, message: `not valid JSON: ${e.message}` };
        if (pos < 0) {
          const lm = /line (\d+) column (\d+)/.exec(e.message);
          if (lm) {
            const ls = text.split("\n");
            let o = 0;
            for (let i = 0; i < Number(lm[1]) - 1; i++) o += new TextEncoder().encode(ls[i]).length + 1;
            ie.offset = o + Number(lm[2]) - 1;
          }
        }
      }
      mErr.replaceChildren(errorBox(ie, text));
      mTa.setAttribute("aria-invalid", "true");
      mOut.replaceChildren();
      return;
    }
    const m = r.measurement;
    const kids = [
      h("p", { class: "lab-verdict neutral", "data-spread": String(r.spread) }, `Spread ${num(r.spread, 2)}: ${r.verdict}.`),
      h("p", {}, `Measured on ${m.goos}/${m.goarch}, ${m.goVersion}, ${m.numCPU} CPUs, ${m.durationMsPerSize} ms per size. `, claim("observed"), " your measurement."),
      h("p", {}, claim(r.modelNote.evidence), " ", r.modelNote.what, " ", source(r.modelNote.source)),
      h("div", { class: "lab-scroll" }, h("table", { class: "lab-table", "data-table": "measurement" },
        h("caption", {}, "Model against measurement, one row per message size (rates relative to the smallest size)"),
        h("thead", {}, h("tr", {}, ["Message size", "Measured calls/s", "Measured MiB/s", "Measured relative rate", "Model cost per call", "Model relative rate", "ns per cost unit", "Share the API controls"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, r.rows.map((x) => h("tr", {},
          h("th", { scope: "row" }, fmtBytes(x.messageSize)), h("td", {}, num(Math.round(x.callsPerSec))), h("td", {}, num(x.mibPerSec, 1)),
          h("td", {}, num(x.measuredRelCallRate, 3)), h("td", {}, num(x.modelCostPerOp, 2)), h("td", {}, num(x.modelRelCallRate, 3)),
          h("td", {}, num(x.nanosPerCostUnit, 1)), h("td", {}, `${num(x.modelBoundaryShare * 100, 0)} %`)))))),
      h("p", { class: "sp-hint" }, "Measured columns are ", claim("observed"), " (your machine); model columns are ", claim("model"), ". If the model's proportions were right, \"ns per cost unit\" would be the same for every size."),
      h("ul", {}, r.notes.map((n) => h("li", {}, n))),
    ];
    mOut.replaceChildren(...kids);
  }
  mBtn.addEventListener("click", compare);

  el.append(sec, exSec, mSec);
  showOptions();
  skip.checked = true;
  await run();
}
