// Access check simulator: runs the access engine (WebAssembly, in this browser) on a security
// descriptor, a token (a preset or the learner's own `whoami /all`) and the desired access, and
// shows every step with the documented rule. DOM APIs only: no markup strings, no inline styles.

import { badge, byteErrorBox, h } from "./dom.js";

const TYPES = [
  ["file", "File"],
  ["directory", "Directory (folder)"],
  ["key", "Registry key"],
  ["process", "Process"],
  ["service", "Service"],
  ["generic", "Generic object"],
];

// Named rights per object type (winnt.h / the object's access-rights page), low bits first.
const SPECIFIC = {
  file: [["FILE_READ_DATA", 0x1], ["FILE_WRITE_DATA", 0x2], ["FILE_APPEND_DATA", 0x4], ["FILE_READ_EA", 0x8],
    ["FILE_WRITE_EA", 0x10], ["FILE_EXECUTE", 0x20], ["FILE_DELETE_CHILD", 0x40], ["FILE_READ_ATTRIBUTES", 0x80],
    ["FILE_WRITE_ATTRIBUTES", 0x100]],
  directory: [["FILE_LIST_DIRECTORY", 0x1], ["FILE_ADD_FILE", 0x2], ["FILE_ADD_SUBDIRECTORY", 0x4], ["FILE_READ_EA", 0x8],
    ["FILE_WRITE_EA", 0x10], ["FILE_TRAVERSE", 0x20], ["FILE_DELETE_CHILD", 0x40], ["FILE_READ_ATTRIBUTES", 0x80],
    ["FILE_WRITE_ATTRIBUTES", 0x100]],
  key: [["KEY_QUERY_VALUE", 0x1], ["KEY_SET_VALUE", 0x2], ["KEY_CREATE_SUB_KEY", 0x4], ["KEY_ENUMERATE_SUB_KEYS", 0x8],
    ["KEY_NOTIFY", 0x10], ["KEY_CREATE_LINK", 0x20]],
  process: [["PROCESS_TERMINATE", 0x1], ["PROCESS_CREATE_THREAD", 0x2], ["PROCESS_SET_SESSIONID", 0x4],
    ["PROCESS_VM_OPERATION", 0x8], ["PROCESS_VM_READ", 0x10], ["PROCESS_VM_WRITE", 0x20], ["PROCESS_DUP_HANDLE", 0x40],
    ["PROCESS_CREATE_PROCESS", 0x80], ["PROCESS_SET_QUOTA", 0x100], ["PROCESS_SET_INFORMATION", 0x200],
    ["PROCESS_QUERY_INFORMATION", 0x400], ["PROCESS_SUSPEND_RESUME", 0x800], ["PROCESS_QUERY_LIMITED_INFORMATION", 0x1000]],
  service: [["SERVICE_QUERY_CONFIG", 0x1], ["SERVICE_CHANGE_CONFIG", 0x2], ["SERVICE_QUERY_STATUS", 0x4],
    ["SERVICE_ENUMERATE_DEPENDENTS", 0x8], ["SERVICE_START", 0x10], ["SERVICE_STOP", 0x20], ["SERVICE_PAUSE_CONTINUE", 0x40],
    ["SERVICE_INTERROGATE", 0x80], ["SERVICE_USER_DEFINED_CONTROL", 0x100]],
  generic: [],
};
const STANDARD = [["DELETE", 0x10000], ["READ_CONTROL", 0x20000], ["WRITE_DAC", 0x40000], ["WRITE_OWNER", 0x80000],
  ["SYNCHRONIZE", 0x100000], ["ACCESS_SYSTEM_SECURITY", 0x1000000]];
const GENERIC = [["GENERIC_READ", 0x80000000], ["GENERIC_WRITE", 0x40000000], ["GENERIC_EXECUTE", 0x20000000],
  ["GENERIC_ALL", 0x10000000]];
const MAXIMUM_ALLOWED = 0x2000000;

const LEVELS = { "S-1-16-0": "Untrusted", "S-1-16-4096": "Low", "S-1-16-8192": "Medium", "S-1-16-8448": "Medium Plus",
  "S-1-16-12288": "High", "S-1-16-16384": "System", "S-1-16-20480": "Protected process" };

let uid = 0;

const hex = (n) => "0x" + (n >>> 0).toString(16).padStart(8, "0");

/** errorBox: the engine's message, and the offending line of the input with a caret under the byte. */
function errorBox(err, input, what) {
  return byteErrorBox(err, input, what, { prefix: "access", where: accessWhere });
}

function accessWhere(err, off) {
  const where = [err.field ? `in ${err.field}` : "", off >= 0 ? `at byte offset ${off}` : ""].filter(Boolean).join(", ");
  return where ? " (" + where + ")" : "";
}

function levelName(sid) {
  return LEVELS[sid] ? `${LEVELS[sid]} (${sid})` : sid || "Medium (default)";
}

/** tokenView shows what the access check will use: user, groups and attributes, label, privileges. */
function tokenView(tok, warnings, source) {
  const wrap = h("div", { class: "access-token", "data-token": "" });
  wrap.append(h("p", { class: "access-token-head" }, h("strong", {}, source), " — user ",
    h("span", { class: "lab-mono", "data-token-user": "" }, tok.userName ? `${tok.userName} ` : ""),
    h("span", { class: "lab-mono access-sid" }, tok.user),
    tok.userDenyOnly ? " (deny-only)" : "",
    "; integrity ", h("span", { "data-token-integrity": "" }, levelName(tok.integrity))));
  const table = h("table", { class: "lab-table access-groups" });
  table.append(h("caption", { class: "access-caption" }, `${tok.groups.length} groups`));
  table.append(h("thead", {}, h("tr", {}, ["Group", "SID", "In the access check"].map((c) => h("th", { scope: "col" }, c)))));
  const tb = h("tbody", {});
  for (const g of tok.groups) {
    const a = g.attributes || [];
    let use;
    let cls;
    if (a.includes("deny-only")) { use = "deny-only: matches deny ACEs, never allow ACEs"; cls = "deny-only"; }
    else if (a.includes("enabled")) { use = "enabled: matches allow and deny ACEs"; cls = "enabled"; }
    else { use = "disabled: ignored"; cls = "disabled"; }
    const extra = a.filter((x) => x !== "enabled" && x !== "deny-only");
    tb.append(h("tr", { class: `access-group-${cls}`, "data-group": g.sid },
      h("td", {}, g.name || ""), h("td", { class: "lab-mono access-sid" }, g.sid),
      h("td", {}, use, extra.length ? h("div", { class: "access-muted" }, extra.join(", ")) : null)));
  }
  table.append(tb);
  wrap.append(h("div", { class: "lab-scroll" }, table));
  const privs = tok.privileges || [];
  if (privs.length) {
    const d = h("details", { class: "access-privs" }, h("summary", {}, `${privs.length} privileges (${privs.filter((p) => p.enabled).length} enabled)`));
    d.append(h("ul", {}, privs.map((p) => h("li", {}, h("span", { class: "lab-mono" }, p.name), p.enabled ? " — enabled" : " — present, disabled"))));
    wrap.append(d);
  } else {
    wrap.append(h("p", { class: "access-muted" }, "No privileges."));
  }
  if (tok.restrictedSids && tok.restrictedSids.length) wrap.append(h("p", {}, "Restricting SIDs (second pass): ", h("span", { class: "lab-mono" }, tok.restrictedSids.join(", "))));
  if (tok.appContainer) wrap.append(h("p", {}, "AppContainer package: ", h("span", { class: "lab-mono access-sid" }, tok.appContainer)));
  if (tok.capabilities && tok.capabilities.length) wrap.append(h("p", {}, "Capabilities: ", h("span", { class: "lab-mono access-sid" }, tok.capabilities.join(", "))));
  if (warnings && warnings.length) {
    wrap.append(h("ul", { class: "access-warnings" }, warnings.map((w) => h("li", {}, `line ${w.line}: ${w.message}`))));
  }
  return wrap;
}

const EFFECT_LABEL = { grant: "grants", deny: "denies", skip: "skipped", info: "note" };

/** resultView: the verdict, the granted mask decoded, then every step with its rule and page. */
function resultView(r) {
  const wrap = h("div", { class: "access-result" });
  wrap.append(h("div", { class: `lab-verdict access-verdict ${r.granted ? "granted" : "denied"}`, "data-verdict": r.granted ? "granted" : "denied" },
    r.granted ? "ACCESS GRANTED" : "ACCESS DENIED"));
  const masks = h("p", { class: "access-masks" }, "Desired ", h("span", { class: "lab-mono" }, r.desiredMask),
    " (after generic mapping) · granted ", h("span", { class: "lab-mono", "data-granted-mask": "" }, r.grantedMask));
  wrap.append(masks);
  if (r.grantedRights && r.grantedRights.length) {
    wrap.append(h("p", { class: "access-granted-rights" }, "Granted rights: ", r.grantedRights.map((n, i) => [i ? ", " : "", h("span", { class: "lab-mono" }, n)])));
  } else if (!r.granted) {
    wrap.append(h("p", { class: "access-muted" }, "A failed check grants nothing: the handle is not opened."));
  }
  wrap.append(h("h3", {}, "Step by step"));
  const ol = h("ol", { class: "lab-trace access-steps" });
  r.steps.forEach((s, i) => {
    const li = h("li", { class: `access-step access-${s.effect}${s.effect === "grant" || s.effect === "deny" ? " hit" : ""}`, "data-step": i, "data-rule": s.rule });
    const head = h("div", { class: "access-step-head" },
      h("span", { class: `access-effect access-effect-${s.effect}` }, s.phase === "result" ? "result" : EFFECT_LABEL[s.effect] || s.effect),
      " ", h("span", { class: "access-phase" }, s.phase),
      s.aceText ? [" · ACE ", String(s.ace), " ", h("code", {}, s.aceText)] : null);
    li.append(head, h("p", { class: "access-msg" }, s.message));
    const meta = h("p", { class: "access-meta" });
    meta.append(s.model ? badge("model") : badge("documented"), " rule ", h("span", { class: "lab-mono" }, s.rule));
    if (s.sid) {
      const matched = s.phase !== "result" && (s.effect === "grant" || s.effect === "deny");
      meta.append(matched ? " · matched token SID " : " · ACE SID ", h("span", { class: "lab-mono access-sid" }, s.sid));
    }
    if (s.mask) meta.append(" · mask ", h("span", { class: "lab-mono" }, s.mask));
    if (s.doc) meta.append(" · ", h("a", { href: s.doc, rel: "noopener" }, "the rule on Microsoft Learn"));
    li.append(meta);
    ol.append(li);
  });
  wrap.append(ol);
  return wrap;
}

export async function mount(el, api) {
  const n = ++uid;
  const ids = {};
  for (const k of ["sample", "type", "sd", "sdhint", "token", "whoami", "mask", "maskhint"]) ids[k] = `access-${k}-${n}`;

  // --- inputs -------------------------------------------------------------------------------
  const sampleSel = h("select", { id: ids.sample }, h("option", { value: "" }, "— paste your own —"));
  const typeSel = h("select", { id: ids.type });
  for (const [v, t] of TYPES) typeSel.append(h("option", { value: v }, t));
  const sdText = h("textarea", { id: ids.sd, rows: "3", spellcheck: "false", autocomplete: "off", "aria-describedby": ids.sdhint,
    "data-sd": "", placeholder: "O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)" });
  sdText.value = "O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)";
  const sdNote = h("p", { class: "access-muted", hidden: true });
  const sdErr = h("div", { "aria-live": "polite" });

  const tokenSel = h("select", { id: ids.token, "data-token-source": "" });
  const whoamiBox = h("div", { class: "access-whoami", hidden: true });
  const whoamiText = h("textarea", { id: ids.whoami, rows: "8", spellcheck: "false", autocomplete: "off", "data-whoami": "",
    placeholder: "USER INFORMATION\n----------------\n…" });
  const importBtn = h("button", { type: "button", class: "secondary" }, "Read my token");
  whoamiBox.append(h("label", { for: ids.whoami }, "Your whoami /all output (English)"), whoamiText,
    h("p", { class: "access-muted" }, "In a Command Prompt run ", h("code", {}, "whoami /all | clip"),
      " and paste here with Ctrl+V. It is read by the engine in this page; nothing is uploaded."),
    importBtn);
  const tokenOut = h("div", { class: "access-token-out", "aria-live": "polite" });

  const rightsBox = h("fieldset", { class: "access-rights" });
  const maskIn = h("input", { type: "text", id: ids.mask, value: "0x00120089", spellcheck: "false", autocomplete: "off",
    "aria-describedby": ids.maskhint, "data-mask": "" });
  const maskErr = h("div", { "aria-live": "polite" });

  const predict = h("fieldset", { class: "access-predict" }, h("legend", {}, "Your prediction (optional, checked by the engine)"));
  for (const [v, t] of [["", "No prediction"], ["granted", "Granted"], ["denied", "Denied"]]) {
    const rid = `access-pred-${v || "none"}-${n}`;
    predict.append(h("span", { class: "access-radio" },
      h("input", { type: "radio", name: `access-pred-${n}`, id: rid, value: v, checked: v === "" }),
      h("label", { for: rid }, t)));
  }
  const runBtn = h("button", { type: "button", "data-run": "" }, "Run access check");
  const out = h("div", { class: "access-out", "aria-live": "polite", "data-access-out": "" });

  el.append(
    h("h3", {}, "1. The object"),
    h("div", { class: "lab-row" },
      h("div", {}, h("label", { for: ids.sample }, "Sample descriptor"), sampleSel),
      h("div", {}, h("label", { for: ids.type }, "Object type"), typeSel)),
    sdNote,
    h("label", { for: ids.sd }, "Security descriptor (SDDL)"), sdText,
    h("p", { id: ids.sdhint, class: "access-muted" }, "From ", h("code", {}, "(Get-Acl <path>).Sddl"), " or the ACL & SDDL lab."),
    sdErr,
    h("h3", {}, "2. The token"),
    h("label", { for: ids.token }, "Who asks"), tokenSel,
    whoamiBox, tokenOut,
    h("h3", {}, "3. The access asked for"),
    rightsBox,
    h("label", { for: ids.mask }, "Desired access mask"), maskIn,
    h("p", { id: ids.maskhint, class: "access-muted" }, "Hex (0x00120089), SDDL rights (FR, GA) or names joined with | (READ_CONTROL|WRITE_DAC). The checkboxes edit this mask."),
    maskErr,
    predict, runBtn, out);

  // --- data from the engine -----------------------------------------------------------------
  let presets = [];
  try {
    presets = await api.run("presets", {});
  } catch (e) {
    tokenOut.replaceChildren(errorBox(e, "", "preset list"));
  }
  for (const p of presets) tokenSel.append(h("option", { value: p.name }, `Preset: ${p.title}`));
  tokenSel.append(h("option", { value: "whoami" }, "My own token (paste whoami /all)"));

  // The sample descriptors belong to the sddl engine, which the same WebAssembly bundle in this
  // page also runs; nothing goes to the server.
  let samples = [];
  if (typeof globalThis.ntatlasLab === "function") {
    try {
      const env = JSON.parse(globalThis.ntatlasLab("sddl", "samples", "{}"));
      samples = env.result || [];
    } catch (_) {
      samples = [];
    }
  }
  for (const s of samples) sampleSel.append(h("option", { value: s.id }, `Sample: ${s.title}`));

  // --- desired access -------------------------------------------------------------------------
  function parseHexMask() {
    const v = maskIn.value.trim();
    return /^0x[0-9a-f]{1,8}$/i.test(v) ? parseInt(v, 16) >>> 0 : null;
  }
  function syncChecks() {
    const m = parseHexMask();
    for (const cb of rightsBox.querySelectorAll("input[type=checkbox]")) {
      const bit = Number(cb.dataset.bit) >>> 0;
      cb.checked = m !== null && (m & bit) === bit;
      cb.indeterminate = m === null;
    }
  }
  function buildRights() {
    rightsBox.replaceChildren(h("legend", {}, "Rights to ask for"));
    const groups = [
      [`${TYPES.find((t) => t[0] === typeSel.value)[1]} rights`, SPECIFIC[typeSel.value] || []],
      ["Standard rights", STANDARD],
      ["Generic rights (mapped per object type)", GENERIC],
      ["Special", [["MAXIMUM_ALLOWED", MAXIMUM_ALLOWED]]],
    ];
    for (const [title, list] of groups) {
      if (!list.length) continue;
      const g = h("div", { class: "access-rightgroup" }, h("p", { class: "access-rightgroup-title" }, title));
      for (const [name, bit] of list) {
        const cid = `access-r-${name}-${n}`;
        const cb = h("input", { type: "checkbox", id: cid, "data-bit": String(bit >>> 0), "data-right": name });
        cb.addEventListener("change", () => {
          let m = parseHexMask();
          if (m === null) m = 0;
          m = cb.checked ? (m | bit) >>> 0 : (m & ~bit) >>> 0;
          maskIn.value = hex(m);
          syncChecks();
        });
        g.append(h("span", { class: "access-check" }, cb, h("label", { for: cid, class: "lab-mono" }, name)));
      }
      rightsBox.append(g);
    }
    syncChecks();
  }
  maskIn.addEventListener("input", syncChecks);
  typeSel.addEventListener("change", buildRights);
  buildRights();

  // --- token ----------------------------------------------------------------------------------
  async function currentToken() {
    if (tokenSel.value !== "whoami") {
      const p = presets.find((x) => x.name === tokenSel.value);
      return p ? { token: p.token, warnings: [], source: `Preset: ${p.title}`, note: p.description } : null;
    }
    const text = whoamiText.value;
    if (!text.trim()) throw Object.assign(new Error("paste the output of whoami /all first"), { offset: -1, field: "whoami" });
    const r = await api.run("import-whoami", { text });
    return { token: r.token, warnings: r.warnings, source: "Your token (imported from whoami /all)" };
  }
  async function showToken() {
    try {
      const t = await currentToken();
      if (!t) return null;
      tokenOut.replaceChildren(tokenView(t.token, t.warnings, t.source));
      if (t.note) tokenOut.prepend(h("p", { class: "access-muted" }, t.note, " ", badge("observed"),
        " Groups and privileges as whoami /all shows them on Windows 10/11; user and package SIDs are example values."));
      return t;
    } catch (e) {
      tokenOut.replaceChildren(errorBox(e, whoamiText.value, "whoami /all text"));
      return null;
    }
  }
  tokenSel.addEventListener("change", () => {
    whoamiBox.hidden = tokenSel.value !== "whoami";
    if (tokenSel.value === "whoami" && !whoamiText.value.trim()) {
      tokenOut.replaceChildren();
      return;
    }
    showToken();
  });
  importBtn.addEventListener("click", showToken);
  await showToken();

  // --- samples --------------------------------------------------------------------------------
  sampleSel.addEventListener("change", () => {
    const s = samples.find((x) => x.id === sampleSel.value);
    if (!s) { sdNote.hidden = true; return; }
    sdText.value = s.sddl;
    typeSel.value = s.type;
    buildRights();
    sdNote.replaceChildren(h("strong", {}, "Sample: "), s.note);
    sdNote.hidden = false;
  });
  sdText.addEventListener("input", () => {
    const s = samples.find((x) => x.id === sampleSel.value);
    if (s && sdText.value !== s.sddl) { sampleSel.value = ""; sdNote.hidden = true; }
  });

  // --- run ------------------------------------------------------------------------------------
  async function run() {
    runBtn.disabled = true;
    sdErr.replaceChildren();
    maskErr.replaceChildren();
    out.replaceChildren();
    try {
      const t = await showToken();
      if (!t) {
        out.append(h("p", { class: "lab-error", role: "alert" }, "Fix the token first (see the message above)."));
        return;
      }
      const check = { sd: sdText.value, token: t.token, desired: maskIn.value, type: typeSel.value };
      const prediction = predict.querySelector("input:checked")?.value || "";
      let result;
      let judged = null;
      try {
        if (prediction) {
          judged = await api.run("exercise", { id: "custom", prediction, check });
          result = judged.checks[0].result;
        } else {
          result = await api.run("check", check);
        }
      } catch (e) {
        const field = (e.field || "").replace(/^check\./, "");
        if (field === "sd") sdErr.append(errorBox(e, sdText.value, "security descriptor"));
        else if (field === "desired") maskErr.append(errorBox(e, "", "desired access"));
        else out.append(errorBox(e, "", "request"));
        out.append(h("p", { class: "lab-error", role: "alert" }, `Not run: ${e.message}`));
        return;
      }
      if (judged) {
        out.append(h("div", { class: `lab-verdict ${judged.pass ? "pass" : "fail"}`, "data-prediction": judged.pass ? "right" : "wrong" },
          judged.pass ? "Your prediction was right" : "Your prediction was wrong"));
        out.append(h("p", {}, judged.explanation));
      }
      out.append(resultView(result));
    } finally {
      runBtn.disabled = false;
    }
  }
  runBtn.addEventListener("click", run);

  // --- exercises ------------------------------------------------------------------------------
  let exercises = [];
  try {
    exercises = await api.run("exercises", {});
  } catch (e) {
    el.append(errorBox(e, "", "exercise list"));
  }
  if (exercises.length) {
    el.append(h("h3", { class: "access-ex-title" }, "Exercises checked by the engine"));
    const titles = Object.fromEntries(presets.map((p) => [p.name, p.title]));
    for (const ex of exercises) el.append(exerciseView(ex, api, titles));
  }
}

function exerciseView(ex, api, titles) {
  const box = h("section", { class: "lab-exercise", "data-exercise": ex.id, "aria-label": ex.title });
  box.append(h("h3", {}, ex.title), h("p", {}, ex.question));
  const result = h("div", { class: "access-ex-result", "aria-live": "polite" });
  const show = (r) => {
    result.replaceChildren(
      h("div", { class: `lab-verdict ${r.pass ? "pass" : "fail"}`, "data-pass": String(r.pass) }, r.pass ? "Right" : "Not yet"),
      h("p", { class: "access-ex-explanation" }, r.explanation));
    if (r.checks && r.checks.length > 1) {
      result.append(h("ul", { class: "access-ex-checks" }, r.checks.map((c) =>
        h("li", { class: c.pass ? "access-ok" : "access-bad" }, h("strong", {}, `${c.pass ? "✓" : "✗"} ${c.name}: `), c.detail))));
    }
  };
  const hint = h("details", {}, h("summary", {}, "Hint"), h("p", {}, ex.hint));

  if (ex.kind === "predict") {
    box.append(h("p", { class: "access-ex-setup" }, "Descriptor ", h("code", {}, ex.sd), h("br", {}),
      `Token: ${titles[ex.preset] || ex.preset} (preset) · desired ${ex.desired} · object type ${ex.type}`));
    const row = h("div", { class: "access-ex-buttons" }, h("span", {}, "Your answer: "));
    for (const v of ["granted", "denied"]) {
      const b = h("button", { type: "button", class: "secondary", "data-answer": v }, v === "granted" ? "Granted" : "Denied");
      b.addEventListener("click", async () => {
        try {
          show(await api.run("exercise", { id: ex.id, prediction: v }));
        } catch (e) {
          result.replaceChildren(errorBox(e, "", "answer"));
        }
      });
      row.append(b);
    }
    box.append(row, hint, result);
    return box;
  }

  // Edit exercise: the learner changes the descriptor; the engine runs the checks.
  const tid = `access-ex-${ex.id}-${++uid}`;
  const ta = h("textarea", { id: tid, rows: "2", spellcheck: "false", autocomplete: "off", "data-ex-sddl": "" });
  ta.value = ex.sd;
  const check = h("button", { type: "button", "data-ex-check": "" }, "Check my answer");
  const reset = h("button", { type: "button", class: "secondary" }, "Start over");
  check.addEventListener("click", async () => {
    try {
      show(await api.run("exercise", { id: ex.id, sddl: ta.value }));
    } catch (e) {
      result.replaceChildren(errorBox(e, ta.value, "SDDL string"));
    }
  });
  reset.addEventListener("click", () => { ta.value = ex.sd; result.replaceChildren(); });
  box.append(h("label", { for: tid }, "Your descriptor (edit one ACE)"), ta, check, reset, hint, result);
  return box;
}
