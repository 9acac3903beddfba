// WFP arbitration lab: write or pick a scenario (sublayers, callouts, filters, one packet), let
// the wfp engine classify it in the browser, and read the arbitration step by step. Puzzles are
// checked by the engine (check-puzzle), never by this page.
//
// Everything is built with DOM calls and textContent: nothing the learner types becomes markup.

import { badge as claimBadge, caretWindow, claimOr, code, factsList, h, idGen } from "./dom.js";

// Samples are ours, invented to show one mechanism each; they are not captures of a real machine.
const SAMPLES = [
  {
    id: "soft-permit",
    label: "Sample: a soft permit overridden by a third-party block",
    scenario: {
      name: "Sample: a soft permit overridden by a third-party block",
      description: "The backup agent permits its own traffic in a high sublayer, but a plain permit is soft, so the third-party firewall's block in a lower sublayer overrides it.",
      layer: "ALE_AUTH_CONNECT_V4",
      phase: "running",
      sublayers: [
        { key: "backup-agent", name: "Backup agent's own rules", weight: 45000 },
        { key: "vendor-fw", name: "Third-party firewall", weight: 30000 },
        { key: "windows-firewall", name: "Windows Firewall", weight: 4096 },
      ],
      filters: [
        { id: 1, name: "Backup agent may reach its server", sublayer: "backup-agent", weight: 100, action: "permit",
          conditions: [{ field: "app_id", value: "\\device\\harddiskvolume3\\program files\\backup\\agent.exe" }] },
        { id: 2, name: "Vendor: no SMB to the internet", sublayer: "vendor-fw", weight: 500, action: "block",
          conditions: [{ field: "remote_port", value: 445 }, { field: "remote_addr", op: "neq", value: "10.0.0.0/8" }] },
        { id: 3, name: "Vendor: allow the rest", sublayer: "vendor-fw", weight: 0, action: "permit" },
        { id: 4, name: "Windows Firewall: allow outbound", sublayer: "windows-firewall", weight: 0, action: "permit" },
      ],
      packet: { protocol: 6, remote_addr: "203.0.113.20", remote_port: 445, local_port: 50712,
        app_id: "\\device\\harddiskvolume3\\program files\\backup\\agent.exe" },
    },
  },
  {
    id: "veto",
    label: "Sample: a hard permit vetoed by a callout",
    scenario: {
      name: "Sample: a hard permit vetoed by a callout",
      description: "SSH is permitted with clear-action-right (a hard permit). The vendor's static block is ignored and its well-behaved callout stands back, but the EDR callout blocks anyway: a veto.",
      layer: "ALE_AUTH_RECV_ACCEPT_V4",
      phase: "running",
      sublayers: [
        { key: "admin", name: "Administration", weight: 50000 },
        { key: "vendor-fw", name: "Third-party firewall", weight: 30000 },
        { key: "edr", name: "Endpoint detection", weight: 10000 },
      ],
      callouts: [
        { key: "vendor-inspect", name: "Vendor inspection (well-behaved)", registered: true, behavior: "compliant-block" },
        { key: "edr-block", name: "EDR: block known attackers", registered: true, behavior: "veto" },
      ],
      filters: [
        { id: 10, name: "SSH for administrators", sublayer: "admin", weight: 10, action: "permit",
          conditions: [{ field: "local_port", value: 22 }, { field: "protocol", value: 6 }], flags: ["clear-action-right"] },
        { id: 20, name: "Vendor: inspect inbound", sublayer: "vendor-fw", weight: 20, action: "callout-terminating", callout: "vendor-inspect" },
        { id: 21, name: "Vendor: block inbound", sublayer: "vendor-fw", weight: 10, action: "block" },
        { id: 30, name: "EDR: blocklisted peers", sublayer: "edr", weight: null, action: "callout-terminating", callout: "edr-block",
          conditions: [{ field: "remote_addr", value: "198.51.100.0/24" }] },
      ],
      packet: { protocol: 6, remote_addr: "198.51.100.66", remote_port: 55000, local_port: 22 },
    },
  },
  {
    id: "boot",
    label: "Sample: boot-time filters before BFE starts",
    scenario: {
      name: "Sample: boot-time filters before BFE starts",
      description: "Before the Base Filtering Engine runs only boot-time filters are enforced; when it starts they are dropped and the persistent ones apply. Move the phase slider to compare.",
      layer: "ALE_AUTH_CONNECT_V4",
      phase: "boot",
      sublayers: [
        { key: "hardening", name: "Boot hardening", weight: 60000 },
        { key: "firewall", name: "Firewall policy", weight: 4096 },
      ],
      filters: [
        { id: 1, name: "Allow DHCP during boot", sublayer: "hardening", weight: 100, action: "permit",
          conditions: [{ field: "protocol", value: 17 }, { field: "remote_port", value: 67 }], flags: ["boottime"] },
        { id: 2, name: "Block outbound until the firewall runs", sublayer: "hardening", weight: 0, action: "block", flags: ["boottime"] },
        { id: 3, name: "Allow HTTPS (persistent)", sublayer: "firewall", weight: 100, action: "permit",
          conditions: [{ field: "remote_port", value: 443 }], flags: ["persistent"] },
        { id: 4, name: "Block outbound by default (persistent)", sublayer: "firewall", weight: 0, action: "block", flags: ["persistent"] },
      ],
      packet: { protocol: 6, remote_addr: "203.0.113.10", remote_port: 443, local_port: 50001,
        app_id: "\\device\\harddiskvolume3\\windows\\system32\\svchost.exe" },
    },
  },
  {
    id: "unregistered",
    label: "Sample: callouts whose driver is gone",
    scenario: {
      name: "Sample: callouts whose driver is gone",
      description: "Two products were uninstalled but left their filters behind. The VPN filter asked for permit-if-callout-unregistered, the antivirus filter did not, so it acts as a block; the orphaned inspection filter is ignored.",
      layer: "ALE_AUTH_CONNECT_V4",
      phase: "running",
      sublayers: [
        { key: "vpn", name: "VPN client", weight: 30000 },
        { key: "old-av", name: "Antivirus (uninstalled)", weight: 20000 },
      ],
      callouts: [
        { key: "vpn-split", name: "VPN split tunnel", registered: false, behavior: "compliant-permit" },
        { key: "av-web", name: "Antivirus web shield", registered: false, behavior: "compliant-block" },
        { key: "av-monitor", name: "Antivirus traffic monitor", registered: false, behavior: "continue" },
      ],
      filters: [
        { id: 1, name: "VPN split tunnel decision", sublayer: "vpn", weight: 10, action: "callout-terminating", callout: "vpn-split",
          flags: ["permit-if-callout-unregistered"] },
        { id: 2, name: "Antivirus web shield", sublayer: "old-av", weight: 10, action: "callout-terminating", callout: "av-web",
          conditions: [{ field: "remote_port", value: 443 }] },
        { id: 3, name: "Antivirus traffic monitor", sublayer: "FWPM_SUBLAYER_INSPECTION", action: "callout-inspection", callout: "av-monitor" },
      ],
      packet: { protocol: 6, remote_addr: "203.0.113.10", remote_port: 443, local_port: 50444,
        app_id: "\\device\\harddiskvolume3\\apps\\browser.exe" },
    },
  },
];

// Titles of the Learn pages the engine cites, so links read as page names.
const SOURCE_TITLES = {
  "filter-arbitration": "Filter Arbitration",
  "filter-weight-assignment": "Filter Weight Assignment",
  "filter-weight-identifiers": "Filter Weight Identifiers",
  "ns-fwpmtypes-fwpm_filter0": "FWPM_FILTER0",
  "ns-fwpmtypes-fwpm_sublayer0": "FWPM_SUBLAYER0",
  "ns-fwpstypes-fwps_classify_out0": "FWPS_CLASSIFY_OUT0",
  "ns-fwpstypes-fwps_action0": "FWPS_ACTION0",
  "ns-fwpstypes-fwps_filter0": "FWPS_FILTER0",
  "basic-operation": "WFP Basic Operation",
  "management-filtering-sublayer-identifiers": "Filtering Sub-Layer Identifiers",
  "using-a-callout-for-deep-inspection": "Using a Callout for Deep Inspection",
  "ne-fwptypes-fwp_match_type": "FWP_MATCH_TYPE",
  "application-layer-enforcement--ale-": "Application Layer Enforcement (ALE)",
  "nf-fwpsk-fwpscalloutunregisterbyid0": "FwpsCalloutUnregisterById0",
};

const STATUS_TEXT = {
  evaluated: "evaluated",
  skipped: "skipped",
  inactive: "not active",
  "no-match": "no match",
  "not-reached": "not reached",
  "not-evaluated": "not evaluated",
};

const nextID = idGen("wfp");

// Engine labels outside the three evidence kinds are shown as a model.
const badge = (label) => claimBadge(claimOr(label));

function sourceLink(url) {
  if (!url) return null;
  const last = url.replace(/\/+$/, "").split("/").pop();
  const title = SOURCE_TITLES[last] || last;
  return h("a", { href: url, rel: "noopener", class: "wfp-source" }, `Learn: ${title}`);
}

// ---------------------------------------------------------------------------------------------
// A JSON reader that remembers where every value starts, so an error the engine reports for a
// field path (filters[2].weight.range) can be pointed at in the learner's own text. It also
// rejects what JSON.parse would silently accept: duplicate keys (the engine rejects them too) and
// integers too large for a JavaScript number (they would change on the way to the engine).

class LocatedError extends Error {
  constructor(message, offset, field) {
    super(message);
    this.offset = offset;
    this.field = field || "";
  }
}

function readJSON(text) {
  let i = 0;
  const where = new Map();
  const fail = (msg, at = i, field = "") => { throw new LocatedError(msg, at, field); };
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const describe = (c) => (c === undefined ? "the end of the text" : JSON.stringify(c));

  function str() {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i += 2;
      else if (text[i] < " ") fail("a control character (such as a line break) inside a string; write it as an escape like \\n");
      else i++;
    }
    if (i >= text.length) fail("this string is never closed with a double quote", start);
    i++;
    try {
      return JSON.parse(text.slice(start, i));
    } catch {
      return fail("invalid escape sequence in this string", start);
    }
  }

  function num(path) {
    const start = i;
    const re = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) fail("invalid number");
    i = re.lastIndex;
    const n = Number(m[0]);
    if (!m[1] && !m[2] && !Number.isSafeInteger(n)) {
      // Filter weights are 64-bit; the engine takes them as numeric strings too.
      if (/(^|\.)weight$/.test(path)) return m[0];
      fail(`${m[0]} is larger than a JavaScript number holds exactly (2^53 - 1)`, start, path);
    }
    return n;
  }

  function value(path) {
    ws();
    where.set(path, i);
    const c = text[i];
    if (c === "{") {
      i++;
      const o = {};
      const seen = new Set();
      ws();
      if (text[i] === "}") { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a key in double quotes, found ${describe(text[i])}`);
        const at = i;
        const k = str();
        const kp = path ? `${path}.${k}` : k;
        if (seen.has(k)) fail(`duplicate key "${k}"`, at, kp);
        seen.add(k);
        ws();
        if (text[i] !== ":") fail(`expected ':' after the key "${k}", found ${describe(text[i])}`);
        i++;
        Object.defineProperty(o, k, { value: value(kp), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return o; }
        fail(`expected ',' or '}' after the value of "${k}", found ${describe(text[i])}`);
      }
    }
    if (c === "[") {
      i++;
      const a = [];
      ws();
      if (text[i] === "]") { i++; return a; }
      for (;;) {
        a.push(value(`${path}[${a.length}]`));
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return a; }
        fail(`expected ',' or ']' after an array element, found ${describe(text[i])}`);
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c >= "0" && c <= "9")) return num(path);
    for (const [lit, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(lit, i)) { i += lit.length; return v; }
    }
    return fail(`expected a value (object, array, string, number, true, false or null), found ${describe(c)}`);
  }

  const v = value("");
  ws();
  if (i < text.length) fail(`unexpected text after the end of the JSON value: ${describe(text[i])}`);
  return { value: v, where };
}

/** locate finds where a field path (or its nearest enclosing value) starts in the text. */
function locate(where, field) {
  let p = field || "";
  for (;;) {
    if (where.has(p)) return { offset: where.get(p), exact: p === field, at: p };
    if (p === "") return { offset: -1, exact: false };
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    p = cut < 0 ? "" : p.slice(0, cut);
  }
}

function lineCol(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return { line, col };
}

/** errorView shows an error next to its textarea: the field, the position and the line with a caret. */
function errorView(box, ta, text, err) {
  box.replaceChildren();
  const id = box.id;
  const msg = h("p", { class: "lab-error" });
  msg.append("Error");
  if (err.field) msg.append(" in ", code(err.field));
  let offset = typeof err.offset === "number" ? err.offset : -1;
  if (offset > text.length) offset = -1;
  if (offset >= 0) {
    const { line, col } = lineCol(text, offset);
    msg.append(` at line ${line}, column ${col} (offset ${offset}${err.near ? `, where ${err.near} starts` : ""})`);
  }
  msg.append(": ", err.message);
  box.append(msg);
  if (offset >= 0) {
    // Long lines: keep a window around the position so the caret stays visible on a phone.
    const w = caretWindow(text, offset);
    const snippet = h("pre", { class: "wfp-snippet", "aria-label": "The text around the error, with a caret under the position" },
      h("span", { text: (w.before + w.line + w.after).replace(/\t/g, " ") }), "\n",
      h("span", { class: "wfp-caret", text: " ".repeat(w.pad) + "^" }));
    box.append(snippet);
    const go = h("button", { type: "button", class: "secondary", text: "Show the position in the editor" });
    go.addEventListener("click", () => {
      ta.focus();
      ta.setSelectionRange(offset, Math.min(offset + 1, text.length));
    });
    box.append(go);
  }
  ta.setAttribute("aria-invalid", "true");
  ta.setAttribute("aria-describedby", id);
}

function clearError(box, ta) {
  box.replaceChildren();
  ta.removeAttribute("aria-invalid");
  ta.removeAttribute("aria-describedby");
}

/** toLocated turns an engine LabError into a position in the learner's text. prefix is the part of
 * the engine's field path that the text does not contain (the puzzle answer wraps the filter). */
function toLocated(e, where, prefix = "") {
  if (e instanceof LocatedError) return e;
  let field = e.field || "";
  let local = field;
  if (prefix) {
    if (field === prefix) local = "";
    else if (field.startsWith(prefix + ".")) local = field.slice(prefix.length + 1);
    else local = null;
  }
  const pos = local === null ? { offset: -1, exact: true } : locate(where, local);
  // A missing field has no position of its own: point at the object that should hold it.
  const near = pos.offset >= 0 && !pos.exact ? (pos.at || (prefix ? "your filter" : "the scenario")) : "";
  return { message: e.message || String(e), field, offset: pos.offset, near };
}

// ---------------------------------------------------------------------------------------------
// Results

function filterLabel(st) {
  return `Filter ${st.filterId}${st.name ? ` “${st.name}”` : ""}`;
}

function decidingStep(res) {
  if (res.decidedBy === null || res.decidedBy === undefined) return null;
  let hit = null;
  for (const st of res.trace) {
    if (st.kind === "filter" && st.filterId === res.decidedBy && ["decided", "overrode", "confirmed", "veto"].includes(st.outcome)) hit = st;
  }
  return hit;
}

function verdictView(res) {
  const cls = res.verdict === "permit" ? "permit" : res.verdict === "block" ? "block" : "neutral";
  const box = h("div", { class: `lab-verdict ${cls} wfp-verdict`, "data-wfp-verdict": res.verdict });
  const big = h("p", { class: "wfp-verdict-main" });
  const word = res.verdict.toUpperCase().replace("-", " ");
  big.append(word);
  if (res.verdict === "permit" || res.verdict === "block") big.append(h("span", { class: "wfp-hardness", text: res.hard ? " hard" : " soft" }));
  if (res.veto) big.append(h("span", { class: "wfp-flag", text: "veto" }));
  if (res.absorbed) big.append(h("span", { class: "wfp-flag", text: "absorbed" }));
  box.append(big);
  const lines = h("ul", { class: "wfp-verdict-facts" });
  const st = decidingStep(res);
  if (st) {
    lines.append(h("li", {}, "Decided by ", h("strong", { text: filterLabel(st) }), " in sublayer ", code(res.sublayer), "."));
  } else if (res.verdict === "no-match") {
    lines.append(h("li", { text: "No active filter matched the packet (FWP_ACTION_NONE_NO_MATCH)." }));
  } else {
    lines.append(h("li", { text: "Filters matched, but every one continued (FWP_ACTION_NONE)." }));
  }
  if (res.verdict === "permit" || res.verdict === "block") {
    let why = "Soft: the write right (FWPS_RIGHT_ACTION_WRITE) is still set; any lower sublayer could have overridden it.";
    if (res.hard && res.verdict === "block") why = "Hard: the write right (FWPS_RIGHT_ACTION_WRITE) is cleared; nothing evaluated later can turn this block into a permit.";
    else if (res.hard) why = "Hard: the write right (FWPS_RIGHT_ACTION_WRITE) is cleared; only a callout veto could still have overridden this permit.";
    lines.append(h("li", { text: why }));
  }
  if (res.veto) lines.append(h("li", { text: "A callout vetoed a hard permit: Windows audits this and notifies the filter's owner." }));
  if (res.absorbed) lines.append(h("li", { text: "Absorbed: the data is dropped silently, without a drop event." }));
  if (res.effective !== res.verdict) {
    lines.append(h("li", {}, "No filter decided, so the traffic gets the model's default: ", h("strong", { text: res.effective }),
      " (options.defaultVerdict; ", badge("model"), ")."));
  }
  lines.append(h("li", { class: "wfp-muted" }, "Layer ", code(res.layer), ", phase ", code(res.phase), "."));
  box.append(lines);
  return box;
}

const factsTable = (rows) => factsList(rows, "wfp-facts");

function conditionsTable(conds) {
  const t = h("table", { class: "lab-table wfp-conds" },
    h("caption", { class: "wfp-caption", text: "Conditions" }),
    h("thead", {}, h("tr", {}, ["#", "Field", "Match", "Value", "Packet", "Result"].map((c) => h("th", { scope: "col", text: c })))));
  const tb = h("tbody");
  for (const c of conds) {
    tb.append(h("tr", {},
      h("td", { text: String(c.index) }),
      h("td", {}, code(c.field)),
      h("td", { text: c.op }),
      h("td", {}, code(c.value)),
      h("td", {}, c.missing ? h("em", { text: "not carried" }) : code(c.packet)),
      h("td", { class: c.matched ? "wfp-yes" : "wfp-no", text: c.matched ? "matches" : "no match" })));
  }
  t.append(tb);
  return h("div", { class: "lab-scroll" }, t);
}

function calloutText(c) {
  const parts = [code(c.key), c.registered ? " registered" : " NOT registered"];
  if (c.behavior) parts.push(`, behaviour ${c.behavior}`);
  parts.push(`; called with the write right ${c.writable ? "set" : "cleared"}`);
  if (c.returned) parts.push(`; returned ${c.returned}`);
  if (c.clearWrite) parts.push(", cleared the write right");
  if (c.absorb) parts.push(", set the absorb flag");
  if (c.coerced) parts.push(`; counted as ${c.coerced}`);
  return h("span", {}, ...parts);
}

function stepFooter(st) {
  const f = h("p", { class: "wfp-step-foot" }, badge(st.label), " ");
  if (st.rules && st.rules.length) f.append(`rules ${st.rules.join(", ")} · `);
  const a = sourceLink(st.source);
  if (a) f.append(a);
  return f;
}

function filterItem(st, hit) {
  const li = h("li", { class: `wfp-filter wfp-status-${st.status}${hit ? " hit" : ""}`, "data-filter-id": String(st.filterId) });
  const head = h("p", { class: "wfp-step-head" },
    h("strong", { text: filterLabel(st) }), " ",
    h("span", { class: "wfp-chip", text: STATUS_TEXT[st.status] || st.status }),
    hit ? h("span", { class: "wfp-chip wfp-chip-hit", text: "decided the verdict" }) : null);
  li.append(head);
  li.append(h("p", { class: "wfp-why", text: st.why }));
  const rows = [
    ["Action", code(st.action)],
    ["Weight", h("span", {}, code(st.weight), st.weightFrom ? ` (${st.weightFrom})` : "")],
  ];
  if (st.callout) rows.push(["Callout", calloutText(st.callout)]);
  if (st.result) rows.push(["Result", `${st.result}${st.resultHard === undefined ? "" : st.resultHard ? " (hard)" : " (soft)"}`]);
  if (st.decisionBefore) {
    rows.push(["Decision and right", h("span", {},
      code(`${st.decisionBefore}/${st.rightsBefore}`), " → ", code(`${st.decisionAfter}/${st.rightsAfter}`))]);
  }
  if (st.outcome) rows.push(["Outcome", st.outcome]);
  if (st.ignored) rows.push(["Ignored because", st.ignored]);
  li.append(factsTable(rows));
  if (st.conditions && st.conditions.length) li.append(conditionsTable(st.conditions));
  li.append(stepFooter(st));
  return li;
}

function traceView(res) {
  const wrap = h("div", { class: "wfp-trace-wrap" });
  wrap.append(h("h3", { text: "Trace, in evaluation order" }));
  wrap.append(h("p", { class: "wfp-muted" }, "Every step carries its evidence: ", badge("documented"),
    " rests on a Microsoft Learn page (linked), ", badge("model"), " is a choice of ours where the documentation is silent or unclear."));
  const hit = decidingStep(res);
  const ol = h("ol", { class: "lab-trace wfp-trace" });
  let group = null;
  for (const st of res.trace) {
    if (st.kind === "sublayer") {
      const li = h("li", { class: `wfp-sublayer wfp-status-${st.status}` });
      li.append(h("p", { class: "wfp-step-head" },
        "Sublayer ", h("strong", {}, code(st.sublayer)), ` · weight ${st.sublayerWeight} `,
        h("span", { class: "wfp-chip", text: STATUS_TEXT[st.status] || st.status })));
      li.append(h("p", { class: "wfp-why", text: st.why }));
      li.append(stepFooter(st));
      group = h("ol", { class: "wfp-filters", "aria-label": `Filters of sublayer ${st.sublayer}` });
      li.append(group);
      ol.append(li);
      continue;
    }
    if (st.status === "inactive") {
      if (!ol.querySelector(".wfp-inactive")) {
        const li = h("li", { class: "wfp-sublayer wfp-inactive" },
          h("p", { class: "wfp-step-head" }, h("strong", { text: `Not active in phase ${res.phase}` })),
          h("ol", { class: "wfp-filters", "aria-label": "Filters that are not active" }));
        ol.append(li);
      }
      ol.querySelector(".wfp-inactive > ol").append(filterItem(st, false));
      continue;
    }
    if (!group) { // cannot happen with the engine's trace order; keep the step visible anyway
      group = h("ol", { class: "wfp-filters" });
      ol.append(h("li", {}, group));
    }
    group.append(filterItem(st, st === hit));
  }
  wrap.append(ol);

  wrap.append(h("h3", { text: "Events" }));
  if (!res.events.length) {
    wrap.append(h("p", { class: "wfp-muted", text: "No events: no veto, no absorbed drop, no ambiguity in this scenario." }));
  } else {
    const ul = h("ul", { class: "wfp-events" });
    for (const ev of res.events) {
      const li = h("li", {}, badge(ev.label), " ", h("strong", { text: ev.type }),
        ev.filterId ? ` (filter ${ev.filterId})` : "", ": ", ev.message, " ");
      li.append(h("span", { class: "wfp-muted", text: `rule ${ev.rule} · ` }));
      const a = sourceLink(ev.source);
      if (a) li.append(a);
      ul.append(li);
    }
    wrap.append(ul);
  }
  return wrap;
}

// ---------------------------------------------------------------------------------------------
// The scenario editor

function pretty(v) {
  return JSON.stringify(v, null, 2);
}

function buildEditor(el, api) {
  const sec = h("section", { class: "wfp-editor", "aria-labelledby": "wfp-editor-h" });
  sec.append(h("h2", { id: "wfp-editor-h", text: "Classify one connection" }));
  sec.append(h("p", { text: "Pick a sample or write your own scenario: the layer, the sublayers with their weights, the callouts, the filters and the packet. The format is described in the lab's documentation (docs/labs/wfp.md); unknown fields are errors." }));

  const sampleID = nextID("sample");
  const select = h("select", { id: sampleID });
  for (const s of SAMPLES) select.append(h("option", { value: s.id, text: s.label }));
  const load = h("button", { type: "button", class: "secondary", text: "Load sample" });
  sec.append(h("div", { class: "lab-row" },
    h("div", {}, h("label", { for: sampleID, text: "Sample scenario (invented for teaching, not from a real machine)" }), select),
    h("div", { class: "wfp-row-button" }, load)));

  const taID = nextID("scenario");
  const ta = h("textarea", { id: taID, rows: "18", spellcheck: "false", autocapitalize: "off", autocomplete: "off", "data-wfp-scenario": "" });
  sec.append(h("label", { for: taID, text: "Scenario (JSON)" }), ta);

  const run = h("button", { type: "button", text: "Run the scenario", "data-wfp-run": "" });
  const phaseID = nextID("phase");
  const phase = h("input", { type: "range", id: phaseID, min: "0", max: "1", step: "1", value: "1",
    "aria-valuetext": "running", "data-wfp-phase": "" });
  const phaseOut = h("output", { for: phaseID, class: "wfp-phase-out", text: "running" });
  const phaseBox = h("div", { class: "wfp-phase" },
    h("label", { for: phaseID, text: "Phase: boot ↔ running (moving it re-runs the scenario)" }),
    h("div", { class: "wfp-phase-row" }, h("span", { "aria-hidden": "true", text: "boot" }), phase,
      h("span", { "aria-hidden": "true", text: "running" }), phaseOut),
    h("p", { class: "wfp-muted", text: "Boot: the Base Filtering Engine has not started, only boot-time filters are enforced. Running: boot-time filters are gone, persistent and dynamic ones apply. The slider overrides the scenario's phase field, like --phase on the command line." }));
  sec.append(h("div", { class: "wfp-actions" }, run), phaseBox);

  const errID = nextID("error");
  const live = h("div", { class: "wfp-live", "aria-live": "polite" });
  const err = h("div", { id: errID, class: "wfp-error", "data-wfp-error": "" });
  const verdict = h("div", { class: "wfp-verdict-slot" });
  live.append(err, verdict);
  const trace = h("div", { class: "wfp-trace-slot" });
  sec.append(live, trace);
  el.append(sec);

  const setPhase = (p) => {
    phase.value = p === "boot" ? "0" : "1";
    phase.setAttribute("aria-valuetext", p);
    phaseOut.textContent = p;
  };

  async function runScenario(phaseOverride) {
    const text = ta.value;
    let parsed;
    try {
      parsed = readJSON(text);
      if (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value)) {
        throw new LocatedError("a scenario is a JSON object: {\"layer\": …, \"filters\": […]}", text.search(/\S/), "");
      }
    } catch (e) {
      verdict.replaceChildren();
      trace.replaceChildren();
      errorView(err, ta, text, e instanceof LocatedError ? e : { message: String(e), offset: -1 });
      return;
    }
    const req = parsed.value;
    if (phaseOverride) req.phase = phaseOverride;
    let res;
    try {
      res = await api.run("run", req);
    } catch (e) {
      verdict.replaceChildren();
      trace.replaceChildren();
      errorView(err, ta, text, toLocated(e, parsed.where));
      return;
    }
    clearError(err, ta);
    setPhase(res.phase);
    const sname = typeof req.name === "string" && req.name ? h("p", { class: "wfp-scenario-name" }, "Scenario: ", h("strong", { text: req.name })) : null;
    const sdesc = typeof req.description === "string" && req.description ? h("p", { class: "wfp-muted", text: req.description }) : null;
    verdict.replaceChildren(...[sname, sdesc, verdictView(res)].filter(Boolean));
    trace.replaceChildren(traceView(res));
  }

  const loadSample = (id) => {
    const s = SAMPLES.find((x) => x.id === id) || SAMPLES[0];
    ta.value = pretty(s.scenario);
    setPhase(s.scenario.phase || "running");
  };
  load.addEventListener("click", () => { loadSample(select.value); runScenario(); });
  run.addEventListener("click", () => runScenario());
  phase.addEventListener("input", () => {
    const p = phase.value === "0" ? "boot" : "running";
    setPhase(p);
    runScenario(p);
  });

  return {
    loadSample,
    run: runScenario,
    loadText(text, title) {
      ta.value = text;
      clearError(err, ta);
      verdict.replaceChildren(h("p", { class: "wfp-muted", text: `Loaded “${title}”. Run it when you are ready.` }));
      trace.replaceChildren();
      sec.scrollIntoView({ block: "start" });
      ta.focus();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Puzzles

function radioGroup(legend, name, options) {
  const fs = h("fieldset", { class: "wfp-radios" }, h("legend", { text: legend }));
  for (const [value, text] of options) {
    const id = nextID(name);
    fs.append(h("div", { class: "wfp-radio" },
      h("input", { type: "radio", name, id, value }), h("label", { for: id, text })));
  }
  return fs;
}

function radioValue(root, name) {
  const r = root.querySelector(`input[name="${name}"]:checked`);
  return r ? r.value : "";
}

function puzzleView(p, api, editor) {
  const box = h("section", { class: "lab-exercise wfp-puzzle", "data-puzzle": p.id, "aria-labelledby": `wfp-pz-${p.id}` });
  box.append(h("h3", { id: `wfp-pz-${p.id}`, text: p.title }));
  box.append(h("p", { text: p.prompt }));
  const scen = p.scenario || {};
  const scenText = pretty(scen);
  const details = h("details", {}, h("summary", { text: "The puzzle's scenario" }),
    h("pre", { class: "lab-mono wfp-pre", text: scenText }));
  const open = h("button", { type: "button", class: "secondary", text: "Open it in the editor above" });
  open.addEventListener("click", () => editor.loadText(scenText, p.title));
  box.append(details, open);

  const form = h("form", { class: "wfp-answer", novalidate: true });
  const feedback = h("div", { id: nextID("feedback"), class: "wfp-feedback", "aria-live": "polite", "data-puzzle-feedback": "" });
  let answer;           // () => answer object or throws LocatedError
  let answerText = null; // for add-filter: the textarea, to point at errors
  let answerWhere = null;

  if (p.kind === "predict") {
    const name = nextID(`${p.id}-verdict`);
    const hname = nextID(`${p.id}-hard`);
    form.append(
      radioGroup("Your verdict", name, [["permit", "permit"], ["block", "block"], ["no-match", "no match"], ["no-decision", "no decision"]]),
      radioGroup("Hard or soft (for permit and block)", hname, [["hard", "hard"], ["soft", "soft"]]));
    answer = () => {
      const v = radioValue(form, name);
      if (!v) throw new LocatedError("choose a verdict first", -1, "answer.verdict");
      const a = { verdict: v };
      const hs = radioValue(form, hname);
      if (hs) a.hard = hs === "hard";
      return a;
    };
  } else if (p.kind === "add-filter") {
    const taID = nextID("filter");
    const ta = h("textarea", { id: taID, rows: "10", spellcheck: "false", autocapitalize: "off", "data-puzzle-filter": "" });
    ta.value = pretty({ id: 900, name: "My RDP filter", sublayer: "", weight: null, action: "permit",
      conditions: [{ field: "local_port", value: 3389 }], flags: [] });
    // A small form writes the JSON for learners who prefer fields.
    const subs = ["FWPM_SUBLAYER_UNIVERSAL", ...((scen.sublayers || []).map((s) => s.key))];
    const sID = nextID("sub"), wID = nextID("w"), aID = nextID("act"), pID = nextID("port"), cID = nextID("car");
    const sSel = h("select", { id: sID, "data-form-sublayer": "" });
    for (const k of subs) sSel.append(h("option", { value: k, text: k }));
    const wIn = h("input", { type: "text", id: wID, value: "", placeholder: "number, 0x hex, or empty = automatic", "data-form-weight": "", inputmode: "numeric" });
    const aSel = h("select", { id: aID, "data-form-action": "" });
    for (const k of ["permit", "block"]) aSel.append(h("option", { value: k, text: k }));
    const portIn = h("input", { type: "number", id: pID, value: "3389", min: "0", max: "65535", "data-form-port": "" });
    const car = h("input", { type: "checkbox", id: cID, "data-form-clear": "" });
    const fill = h("button", { type: "button", class: "secondary", text: "Write these fields into the JSON", "data-form-fill": "" });
    const small = h("fieldset", { class: "wfp-smallform" }, h("legend", { text: "Build the filter with a form (optional)" }),
      h("div", { class: "lab-row" },
        h("div", {}, h("label", { for: sID, text: "Sublayer" }), sSel),
        h("div", {}, h("label", { for: wID, text: "Weight" }), wIn),
        h("div", {}, h("label", { for: aID, text: "Action" }), aSel),
        h("div", {}, h("label", { for: pID, text: "Local port" }), portIn)),
      h("div", { class: "wfp-radio" }, car, h("label", { for: cID, text: "clear-action-right (make a permit hard)" })),
      fill);
    fill.addEventListener("click", () => {
      const w = wIn.value.trim();
      let weight = null;
      if (w !== "") weight = /^\d{1,15}$/.test(w) ? Number(w) : w; // larger or hex: a string, as the engine accepts
      const port = portIn.value.trim() === "" ? null : Number(portIn.value);
      ta.value = pretty({ id: 900, name: "My RDP filter", sublayer: sSel.value, weight, action: aSel.value,
        conditions: port === null ? [] : [{ field: "local_port", value: port }, { field: "protocol", value: 6 }],
        flags: car.checked ? ["clear-action-right"] : [] });
    });
    form.append(h("label", { for: taID, text: "Your one filter (JSON, same format as a scenario filter)" }), ta, small);
    answerText = ta;
    answer = () => {
      const r = readJSON(ta.value);
      answerWhere = r.where;
      return { filter: r.value };
    };
  } else {
    const fID = nextID("fid");
    const fSel = h("select", { id: fID, "data-puzzle-filterid": "" });
    fSel.append(h("option", { value: "", text: "choose a filter" }));
    for (const f of scen.filters || []) fSel.append(h("option", { value: String(f.id), text: `${f.id} — ${f.name || "(no name)"}` }));
    const cname = nextID(`${p.id}-cause`);
    form.append(h("label", { for: fID, text: "The filter that decided" }), fSel,
      radioGroup("The cause", cname, (p.choices || []).map((c) => [c.id, c.text])));
    answer = () => {
      if (!fSel.value) throw new LocatedError("choose the filter that decided", -1, "answer.filterId");
      const c = radioValue(form, cname);
      if (!c) throw new LocatedError("choose a cause", -1, "answer.cause");
      return { filterId: Number(fSel.value), cause: c };
    };
  }
  const check = h("button", { type: "submit", text: "Check my answer", "data-puzzle-check": "" });
  form.append(check);
  if (p.hint) {
    form.append(h("details", {}, h("summary", { text: "Hint" }), h("p", { text: p.hint })));
  }
  box.append(form, feedback);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    feedback.replaceChildren();
    let a;
    answerWhere = null;
    try {
      a = answer();
    } catch (e) {
      if (answerText) errorView(feedback, answerText, answerText.value, e instanceof LocatedError ? e : { message: String(e), offset: -1 });
      else feedback.append(h("p", { class: "lab-error", text: e.message }));
      return;
    }
    let out;
    try {
      out = await api.run("check-puzzle", { id: p.id, answer: a });
    } catch (e) {
      if (answerText && answerWhere) errorView(feedback, answerText, answerText.value, toLocated(e, answerWhere, "answer.filter"));
      else feedback.append(h("p", { class: "lab-error" }, e.field ? h("span", {}, "Error in ", code(e.field), ": ") : "", e.message || String(e)));
      return;
    }
    if (answerText) clearError(h("div"), answerText);
    feedback.append(h("div", { class: `lab-verdict ${out.correct ? "ok" : "bad"} wfp-result`, "data-correct": String(out.correct) },
      h("p", { class: "wfp-result-head", text: out.correct ? "✓ Your answer is right" : "✗ Not right yet" }),
      h("p", { class: "wfp-result-text", text: out.feedback })));
    const tr = h("details", { class: "wfp-puzzle-trace" }, h("summary", { text: "The engine's verdict and full trace" }),
      verdictView(out.result), traceView(out.result));
    if (out.correct || p.kind === "explain") tr.open = true;
    feedback.append(tr);
  });
  return box;
}

async function buildPuzzles(el, api, editor) {
  const sec = h("section", { class: "wfp-puzzles", "aria-labelledby": "wfp-puzzles-h" });
  sec.append(h("h2", { id: "wfp-puzzles-h", text: "Puzzles" }));
  sec.append(h("p", { text: "Answer first, then let the engine check you: it runs the scenario and shows the trace that explains the answer." }));
  el.append(sec);
  let list;
  try {
    list = await api.run("puzzles", {});
  } catch (e) {
    sec.append(h("p", { class: "lab-error", text: `The puzzles could not be loaded: ${e.message}` }));
    return;
  }
  for (const p of list) sec.append(puzzleView(p, api, editor));
}

export async function mount(el, api) {
  el.classList.add("wfp-lab");
  const editor = buildEditor(el, api);
  editor.loadSample(SAMPLES[0].id);
  await editor.run();
  await buildPuzzles(el, api, editor);
}
