// I/O request journey: pick a device stack and a request, step through the IRP's journey down
// and back up (stack locations, IRQL, thread context, status, buffers, completion routines,
// fast I/O), then predict the order of completion routines and let the engine check it.
// Everything is built with DOM APIs and textContent: no HTML strings.

import { badge, factsList, h, idGen, isClaim } from "./dom.js";

const claim = (b) => (isClaim(b) ? badge(b) : null);

const PLAY_MS = 1400;

const nextID = idGen();

// Phases on the way back up: the I/O manager is completing the IRP.
const UPWARD = new Set(["completion", "post-operation", "resume", "final", "notify"]);

function stackTable(layers) {
  const rows = [];
  for (const l of layers) {
    rows.push(h("tr", {},
      h("td", {}, h("code", {}, l.name)),
      h("td", { class: "irp-wrap", text: l.device || "" }),
      h("td", { text: l.kind }),
      h("td", { text: l.action === "forward" ? `forward (${l.forward === "skip" ? "IoSkipCurrentIrpStackLocation" : "IoCopyCurrentIrpStackLocationToNext"})` : `${l.action}${l.status ? ` → ${l.status}` : ""}` }),
      h("td", { text: l.completionRoutine ? (l.completionResult === "more-processing" ? "yes, returns STATUS_MORE_PROCESSING_REQUIRED" : "yes") : "no" }),
      h("td", { text: l.fastIo ? "yes" : "no" })));
    for (const m of l.minifilters || []) {
      rows.push(h("tr", { class: "irp-minifilter" },
        h("td", {}, "↳ ", h("code", {}, m.name)),
        h("td", { text: `minifilter, altitude ${m.altitude}` }),
        h("td", { text: "minifilter" }),
        h("td", { text: m.pre === "complete" ? `pre-op completes (FLT_PREOP_COMPLETE${m.status ? `, ${m.status}` : ""})` : m.pre === "with-callback" ? "pre-op: FLT_PREOP_SUCCESS_WITH_CALLBACK" : "pre-op: FLT_PREOP_SUCCESS_NO_CALLBACK" }),
        h("td", { text: m.pre === "with-callback" ? "post-op callback" : "no" }),
        h("td", { text: "—" })));
    }
  }
  return h("div", { class: "lab-scroll" }, h("table", { class: "lab-table irp-stack" },
    h("caption", { text: "Device stack, top first" }),
    h("thead", {}, h("tr", {}, ["Driver", "Device object", "Kind", "Dispatch routine", "Completion routine", "Fast I/O"].map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, rows)));
}

function locationsTable(irp) {
  const cur = irp.currentLocation;
  const table = h("table", { class: "lab-table irp-locs", "data-current": String(cur) },
    h("caption", {}, `IRP stack locations (StackCount ${irp.stackCount}; `,
      cur > irp.stackCount ? "no current location: the IRP is with the I/O manager)" : `current location ${cur}, highlighted)`),
    h("thead", {}, h("tr", {}, ["#", "Used by", "Major function", "Parameters", "Completion routine", "SL_PENDING_RETURNED"].map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, irp.locations.map((l) => {
      const isCur = l.number === cur;
      return h("tr", { class: isCur ? "irp-current" : "", "aria-current": isCur ? "true" : null },
        h("th", { scope: "row" }, isCur ? h("span", { class: "irp-marker", text: "▶ " }) : null, String(l.number), isCur ? h("span", { class: "irp-sr", text: " (current)" }) : null),
        h("td", { text: l.owners?.length ? l.owners.join(", ") : "unused" }),
        h("td", { text: l.major || "" }),
        h("td", { class: "irp-wrap", text: l.parameters || "" }),
        h("td", { text: l.completionRoutine ? `${l.completionRoutine}'s routine` : "" }),
        h("td", { text: l.pendingReturned ? "set" : "" }));
    })));
  return h("div", { class: "lab-scroll" }, table);
}

// Rows are [term, value, dd class]; every dd carries a class attribute, empty when the row names none.
const facts = (rows) => factsList(rows, "irp-facts", (row) => row[2] || "");

export async function mount(el, api) {
  const presets = await api.run("presets", {});
  const rules = new Map(presets.rules.map((r) => [r.id, r]));
  const stacks = presets.stacks;

  // --- Choice of stack and request -----------------------------------------------------------
  const stackID = nextID("irp-stack");
  const reqID = nextID("irp-req");
  const stackSel = h("select", { id: stackID }, stacks.map((s) => h("option", { value: s.id, text: s.title })));
  const reqSel = h("select", { id: reqID });
  const stackInfo = h("div", { class: "irp-stackinfo" });
  const start = h("button", { type: "button", "data-action": "start" }, "Start the journey");

  const fillRequests = () => {
    const sid = stackSel.value;
    const prev = reqSel.value;
    reqSel.replaceChildren(...presets.requests.filter((r) => r.stacks.includes(sid)).map((r) => h("option", { value: r.id, text: r.title })));
    if ([...reqSel.options].some((o) => o.value === prev)) reqSel.value = prev;
    const s = stacks.find((x) => x.id === sid);
    stackInfo.replaceChildren(h("p", {}, claim(s.basis), " ", s.description), stackTable(s.layers));
  };
  stackSel.addEventListener("change", () => { fillRequests(); reset(); });
  reqSel.addEventListener("change", reset);

  // --- Player ------------------------------------------------------------------------------
  const prev = h("button", { type: "button", class: "secondary", "data-action": "prev", disabled: true }, "← Previous");
  const next = h("button", { type: "button", "data-action": "next", disabled: true }, "Next →");
  const play = h("button", { type: "button", class: "secondary", "data-action": "play", "aria-pressed": "false", disabled: true }, "Play");
  const counter = h("span", { class: "irp-counter", "aria-live": "off" });
  const stepView = h("div", { class: "irp-step", "aria-live": "polite", "aria-atomic": "true" });
  const locView = h("div", { class: "irp-locview" });
  const summary = h("div", { class: "irp-summary", "aria-live": "polite" });
  const allSteps = h("ol", { class: "lab-trace irp-all" });
  const allBox = h("details", { class: "irp-alldetails" }, h("summary", { text: "All steps of this journey" }), allSteps);
  allBox.hidden = true;

  let t = null; // the transcript
  let i = 0;
  let timer = null;

  const stopPlay = () => {
    if (timer) clearInterval(timer);
    timer = null;
    play.setAttribute("aria-pressed", "false");
    play.textContent = "Play";
  };

  function reset() {
    stopPlay();
    t = null;
    stepView.replaceChildren(h("p", { class: "irp-muted", text: "Press “Start the journey” to build the IRP." }));
    locView.replaceChildren();
    summary.replaceChildren();
    allSteps.replaceChildren();
    allBox.hidden = true;
    counter.textContent = "";
    prev.disabled = next.disabled = play.disabled = true;
    buildPrediction();
  }

  const render = () => {
    const s = t.steps[i];
    const irp = s.irp;
    const rule = rules.get(s.rule) || t.rules.find((r) => r.id === s.rule);
    const returned = /returns? (STATUS_[A-Z_]+)/.exec(s.text)?.[1];
    const up = UPWARD.has(s.phase);
    counter.textContent = `Step ${s.n} of ${t.steps.length}`;
    stepView.replaceChildren(
      h("p", { class: "irp-where" },
        h("span", { class: `irp-dir ${up ? "irp-up" : "irp-down"}`, text: up ? "↑ completing" : "↓ " + (s.phase === "call" || s.phase === "build" ? "starting" : "on the way down") }),
        " ", h("strong", { class: "irp-actor", text: s.actor }), " — ", h("span", { class: "irp-phase", text: s.phase }),
        s.phase === "fastio" ? h("span", { class: "irp-badge", text: "fast I/O short-circuit" }) : null,
        returned === "STATUS_PENDING" || s.phase === "pend" ? h("span", { class: "irp-badge irp-badge-pending", text: "STATUS_PENDING" }) : null),
      h("p", { class: "irp-text", text: s.text }),
      facts([
        ["IRQL", s.irql, `irp-irql irql-${s.irql.replace(/_LEVEL$/, "").toLowerCase()}`],
        ["Thread context", s.context],
        ["Returned here", returned ? h("code", { class: returned === "STATUS_PENDING" ? "irp-pending" : "" }, returned) : null],
        ["IoStatus.Status", irp ? (irp.status ? h("code", {}, irp.status) : "not set yet") : null],
        ["IoStatus.Information", irp && irp.status ? `${irp.information} bytes` : null],
        ["SystemBuffer", irp ? (irp.systemBuffer || "none") : null, "irp-wrap"],
        ["MdlAddress", irp ? (irp.mdlAddress || "none") : null, "irp-wrap"],
        ["UserBuffer", irp ? (irp.userBuffer || "none") : null, "irp-wrap"],
        ["Type3InputBuffer", irp?.type3InputBuffer || null, "irp-wrap"],
        ["Irp->PendingReturned", irp ? (irp.pendingReturned ? "TRUE" : "FALSE") : null],
      ]),
      rule ? h("p", { class: "irp-rule" }, claim(s.basis), " ", h("a", { href: rule.url, rel: "noopener" }, rule.title)) : h("p", {}, claim(s.basis)));
    locView.replaceChildren(irp ? locationsTable(irp)
      : t.result.fastIo && i > 0
        ? h("p", { class: "irp-fastio" }, h("strong", { text: "Fast I/O: " }), "no IRP was built, so there are no stack locations; the I/O manager called the drivers' fast I/O routines directly.")
        : h("p", { class: "irp-muted", text: "No IRP exists yet at this step." }));
    prev.disabled = i === 0;
    next.disabled = i === t.steps.length - 1;
    for (const li of allSteps.children) li.classList.toggle("hit", Number(li.dataset.n) === s.n);
    if (i === t.steps.length - 1) {
      stopPlay();
      showSummary();
    } else {
      summary.replaceChildren();
    }
  };

  const showSummary = () => {
    const r = t.result;
    summary.replaceChildren(...[
      h("h3", { text: "Journey complete" }),
      h("p", { class: `lab-verdict ${r.status === "STATUS_SUCCESS" ? "ok" : "bad"}` }, `${r.status} (${r.win32Error}), ${r.information} bytes`),
      facts([
        ["What the caller saw", r.returned],
        ["How completion was delivered", r.delivery],
        ["Pended (STATUS_PENDING on the way)", r.pended ? "yes" : "no"],
        ["Fast I/O short-circuit", r.fastIo ? "yes: the I/O manager called the driver's fast I/O routine and built no IRP" : "no: an IRP travelled the stack"],
        ["Buffer method", t.method],
      ]),
      h("p", { class: "irp-order" }, h("strong", { text: "Completion routines ran in this order: " }),
        t.completionOrder.length ? t.completionOrder.join(" → ") : "none ran in this journey"),
      t.warnings.length ? h("ul", { class: "irp-warnings" }, t.warnings.map((w) => h("li", { text: w }))) : null,
    ].filter(Boolean));
  };

  const go = (n) => { i = Math.max(0, Math.min(t.steps.length - 1, n)); render(); };
  prev.addEventListener("click", () => { stopPlay(); go(i - 1); });
  next.addEventListener("click", () => { stopPlay(); go(i + 1); });
  play.addEventListener("click", () => {
    if (timer) { stopPlay(); return; }
    if (i >= t.steps.length - 1) go(0);
    play.setAttribute("aria-pressed", "true");
    play.textContent = "Pause";
    timer = setInterval(() => { if (i < t.steps.length - 1) go(i + 1); else stopPlay(); }, PLAY_MS);
  });

  const errBox = h("div", { class: "irp-error", role: "alert" });
  const current = () => ({ stack: stackSel.value, request: presets.requests.find((r) => r.id === reqSel.value)?.request });

  start.addEventListener("click", async () => {
    stopPlay();
    errBox.replaceChildren();
    try {
      t = await api.run("run", current());
    } catch (e) {
      errBox.append(h("p", { class: "lab-error" }, e.field ? `${e.field}: ` : "", e.message));
      return;
    }
    allSteps.replaceChildren(...t.steps.map((s) => {
      const b = h("button", { type: "button", class: "irp-jump" }, `${s.n}. ${s.actor}: `, s.text.length > 90 ? s.text.slice(0, 90) + "…" : s.text);
      b.addEventListener("click", () => { stopPlay(); go(s.n - 1); stepView.scrollIntoView({ block: "nearest" }); });
      return h("li", { "data-n": s.n }, b);
    }));
    allBox.hidden = false;
    play.disabled = false;
    go(0);
    next.focus();
  });

  // --- Prediction exercise ------------------------------------------------------------------
  const predBox = h("section", { class: "lab-exercise", "aria-labelledby": "irp-pred-title" });
  const predList = h("ol", { class: "irp-predlist" });
  const predStatus = h("p", { class: "irp-sr-live", "aria-live": "polite" });
  const predVerdict = h("div", { "aria-live": "polite" });
  const check = h("button", { type: "button", "data-action": "check" }, "Check my prediction");
  let items = []; // {name, runs}

  function buildPrediction() {
    const s = stacks.find((x) => x.id === stackSel.value);
    items = [];
    for (const l of s.layers) {
      // Filter Manager's own routine shows up as its minifilters' post-operation callbacks.
      if (l.kind === "filter-manager") {
        for (const m of l.minifilters || []) items.push({ name: m.name, what: `minifilter, altitude ${m.altitude}`, runs: true });
      } else {
        items.push({ name: l.name, what: l.kind, runs: true });
      }
    }
    predVerdict.replaceChildren();
    predStatus.textContent = "";
    drawPrediction();
  }

  function drawPrediction(focusName, focusAction) {
    predList.replaceChildren(...items.map((it, k) => {
      const cid = nextID("irp-runs");
      const up = h("button", { type: "button", class: "secondary irp-move", "data-move": "up", "aria-label": `Move ${it.name} up`, disabled: k === 0 }, "↑");
      const down = h("button", { type: "button", class: "secondary irp-move", "data-move": "down", "aria-label": `Move ${it.name} down`, disabled: k === items.length - 1 }, "↓");
      const box = h("input", { type: "checkbox", id: cid, checked: it.runs });
      box.addEventListener("change", () => { it.runs = box.checked; predStatus.textContent = `${it.name} ${it.runs ? "included" : "left out"}.`; });
      const move = (d) => {
        const j = k + d;
        if (j < 0 || j >= items.length) return;
        [items[k], items[j]] = [items[j], items[k]];
        predStatus.textContent = `${it.name} moved to position ${j + 1} of ${items.length}.`;
        drawPrediction(it.name, j === 0 || j === items.length - 1 ? (d < 0 ? "down" : "up") : (d < 0 ? "up" : "down"));
      };
      up.addEventListener("click", () => move(-1));
      down.addEventListener("click", () => move(1));
      return h("li", { "data-name": it.name },
        h("span", { class: "irp-pos", text: `${k + 1}.` }),
        box, h("label", { for: cid }, h("code", {}, it.name), h("span", { class: "irp-muted", text: ` ${it.what}` })),
        h("span", { class: "irp-movebtns" }, up, down));
    }));
    if (focusName) {
      const li = [...predList.children].find((x) => x.dataset.name === focusName);
      const want = li?.querySelector(`[data-move="${focusAction}"]`);
      (want && !want.disabled ? want : li?.querySelector("[data-move]:not([disabled])"))?.focus();
    }
  }

  check.addEventListener("click", async () => {
    predVerdict.replaceChildren();
    const predicted = items.filter((x) => x.runs).map((x) => x.name);
    try {
      const r = await api.run("check", { ...current(), predicted });
      predVerdict.append(...[
        h("p", { class: `lab-verdict ${r.correct ? "ok" : "bad"}` },
          r.correct ? "Right: that is the order." : (r.firstMismatch >= 0 ? `Not quite: position ${r.firstMismatch + 1} differs.` : "Not quite.")),
        h("p", {}, h("strong", { text: "Your order: " }), r.predicted.length ? r.predicted.join(" → ") : "(none)"),
        r.correct ? null : h("p", {}, h("strong", { text: "Simulated order: " }), r.expected.length ? r.expected.join(" → ") : "(none)"),
        h("p", { text: r.explanation }),
      ].filter(Boolean));
    } catch (e) {
      predVerdict.append(h("p", { class: "lab-error" }, e.field ? `${e.field}: ` : "", e.message));
    }
  });

  predBox.append(
    h("h3", { id: "irp-pred-title", text: "Predict the order of completion routines" }),
    h("p", {}, "For the stack and request chosen above: order the drivers and minifilters by when their completion routine or post-operation callback runs, first at the top, and untick those whose routine never runs. ",
      "Filter Manager's own completion routine is represented by the post-operation callbacks it calls. Use the ↑ and ↓ buttons (Tab to reach them)."),
    predList, predStatus, check, predVerdict);

  el.append(
    h("div", { class: "lab-row" },
      h("div", {}, h("label", { for: stackID, text: "Device stack" }), stackSel),
      h("div", {}, h("label", { for: reqID, text: "Request" }), reqSel)),
    stackInfo,
    h("div", { class: "irp-controls" }, start, prev, next, play, counter),
    errBox,
    h("div", { class: "irp-journey" }, stepView, locView),
    summary,
    allBox,
    predBox);
  fillRequests();
  reset();
}
