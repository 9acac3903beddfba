// Process tree explorer: the sample Windows 11 boot tree with every well-known process explained,
// the learner's own process list analysed in the browser (never uploaded), and exercises that the
// engine checks. Everything is built with DOM APIs and textContent: no HTML strings.

import { badge, byteToIndex, factsList, h, idGen, isClaim } from "./dom.js";

const claim = (basis) => (isClaim(basis) ? badge(basis) : null);

// Every topic the engine names exists (TestProctreeTopicsExist checks it against the content).
function topicRef(slug) {
  if (!slug) return h("span", { class: "pt-muted", text: "—" });
  return h("a", { href: `/explore/${slug}` }, slug);
}

const PARENT_TEXT = {
  root: "none (started by the kernel)",
  alive: "running",
  exited: "exited (no process has that PID now)",
  reused: "exited, and its PID was reused by a newer process",
  cycle: "the parent links loop; the link was cut here",
  unknown: "unknown (tasklist has no parent column)",
};

const nextID = idGen();

/** Shows an engine error next to the input, with the offending line and a caret under the spot. */
function showInputError(box, err, text, textarea) {
  box.replaceChildren();
  box.hidden = false;
  const off = typeof err.offset === "number" ? err.offset : -1;
  const where = [];
  let lineNo = 0;
  let col = 0;
  let idx = -1;
  if (off >= 0 && text) {
    idx = Math.min(byteToIndex(text, off), text.length);
    const before = text.slice(0, idx);
    lineNo = before.split("\n").length;
    col = idx - (before.lastIndexOf("\n") + 1) + 1;
    where.push(`line ${lineNo}, column ${col} (byte offset ${off})`);
  }
  // The engine prefixes fields of the pasted text with "text: "; a bare line number is already said.
  const field = (err.field || "").replace(/^text: /, "");
  if (field && !/^line \d+$/.test(field)) where.push(`field ${field}`);
  box.append(h("p", { class: "lab-error" },
    "Could not read this list",
    where.length ? ` at ${where.join(", ")}` : "",
    ": ", err.message));
  if (idx >= 0) {
    const start = text.lastIndexOf("\n", idx - 1) + 1;
    let end = text.indexOf("\n", idx);
    if (end < 0) end = text.length;
    let line = text.slice(start, end).replace(/\r$/, "");
    let caretAt = idx - start;
    // Keep very long lines readable: show 60 characters either side of the spot.
    if (line.length > 120) {
      const from = Math.max(0, caretAt - 60);
      line = (from > 0 ? "…" : "") + line.slice(from, from + 120);
      caretAt = caretAt - from + (from > 0 ? 1 : 0);
    }
    box.append(h("pre", { class: "lab-mono pt-caret", "aria-label": `Line ${lineNo} of your input with a marker under column ${col}` },
      line + "\n" + " ".repeat(Math.max(0, caretAt)) + "^"));
    if (textarea) {
      textarea.setAttribute("aria-invalid", "true");
      // Put the cursor where the problem is, without stealing focus from the button.
      try { textarea.setSelectionRange(idx, idx); } catch { /* not focusable yet */ }
    }
  }
}

/** Renders a process tree as nested lists of buttons; returns {el, select(pid)}. */
function renderTree(roots, { label, onSelect, flagged }) {
  const tree = h("ul", { class: "pt-tree", role: "list", "aria-label": label });
  const byPID = new Map();

  const build = (node, ul) => {
    const li = h("li", { class: "pt-item" });
    const hasKids = node.children && node.children.length > 0;
    const kidsID = nextID("pt-kids");
    let toggle = null;
    if (hasKids) {
      toggle = h("button", {
        type: "button", class: "pt-toggle", "aria-expanded": "true", "aria-controls": kidsID,
        "aria-label": `Hide the ${node.children.length} processes started by ${node.name} (PID ${node.pid})`,
      }, h("span", { "aria-hidden": "true", text: "▾" }));
    } else {
      li.append(h("span", { class: "pt-leaf", "aria-hidden": "true", text: "·" }));
    }
    const nflags = flagged ? (flagged.get(node.pid) || []).length : 0;
    const btn = h("button", { type: "button", class: "pt-node" + (nflags ? " pt-flagged" : ""), "data-pid": node.pid, "aria-pressed": "false" },
      h("span", { class: "pt-name", text: node.name || "(no name)" }),
      h("span", { class: "pt-pid", text: ` ${node.pid}` }),
      node.session !== null && node.session !== undefined ? h("span", { class: "pt-sess", text: ` s${node.session}` }) : null,
      node.parent === "exited" || node.parent === "reused" ? h("span", { class: "pt-tag", text: node.parent === "reused" ? "parent PID reused" : "parent exited" }) : null,
      nflags ? h("span", { class: "pt-tag pt-tag-bad", text: `${nflags} finding${nflags > 1 ? "s" : ""}` }) : null);
    btn.addEventListener("click", () => select(node.pid));
    if (toggle) li.append(toggle);
    li.append(btn);
    byPID.set(node.pid, { node, btn, li });
    if (hasKids) {
      const sub = h("ul", { class: "pt-kids", id: kidsID, role: "list" });
      for (const c of node.children) build(c, sub);
      li.append(sub);
      toggle.addEventListener("click", () => setOpen(li, toggle.getAttribute("aria-expanded") !== "true"));
    }
    ul.append(li);
  };

  const setOpen = (li, open) => {
    const toggle = li.querySelector(":scope > .pt-toggle");
    const sub = li.querySelector(":scope > .pt-kids");
    if (!toggle || !sub) return;
    toggle.setAttribute("aria-expanded", String(open));
    sub.hidden = !open;
    const name = li.querySelector(":scope > .pt-node .pt-name").textContent;
    const pid = li.querySelector(":scope > .pt-node").dataset.pid;
    const n = sub.children.length;
    toggle.setAttribute("aria-label", `${open ? "Hide" : "Show"} the ${n} processes started by ${name} (PID ${pid})`);
    toggle.firstChild.textContent = open ? "▾" : "▸";
  };

  let current = null;
  const select = (pid) => {
    const it = byPID.get(pid);
    if (!it) return;
    if (current) current.setAttribute("aria-pressed", "false");
    it.btn.setAttribute("aria-pressed", "true");
    current = it.btn;
    onSelect?.(it.node);
  };

  for (const r of roots) build(r, tree);

  // Arrow keys move between the process buttons that are visible, like a file tree:
  // Up/Down to the previous/next, Right opens or goes to the first child, Left closes or goes
  // to the parent, Home/End to the first/last.
  tree.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (!(t instanceof HTMLElement) || !t.matches(".pt-node, .pt-toggle")) return;
    const li = t.closest("li");
    const visible = [...tree.querySelectorAll(".pt-node")].filter((b) => b.offsetParent !== null);
    const nodeBtn = li.querySelector(":scope > .pt-node");
    const i = visible.indexOf(nodeBtn);
    let target = null;
    switch (ev.key) {
      case "ArrowDown": target = visible[i + 1]; break;
      case "ArrowUp": target = visible[i - 1]; break;
      case "Home": target = visible[0]; break;
      case "End": target = visible[visible.length - 1]; break;
      case "ArrowRight": {
        const tg = li.querySelector(":scope > .pt-toggle");
        if (tg && tg.getAttribute("aria-expanded") !== "true") { setOpen(li, true); target = nodeBtn; }
        else if (tg) target = li.querySelector(":scope > .pt-kids > li > .pt-node");
        break;
      }
      case "ArrowLeft": {
        const tg = li.querySelector(":scope > .pt-toggle");
        if (tg && tg.getAttribute("aria-expanded") === "true") { setOpen(li, false); target = nodeBtn; }
        else target = li.parentElement.closest("li")?.querySelector(":scope > .pt-node");
        break;
      }
      default: return;
    }
    ev.preventDefault();
    target?.focus();
  });

  const setAll = (open) => tree.querySelectorAll("li").forEach((li) => setOpen(li, open));
  return { el: tree, select, setAll, byPID };
}

function treeToolbar(t) {
  return h("div", { class: "pt-toolbar" },
    h("button", { type: "button", class: "secondary", onclick: () => t.setAll(true) }, "Expand all"),
    h("button", { type: "button", class: "secondary", onclick: () => t.setAll(false) }, "Collapse all"),
    h("span", { class: "pt-hint", text: "Keyboard: Tab to a process, then arrow keys to move, open and close." }));
}

const dl = (rows) => factsList(rows, "pt-facts");

/** The explanation panel of one process: what the list says, and what is normal for it. */
function explain(node, profiles, findings) {
  const prof = node.profile ? profiles.get(node.profile) : null;
  const out = [h("h3", { tabindex: "-1", class: "pt-detail-title" }, `${node.name} (PID ${node.pid})`)];
  out.push(dl([
    ["Parent", node.ppid === null || node.ppid === undefined ? PARENT_TEXT[node.parent] || node.parent
      : `PID ${node.ppid}${node.parentName ? ` (${node.parentName})` : ""}: ${PARENT_TEXT[node.parent] || node.parent}`],
    ["Session", node.session === null || node.session === undefined ? "unknown" : String(node.session)],
    ["Created (UTC)", node.created || ""],
    ["Path", node.path ? h("code", { class: "pt-wrap" }, node.path) : ""],
    ["Command line", node.commandLine ? h("code", { class: "pt-wrap" }, node.commandLine) : ""],
    ["User", node.user || ""],
  ]));
  const mine = (findings || []).filter((f) => f.pid === node.pid);
  if (mine.length) {
    out.push(h("h4", { text: "Findings" }));
    out.push(h("ul", { class: "pt-findlist" }, mine.map((f) =>
      h("li", {}, claim(f.basis), h("strong", { text: f.rule }), ": ", f.why, " ", h("span", { class: "pt-muted" }, "Topic: "), topicRef(f.topic)))));
  }
  if (prof) {
    out.push(h("h4", {}, "What is normal for ", h("code", {}, prof.name), " ", claim(prof.basis)));
    out.push(h("p", { text: prof.role }));
    out.push(dl([
      ["Started by", prof.startedBy],
      ["Session", prof.session],
      ["Account", prof.account],
      ["Integrity level", prof.integrity],
      ["Usual path", h("code", { class: "pt-wrap" }, prof.path)],
      ["Normal instances", prof.instances],
      ["Topic", topicRef(prof.topic)],
    ]));
    if (prof.sources?.length) {
      out.push(h("p", { class: "pt-sources" }, "Sources: ",
        prof.sources.map((s, i) => [i ? "; " : "", h("a", { href: s.url, rel: "noopener" }, s.title), " ", claim(s.basis)])));
    }
  } else {
    out.push(h("p", { class: "pt-muted", text: "This lab has no profile for this image: it is not one of the boot and system processes whose parent, path and count are predictable. Judge it by its path, signature and parent." }));
  }
  return out;
}

/** A tree with an explanation panel beside it. */
function treeWithPanel(roots, { label, profiles, findings, intro }) {
  const panel = h("div", { class: "pt-detail", "aria-live": "polite" },
    h("p", { class: "pt-muted", text: intro || "Choose a process to see who starts it, in which session and as which account it runs, where its image lives and how many copies are normal." }));
  const flagged = new Map();
  for (const f of findings || []) flagged.set(f.pid, [...(flagged.get(f.pid) || []), f]);
  const t = renderTree(roots, {
    label, flagged,
    onSelect: (node) => {
      panel.replaceChildren(...explain(node, profiles, findings));
      // In the one-column layout the explanation sits below the whole tree: bring it into view.
      if (window.matchMedia("(max-width: 760px)").matches) panel.scrollIntoView({ block: "nearest" });
    },
  });
  const wrap = h("div", { class: "pt-split" }, h("div", { class: "pt-treebox" }, treeToolbar(t), t.el), panel);
  return { el: wrap, tree: t, panel };
}

/** Decodes a file the way the engine's documentation promises: BOMs, UTF-16 without BOM, OEM text. */
function decodeFile(buf) {
  const b = new Uint8Array(buf);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder("utf-16le").decode(b);
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder("utf-16be").decode(b);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder("utf-8").decode(b);
  // UTF-16 LE without BOM: ASCII text has a zero in every odd byte.
  if (b.length >= 4 && b[1] === 0 && b[3] === 0 && b[0] !== 0) return new TextDecoder("utf-16le").decode(b);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    // cmd.exe writes tasklist in the OEM code page; read it byte per character.
    return new TextDecoder("windows-1252").decode(b);
  }
}

function findingsTable(findings) {
  if (!findings.length) {
    return h("p", { class: "lab-verdict ok", text: "No findings: every known process has the expected parent, path, session and count." });
  }
  const table = h("table", { class: "lab-table pt-findings" },
    h("caption", { text: `${findings.length} finding${findings.length > 1 ? "s" : ""}` }),
    h("thead", {}, h("tr", {}, ["PID", "Process", "Rule", "Why it matters", "Topic", "Basis"].map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, findings.map((f) => h("tr", { "data-rule": f.rule, "data-pid": f.pid },
      h("td", { text: String(f.pid) }),
      h("td", {}, h("code", {}, f.name)),
      h("td", {}, h("code", {}, f.rule)),
      h("td", { text: f.why }),
      h("td", {}, topicRef(f.topic)),
      h("td", {}, claim(f.basis))))));
  return h("div", { class: "lab-scroll" }, table);
}

export async function mount(el, api) {
  const [sample, profRes, exRes] = await Promise.all([
    api.run("sample", {}),
    api.run("profiles", {}),
    api.run("exercises", {}),
  ]);
  const profiles = new Map(profRes.profiles.map((p) => [p.name, p]));

  // --- Tabs: sample, your list, exercises -------------------------------------------------
  const panels = {};
  const tabs = h("div", { class: "lab-tabs", role: "tablist", "aria-label": "Parts of this lab" });
  const names = [["sample", "Sample boot tree"], ["mine", "Your process list"], ["exercises", "Exercises"]];
  const tabButtons = names.map(([id, label]) => {
    const b = h("button", { type: "button", role: "tab", id: `pt-tab-${id}`, "aria-controls": `pt-panel-${id}`, "aria-selected": "false", tabindex: "-1", "data-tab": id }, label);
    b.addEventListener("click", () => show(id));
    return b;
  });
  tabs.append(...tabButtons);
  tabs.addEventListener("keydown", (ev) => {
    const i = tabButtons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (ev.key === "ArrowRight") j = (i + 1) % tabButtons.length;
    if (ev.key === "ArrowLeft") j = (i + tabButtons.length - 1) % tabButtons.length;
    if (ev.key === "Home") j = 0;
    if (ev.key === "End") j = tabButtons.length - 1;
    if (j === null) return;
    ev.preventDefault();
    show(names[j][0]);
    tabButtons[j].focus();
  });
  const show = (id) => {
    for (const b of tabButtons) {
      const on = b.dataset.tab === id;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    }
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== id;
  };
  for (const [id] of names) {
    panels[id] = h("div", { role: "tabpanel", id: `pt-panel-${id}`, "aria-labelledby": `pt-tab-${id}`, class: "pt-panel" });
  }

  // --- Sample ------------------------------------------------------------------------------
  const sp = panels.sample;
  sp.append(
    h("p", {}, claim("model"), " ", h("strong", { text: "Sample, not your machine: " }),
      `a typical Windows 11 machine a few minutes after one user signed in (${sample.count} processes; PIDs and times are invented, the shape is what Process Explorer shows). `,
      "Parents marked “parent exited” were started by a copy of smss.exe or by userinit.exe that has already exited, which is normal."));
  const sv = treeWithPanel(sample.tree, { label: "Sample Windows 11 process tree", profiles, findings: sample.findings });
  sv.el.dataset.view = "sample";
  sp.append(sv.el);

  // --- Your list ---------------------------------------------------------------------------
  const mp = panels.mine;
  const taID = nextID("pt-text");
  const fileID = nextID("pt-file");
  const fmtID = nextID("pt-fmt");
  const textarea = h("textarea", { id: taID, rows: "8", spellcheck: "false", autocomplete: "off", "aria-describedby": `${taID}-help`,
    placeholder: '[{"ProcessId":4,"ParentProcessId":0,"Name":"System",…}]  or  "Image Name","PID","Session Name",…' });
  const fileInput = h("input", { type: "file", id: fileID, accept: ".json,.csv,.txt,application/json,text/csv,text/plain" });
  const fmt = h("select", { id: fmtID },
    h("option", { value: "auto", text: "Detect automatically" }),
    h("option", { value: "cim-json", text: "Get-CimInstance … | ConvertTo-Json" }),
    h("option", { value: "tasklist-csv", text: "tasklist /v /fo csv" }));
  const analyse = h("button", { type: "button", "data-action": "analyse" }, "Analyse my list");
  const errBox = h("div", { class: "pt-error", hidden: true, role: "alert" });
  const result = h("div", { class: "pt-result", "aria-live": "polite" });
  mp.append(
    h("p", {}, "Run one of these on your Windows machine (as administrator, for the paths of protected processes), then paste the output or open the file. It is analysed here, in your browser; nothing is uploaded."),
    h("pre", { class: "lab-mono pt-cmd" }, "Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name,SessionId,CreationDate,ExecutablePath,CommandLine | ConvertTo-Json"),
    h("pre", { class: "lab-mono pt-cmd" }, "tasklist /v /fo csv > procs.csv"),
    h("label", { for: taID, text: "Process list (JSON from Get-CimInstance, or CSV from tasklist)" }),
    textarea,
    h("p", { id: `${taID}-help`, class: "pt-muted", text: "Windows PowerShell 5.1 and PowerShell 7 JSON both work; UTF-16 files from “>” in PowerShell are decoded when you open them." }),
    h("div", { class: "lab-row" },
      h("div", {}, h("label", { for: fileID, text: "…or open a file" }), fileInput),
      h("div", {}, h("label", { for: fmtID, text: "Format" }), fmt)),
    analyse, errBox, result);

  const runImport = async () => {
    const text = textarea.value;
    errBox.hidden = true;
    errBox.replaceChildren();
    textarea.removeAttribute("aria-invalid");
    result.replaceChildren();
    if (!text.trim()) {
      showInputError(errBox, { message: "paste a process list or open a file first", offset: -1, field: "" }, "", null);
      return;
    }
    analyse.disabled = true;
    try {
      const rep = await api.run("import", { format: fmt.value, text });
      const head = h("p", { class: "pt-summary" },
        `Read ${rep.count} processes (${rep.format === "cim-json" ? "Get-CimInstance JSON" : "tasklist CSV"}). `,
        rep.findings.length ? `${rep.findings.length} finding${rep.findings.length > 1 ? "s" : ""}.` : "No findings.");
      const notes = rep.notes?.length ? h("ul", { class: "pt-notes" }, rep.notes.map((n) => h("li", { text: n }))) : null;
      const tv = treeWithPanel(rep.tree, { label: "Your process tree", profiles, findings: rep.findings,
        intro: "Choose a process to compare it with what is normal. Processes with findings are marked." });
      tv.el.dataset.view = "mine";
      result.append(...[head, findingsTable(rep.findings), notes, h("h3", { text: "Your tree" }), tv.el].filter(Boolean));
    } catch (e) {
      showInputError(errBox, e, text, textarea);
    } finally {
      analyse.disabled = false;
    }
  };
  analyse.addEventListener("click", runImport);
  fileInput.addEventListener("change", async () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    if (f.size > 16 << 20) {
      showInputError(errBox, { message: `the file is ${Math.round(f.size / 1048576)} MiB; this lab reads at most 16 MiB`, offset: -1, field: "" }, "", null);
      return;
    }
    textarea.value = decodeFile(await f.arrayBuffer());
    await runImport();
  });

  // --- Exercises ---------------------------------------------------------------------------
  const ep = panels.exercises;
  ep.append(h("p", { text: "Prepared trees, checked by the engine. Answer first, then read why." }));
  exRes.exercises.forEach((ex, i) => ep.append(exercise(ex, i, api, profiles)));

  el.append(tabs, ...Object.values(panels));
  show("sample");
}

function exercise(ex, index, api, profiles) {
  // Each exercise folds away (details/summary), so five prepared trees do not make one endless page.
  const title = ex.kind === "session-0" ? "Which processes are in session 0?" : "Find the odd one out";
  const box = h("details", { class: "lab-exercise pt-exercise", "data-exercise": ex.id, open: index === 0 },
    h("summary", {}, h("span", { class: "pt-ex-title", text: `${index + 1}. ${title}` }), h("span", { class: "pt-ex-q", text: ` — ${ex.question}` })));
  const verdict = h("div", { class: "pt-verdict", "aria-live": "polite" });
  let answer;
  if (ex.choices) {
    const fs = h("fieldset", { class: "pt-choices" }, h("legend", { text: "Tick every process in session 0" }));
    for (const c of ex.choices) {
      const id = nextID("pt-c");
      fs.append(h("div", { class: "pt-choice" },
        h("input", { type: "checkbox", id, value: String(c.pid) }),
        h("label", { for: id }, h("code", {}, c.name), ` PID ${c.pid}`, c.commandLine ? h("span", { class: "pt-cmdline", text: ` — ${c.commandLine}` }) : null)));
    }
    box.append(fs);
    answer = () => [...fs.querySelectorAll("input:checked")].map((i) => Number(i.value));
  } else {
    // The prepared tree without its analysis: the learner has to spot the problem.
    const tv = treeWithPanel(ex.tree || [], { label: `Tree for the exercise: ${title}`, profiles, findings: [],
      intro: "Choose a process to see what the list says about it and what is normal for its name." });
    box.append(tv.el);
    const selID = nextID("pt-sel");
    const all = [];
    const walk = (ns) => ns.forEach((n) => { all.push(n); walk(n.children || []); });
    walk(ex.tree || []);
    all.sort((a, b) => a.pid - b.pid);
    const sel = h("select", { id: selID },
      h("option", { value: "", text: "Choose a process…" }),
      all.map((n) => h("option", { value: String(n.pid), text: `${n.pid} ${n.name}` })));
    box.append(h("label", { for: selID, text: "Your answer: the odd process" }), sel);
    answer = () => (sel.value ? [Number(sel.value)] : []);
  }
  const btn = h("button", { type: "button", "data-action": "check" }, "Check my answer");
  btn.addEventListener("click", async () => {
    verdict.replaceChildren();
    try {
      const r = await api.run("check", { exercise: ex.id, pids: answer() });
      const list = (pids) => pids.length ? pids.join(", ") : "none";
      verdict.append(...[
        h("p", { class: `lab-verdict ${r.correct ? "ok" : "bad"}`, text: r.correct ? "Right." : "Not quite." }),
        r.correct ? null : h("p", {}, `Expected PID ${list(r.expected)}. `,
          r.missing?.length ? `Missing: ${list(r.missing)}. ` : "",
          r.unexpected?.length ? `Should not be there: ${list(r.unexpected)}.` : ""),
        h("p", { class: "pt-why", text: r.explanation }),
        r.findings?.length ? h("p", {}, "What the rules say: ", r.findings.map((f, i) => [i ? "; " : "", claim(f.basis), ` ${f.rule} (PID ${f.pid}) — topic `, topicRef(f.topic)])) : null,
      ].filter(Boolean));
    } catch (e) {
      verdict.append(h("p", { class: "lab-error", text: e.message }));
    }
  });
  box.append(btn, verdict);
  return box;
}
