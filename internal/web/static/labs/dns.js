// DNS client lab: a scenario builder, the engine's timeline with the real DNS packets, the
// engine-checked exercises and an import of the learner's own resolver cache. Everything runs in
// the browser through api.run (the Go engine compiled to WebAssembly); nothing is uploaded.

// ---------- small DOM helpers (no innerHTML anywhere: everything is built from nodes) ----------

import { evidenceBadge, h, idGen, labelledField, lineCaret, lineColOfByte, sourceRef } from "./dom.js";

const nextId = idGen("dns");

const claim = evidenceBadge;

const source = (src) => sourceRef(src, "dns-src");

/** Labelled input: returns [wrapper, control]. */
function field(labelText, control, hint) {
  return [labelledField(labelText, control, hint, "dns", nextId), control];
}

function fmtMs(ms) {
  if (ms === 0) return "0 ms";
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  return `${ms} ms (${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 3 })} s)`;
}

// ---------- error display: name the place, show the line with a caret ----------

/** An error box that names where the problem is; with text, it quotes the line and marks the column. */
function errorBox(err, text, line, col) {
  const box = h("div", { class: "lab-error", role: "alert" });
  const where = err.field ? `${err.field}: ` : "";
  box.append(h("p", {}, `${where}${err.message}`));
  if (text !== undefined && line > 0) {
    const all = text.split(/\r?\n/);
    const l = all[line - 1];
    if (l !== undefined) {
      const c = Math.max(1, Math.min(col || 1, l.length + 1));
      box.append(h("pre", { class: "lab-mono dns-caret", "aria-label": `line ${line}, column ${c}` }, lineCaret(line, l, c)));
    }
  }
  return box;
}

/** Where an engine error points inside a text, if it can tell: [line, column] or [0, 0]. */
function locate(err, text) {
  const m = /line (\d+)(?:, column (\d+))?/.exec(err.field || "");
  if (m) return [Number(m[1]), m[2] ? Number(m[2]) : 1];
  if (text !== undefined && err.offset >= 0) return lineColOfByte(text.replace(/\r\n/g, "\n"), err.offset);
  return [0, 0];
}

// ---------- samples ----------

const exampleZone = [
  "www.example.com A 300 192.0.2.10",
  "app.example.com CNAME 60 www.example.com",
  "emailsrv7.contoso.com A 3600 10.1.7.7",
  "intranet.contoso.com A 600 10.1.2.3",
].join("\n");

const samples = [
  {
    id: "twice", label: "Ask twice: one server answering in 35 ms",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 35 }],
    queries: "0 www.example.com\n3s www.example.com",
  },
  {
    id: "down", label: "First of two servers unreachable",
    servers: [{ addr: "10.0.0.1", mode: "unreachable" }, { addr: "10.0.0.2", mode: "answer", latencyMs: 40 }],
    queries: "0 www.example.com\n2s app.example.com",
  },
  {
    id: "slow", label: "One slow server (1.5 s)",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 1500 }],
    queries: "0 www.example.com",
  },
  {
    id: "devolve", label: "Short name with devolution",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 30 }],
    primary: "central.contoso.com", devolution: true, level: 2,
    queries: "0 emailsrv7\n1s emailsrv7",
  },
  {
    id: "nx", label: "A name that does not exist (negative cache)",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 25 }, { addr: "10.0.0.2", mode: "answer", latencyMs: 25 }],
    queries: "0 nosuch.example.com.\n5s nosuch.example.com.",
  },
  {
    id: "hosts", label: "Hosts file entry wins",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 30 }],
    hosts: "127.0.0.1 localhost\n10.9.9.9 www.example.com",
    queries: "0 www.example.com",
  },
  {
    id: "llmnr", label: "Single-label name found by LLMNR",
    servers: [{ addr: "10.0.0.1", mode: "answer", latencyMs: 20 }],
    primary: "corp.contoso.com",
    queries: "0 printer",
  },
  {
    id: "silent", label: "Every server silent",
    servers: [{ addr: "10.0.0.1", mode: "unreachable" }, { addr: "10.0.0.2", mode: "unreachable" }, { addr: "10.0.0.3", mode: "unreachable" }],
    queries: "0 www.example.com.",
  },
];

// ---------- parsing the builder's text areas (errors name the line) ----------

class BuilderError extends Error {
  constructor(input, line, message) { super(message); this.input = input; this.line = line; }
}

function parseTime(tok, line) {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/i.exec(tok);
  if (!m) throw new BuilderError("queries", line, `"${tok}" is not a time (write 0, 1500ms or 3s)`);
  const n = Number(m[1]);
  return Math.round((m[2] || "ms").toLowerCase() === "s" ? n * 1000 : n);
}

function parseQueries(text) {
  const out = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const f = l.split(/\s+/);
    if (f.length < 2 || f.length > 3) throw new BuilderError("queries", i + 1, "write: time name [type], for example \"3s www.example.com A\"");
    const q = { at: parseTime(f[0], i + 1), name: f[1] };
    if (f[2]) q.type = f[2].toUpperCase();
    out.push(q);
  });
  if (!out.length) throw new BuilderError("queries", 1, "add at least one name to resolve");
  return out;
}

function parseZone(text) {
  const out = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const f = l.split(/\s+/);
    if (f.length !== 4) throw new BuilderError("zone", i + 1, "write: name type ttl data, for example \"www.example.com A 300 192.0.2.10\"");
    const ttl = Number(f[2]);
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 4294967295) throw new BuilderError("zone", i + 1, `TTL "${f[2]}" is not a whole number of seconds`);
    out.push({ name: f[0], type: f[1].toUpperCase(), ttl, data: f[3] });
  });
  return out;
}

function parseLink(text) {
  const out = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith("#")) return;
    const f = l.split(/\s+/);
    if (f.length < 2 || f.length > 3) throw new BuilderError("link", i + 1, "write: name address [round trip ms], for example \"printer 192.168.1.50 5\"");
    const host = { name: f[0], addr: f[1], llmnr: true, netbios: true };
    if (f[2] !== undefined) {
      const ms = Number(f[2]);
      if (!Number.isInteger(ms) || ms < 0) throw new BuilderError("link", i + 1, `"${f[2]}" is not a whole number of milliseconds`);
      host.latencyMs = ms;
    }
    out.push(host);
  });
  return out;
}

const splitList = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);

// ---------- rendering the engine's output ----------

function hexDump(hex) {
  const lines = [];
  for (let i = 0; i < hex.length; i += 32) {
    const chunk = hex.slice(i, i + 32).match(/../g) || [];
    lines.push(`${(i / 2).toString(16).padStart(4, "0")}  ${chunk.join(" ")}`);
  }
  return lines.join("\n");
}

function messageView(m) {
  const d = m.decoded;
  const head = `${m.protocol.toUpperCase()} ${m.dir} #${m.index}: ${m.from} → ${m.to}`;
  const det = h("details", { class: "dns-msg" }, h("summary", {}, `Packet: ${head}`));
  det.append(h("p", {}, claim(m.evidence), m.note || "", " ", source(m.source)));
  const dl = h("dl", { class: "dns-decoded" },
    h("dt", {}, "Transaction ID"), h("dd", {}, `0x${d.id.toString(16).padStart(4, "0")} (${d.id})`),
    h("dt", {}, "Flags"), h("dd", {}, `${d.response ? "response" : "query"}, opcode ${d.opcode}${d.flags && d.flags.length ? ", " + d.flags.join(" ") : ""}`),
    h("dt", {}, "RCODE"), h("dd", {}, d.rcode));
  det.append(dl);
  if (d.questions && d.questions.length) {
    det.append(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table" },
      h("caption", {}, "Question"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, "Class"))),
      h("tbody", {}, d.questions.map((q) => h("tr", {}, h("td", { class: "lab-mono" }, q.name), h("td", {}, q.type), h("td", {}, q.class)))))));
  }
  if (d.answers && d.answers.length) {
    det.append(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table" },
      h("caption", {}, "Answer records"),
      h("thead", {}, h("tr", {}, ["Name", "Type", "TTL (s)", "Data"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, d.answers.map((a) => h("tr", {}, h("td", { class: "lab-mono" }, a.name), h("td", {}, a.type), h("td", {}, String(a.ttl)), h("td", { class: "lab-mono" }, a.data)))))));
  }
  det.append(h("p", { class: "dns-hexlabel" }, `Bytes on the wire (${m.hex.length / 2}), hex:`));
  det.append(h("pre", { class: "lab-mono dns-hex" }, hexDump(m.hex)));
  return det;
}

const sourceWords = {
  hosts: "the hosts file (preloaded into the cache)", cache: "the resolver cache", dns: "a DNS server",
  llmnr: "LLMNR", netbios: "NetBIOS", "negative-cache": "a negative cache entry", none: "nothing",
};

function resultSummary(r) {
  const name = `${r.query.name} ${r.query.type || "A"}`;
  const ok = r.outcome === "answer";
  const data = ok ? r.answers.map((a) => `${a.type} ${a.data}`).join(", ") : r.outcome;
  const from = ok ? `answered from ${sourceWords[r.source] || r.source}` : `failed (${r.outcome})`;
  return h("p", { class: `lab-verdict ${ok ? "ok" : "bad"} dns-sum`, "data-source": r.source, "data-elapsed": String(r.elapsedMs) },
    `t=${fmtMs(r.query.at)}: ${name} → ${data}; ${from} after ${fmtMs(r.elapsedMs)}; ${r.dnsSends} DNS packet${r.dnsSends === 1 ? "" : "s"} sent`);
}

function timelineView(r) {
  const wrap = h("div", { class: "dns-result" });
  wrap.append(resultSummary(r));
  if (r.candidates && r.candidates.length > 1) {
    wrap.append(h("p", {}, "Names asked, in order: ", h("span", { class: "lab-mono" }, r.candidates.join(" → "))));
  }
  const ol = h("ol", { class: "lab-trace dns-timeline", "aria-label": `Timeline of ${r.query.name}` });
  const shown = new Set();
  for (const s of r.steps) {
    const li = h("li", { class: `dns-step dns-${s.kind}${s.kind === "cache-hit" ? " hit" : ""}`, "data-kind": s.kind },
      h("span", { class: "dns-t" }, `+${fmtMs(s.dt)}`),
      " ", h("span", { class: "dns-kind" }, s.kind), " ",
      s.text,
      s.server ? h("span", { class: "dns-server" }, ` [server ${s.server}]`) : null,
      " ", claim(s.evidence), " ", source(s.source));
    if (s.message !== undefined && s.message !== null && r.messages[s.message] && !shown.has(s.message)) {
      shown.add(s.message);
      li.append(messageView(r.messages[s.message]));
    }
    ol.append(li);
  }
  wrap.append(ol);
  return wrap;
}

function cacheTable(rows, caption) {
  return h("div", { class: "lab-scroll" }, h("table", { class: "lab-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Name", "Type", "Status", "Data", "TTL left (s)", "From"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.length ? rows.map((c) => h("tr", {},
      h("td", { class: "lab-mono" }, c.name), h("td", {}, c.type), h("td", {}, c.status), h("td", { class: "lab-mono" }, c.data || "—"),
      h("td", {}, c.ttl < 0 ? "static" : String(c.ttl)), h("td", {}, c.origin))) : h("tr", {}, h("td", { colspan: "6" }, "(empty)")))));
}

function legendView(ev) {
  return h("ul", { class: "dns-legend" }, (ev || []).map((l) => h("li", {}, claim(l.label), " ", l.meaning)));
}

// ---------- the widget ----------

export async function mount(el, api) {
  el.classList.add("dns-lab");
  let importedCache = [];

  // ---- builder ----
  const builder = h("section", { class: "dns-builder", "aria-labelledby": "dns-h-builder" },
    h("h2", { id: "dns-h-builder" }, "1. Build a scenario and resolve"));
  const sampleSel = h("select", {}, samples.map((s) => h("option", { value: s.id }, s.label)));
  const [sampleField] = field("Sample scenario (samples are made-up examples, not your network)", sampleSel);
  const loadBtn = h("button", { type: "button", class: "secondary" }, "Load sample");
  builder.append(h("div", { class: "lab-row" }, sampleField, h("div", { class: "dns-btncell" }, loadBtn)));

  // servers
  const serverList = h("ol", { class: "dns-servers", "aria-label": "DNS servers in list order" });
  const addServerBtn = h("button", { type: "button", class: "secondary" }, "Add server");
  function serverRow(s) {
    const addr = h("input", { type: "text", value: s.addr, autocomplete: "off", spellcheck: "false", "data-role": "addr" });
    const mode = h("select", { "data-role": "mode" },
      h("option", { value: "answer" }, "answers"),
      h("option", { value: "slow" }, "slow (answers late)"),
      h("option", { value: "unreachable" }, "unreachable (never answers)"),
      h("option", { value: "servfail" }, "SERVFAIL"));
    const lat = h("input", { type: "number", min: "0", max: "60000", step: "1", value: String(s.latencyMs ?? 20), "data-role": "latency" });
    mode.value = s.mode === "answer" && (s.latencyMs ?? 0) > 1000 ? "slow" : s.mode;
    mode.addEventListener("change", () => {
      if (mode.value === "slow" && Number(lat.value) <= 1000) lat.value = "1500";
      if (mode.value === "answer" && Number(lat.value) > 1000) lat.value = "30";
      lat.disabled = mode.value === "unreachable";
    });
    lat.disabled = mode.value === "unreachable";
    const li = h("li", { class: "dns-server-row" });
    const n = () => [...serverList.children].indexOf(li) + 1;
    const rm = h("button", { type: "button", class: "secondary" }, "Remove");
    rm.addEventListener("click", () => { li.remove(); relabel(); });
    const [fa] = field("Address", addr);
    const [fm] = field("Behaviour", mode);
    const [fl] = field("Round trip (ms)", lat);
    li.append(h("div", { class: "lab-row" }, fa, fm, fl, h("div", { class: "dns-btncell" }, rm)));
    li.relabel = () => {
      const i = n();
      fa.querySelector("label").textContent = `Server ${i} address`;
      fm.querySelector("label").textContent = `Server ${i} behaviour`;
      fl.querySelector("label").textContent = `Server ${i} round trip (ms)`;
      rm.textContent = `Remove server ${i}`;
    };
    return li;
  }
  function relabel() { [...serverList.children].forEach((li) => li.relabel()); }
  addServerBtn.addEventListener("click", () => {
    serverList.append(serverRow({ addr: `10.0.0.${serverList.children.length + 1}`, mode: "answer", latencyMs: 30 }));
    relabel();
    serverList.lastElementChild.querySelector("input").focus();
  });
  builder.append(h("h3", {}, "DNS servers (asked in this order)"),
    h("p", { class: "dns-hint" }, "A server that answers returns the records of the zone below, and NXDOMAIN (name does not exist) for names the zone does not list. \"Slow\" is a server whose round trip is over a second, so the client's retransmissions start before it answers."),
    serverList, addServerBtn);

  const zoneTa = h("textarea", { rows: "4", spellcheck: "false", "data-input": "zone" });
  const [zoneField] = field("Zone: the names the servers know (name type ttl data, one per line)", zoneTa);
  const hostsTa = h("textarea", { rows: "3", spellcheck: "false", "data-input": "hosts" });
  const [hostsField] = field("Hosts file (%SystemRoot%\\System32\\drivers\\etc\\hosts)", hostsTa);
  const linkTa = h("textarea", { rows: "2", spellcheck: "false", "data-input": "link" });
  const [linkField] = field("Machines on the local link that answer LLMNR and NetBIOS for single-label names (name address [ms], one per line)", linkTa);
  builder.append(zoneField, hostsField, linkField);

  // suffixes
  const primary = h("input", { type: "text", spellcheck: "false", placeholder: "central.contoso.com" });
  const conn = h("input", { type: "text", spellcheck: "false", placeholder: "lab.contoso.com" });
  const search = h("input", { type: "text", spellcheck: "false", placeholder: "(empty: use primary and connection suffixes)" });
  const devo = h("input", { type: "checkbox", checked: true });
  const level = h("input", { type: "number", min: "2", max: "127", value: "2" });
  const llmnr = h("input", { type: "checkbox", checked: true });
  const netbios = h("input", { type: "checkbox", checked: true });
  const devoId = nextId("devo");
  devo.id = devoId;
  llmnr.id = nextId("llmnr");
  netbios.id = nextId("nb");
  builder.append(h("h3", {}, "Suffixes for short names"),
    h("div", { class: "lab-row" },
      field("Primary DNS suffix", primary)[0],
      field("Connection-specific suffixes (comma-separated)", conn)[0],
      field("Suffix search list (comma-separated; replaces the others)", search)[0]),
    h("div", { class: "lab-row dns-checks" },
      h("div", { class: "dns-check" }, devo, h("label", { for: devoId }, "Devolution of the primary suffix")),
      field("Devolution level (fewest labels kept)", level)[0],
      h("div", { class: "dns-check" }, llmnr, h("label", { for: llmnr.id }, "LLMNR fallback")),
      h("div", { class: "dns-check" }, netbios, h("label", { for: netbios.id }, "NetBIOS fallback"))));

  const queriesTa = h("textarea", { rows: "3", spellcheck: "false", "data-input": "queries" });
  const [qField] = field("Names to resolve: time name [type], one per line (times like 0, 1500ms, 3s)", queriesTa);
  const cacheNote = h("p", { class: "dns-hint", "data-cache-note": "" }, "The cache starts empty (import your own cache in part 3 to start from it).");
  const forgetBtn = h("button", { type: "button", class: "secondary", hidden: true }, "Start from an empty cache instead");
  forgetBtn.addEventListener("click", () => {
    importedCache = [];
    cacheNote.replaceChildren("The cache starts empty (import your own cache in part 3 to start from it). ", forgetBtn);
    forgetBtn.hidden = true;
    resolve();
  });
  cacheNote.append(" ", forgetBtn);
  const resolveBtn = h("button", { type: "button", "data-action": "resolve" }, "Resolve");
  const builderErr = h("div", { "data-error": "builder" });
  builder.append(qField, cacheNote, resolveBtn, builderErr);

  const out = h("div", { class: "dns-out", "aria-live": "polite", "data-output": "resolve" });
  builder.append(out);

  function loadSample(s) {
    serverList.replaceChildren(...s.servers.map(serverRow));
    relabel();
    zoneTa.value = s.zone ?? exampleZone;
    hostsTa.value = s.hosts ?? "127.0.0.1 localhost";
    linkTa.value = s.link ?? "printer 192.168.1.50 5";
    primary.value = s.primary ?? "";
    conn.value = (s.conn || []).join(", ");
    search.value = (s.search || []).join(", ");
    devo.checked = s.devolution ?? true;
    level.value = String(s.level ?? 2);
    llmnr.checked = true;
    netbios.checked = true;
    queriesTa.value = s.queries;
  }

  /** Puts an exercise's engine scenario into the builder. */
  function loadScenario(sc) {
    const c = sc.config || {};
    serverList.replaceChildren(...(c.servers || []).map(serverRow));
    relabel();
    zoneTa.value = (sc.zone || []).map((r) => `${r.name} ${r.type} ${r.ttl} ${r.data}`).join("\n");
    hostsTa.value = sc.hosts || "";
    linkTa.value = (sc.link || []).map((l) => `${l.name} ${l.addr}${l.latencyMs ? " " + l.latencyMs : ""}`).join("\n");
    primary.value = c.primarySuffix || "";
    conn.value = (c.connectionSuffixes || []).join(", ");
    search.value = (c.suffixSearchList || []).join(", ");
    devo.checked = c.devolution ? c.devolution.enabled : true;
    level.value = String(c.devolution ? c.devolution.level || 2 : 2);
    llmnr.checked = c.llmnr !== false;
    netbios.checked = c.netbios !== false;
    const t = (ms) => (ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : String(ms));
    queriesTa.value = sc.queries.map((q) => `${t(q.at)} ${q.name}${q.type && q.type !== "A" ? " " + q.type : ""}`).join("\n");
  }

  function scenario() {
    const servers = [...serverList.children].map((li) => {
      const mode = li.querySelector('[data-role="mode"]').value;
      const s = { addr: li.querySelector('[data-role="addr"]').value.trim(), mode: mode === "slow" ? "answer" : mode };
      if (mode !== "unreachable") s.latencyMs = Number(li.querySelector('[data-role="latency"]').value) || 0;
      return s;
    });
    const sc = {
      config: {
        servers,
        primarySuffix: primary.value.trim() || undefined,
        connectionSuffixes: splitList(conn.value),
        suffixSearchList: splitList(search.value),
        devolution: { enabled: devo.checked, level: Number(level.value) || 2 },
        llmnr: llmnr.checked, netbios: netbios.checked,
      },
      hosts: hostsTa.value,
      zone: parseZone(zoneTa.value),
      link: parseLink(linkTa.value),
      queries: parseQueries(queriesTa.value),
    };
    if (importedCache.length) sc.cache = importedCache;
    return sc;
  }

  const inputs = { zone: zoneTa, hosts: hostsTa, queries: queriesTa, link: linkTa };
  function clearInvalid() {
    for (const e of el.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
  }
  function showBuilderError(err) {
    clearInvalid();
    let target = null;
    let text;
    let line = 0;
    let col = 0;
    if (err instanceof BuilderError) {
      target = inputs[err.input];
      text = target.value;
      line = err.line;
      builderErr.replaceChildren(errorBox({ field: `${err.input} line ${err.line}`, message: err.message }, text, line, 1));
    } else {
      const f = err.field || "";
      const m = /^config\.servers\[(\d+)\]\.(\w+)/.exec(f);
      if (m) {
        const li = serverList.children[Number(m[1])];
        if (li) target = li.querySelector(m[2] === "mode" ? '[data-role="mode"]' : m[2] === "latencyMs" ? '[data-role="latency"]' : '[data-role="addr"]');
      } else if (f.startsWith("hosts")) {
        target = hostsTa;
        text = hostsTa.value;
        [line, col] = locate(err, text);
      } else if (f.startsWith("config.primarySuffix")) target = primary;
      else if (f.startsWith("config.connectionSuffixes")) target = conn;
      else if (f.startsWith("config.suffixSearchList")) target = search;
      else if (f.startsWith("config.devolution")) target = level;
      else if (f.startsWith("queries")) target = queriesTa;
      else if (f.startsWith("zone")) target = zoneTa;
      else if (f.startsWith("link")) target = linkTa;
      // zone[i], link[i] and queries[i] count non-empty lines: point at the real line.
      const idx = /^(zone|queries|link)\[(\d+)\]/.exec(f);
      if (idx) {
        text = inputs[idx[1]].value;
        let k = -1;
        const ls = text.split(/\r?\n/);
        for (let i = 0; i < ls.length; i++) {
          const l = ls[i].trim();
          if (l && !l.startsWith("#") && ++k === Number(idx[2])) { line = i + 1; break; }
        }
        col = 1;
      }
      const named = idx && line ? { field: `${f} (line ${line})`, message: err.message } : err;
      builderErr.replaceChildren(errorBox(named, text, line, col));
    }
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.focus();
    }
  }

  async function resolve() {
    builderErr.replaceChildren();
    clearInvalid();
    let sc;
    try {
      sc = scenario();
    } catch (e) {
      if (e instanceof BuilderError) { showBuilderError(e); return; }
      throw e;
    }
    let res;
    try {
      res = await api.run("resolve", sc);
    } catch (e) {
      showBuilderError(e);
      out.replaceChildren();
      return;
    }
    renderOutcome(res);
  }

  function renderOutcome(res) {
    const kids = [h("h3", {}, "Timeline")];
    const firstBy = new Map();
    res.results.forEach((r, i) => {
      const key = `${r.query.name.toLowerCase().replace(/\.$/, "")}|${r.query.type || "A"}`;
      const art = h("article", { class: "dns-query", "data-query": String(i) }, h("h4", {}, `Query ${i + 1}: ${r.query.name} at t=${fmtMs(r.query.at)}`));
      art.append(timelineView(r));
      const prev = firstBy.get(key);
      if (prev && (r.source === "cache" || r.source === "negative-cache" || (r.source === "dns" && r.outcome === "nxdomain" && r.dnsSends === 0))) {
        art.append(h("p", { class: "dns-why", "data-why": "cache" },
          `Why so fast? Query ${prev.i + 1} took ${fmtMs(prev.r.elapsedMs)} and stored the answer in the resolver cache; this one took ${fmtMs(r.elapsedMs)} and sent ${r.dnsSends} packets. `,
          claim("documented"), " The DNS Client service keeps answers (and negative answers) for their TTL."));
      }
      if (!prev) firstBy.set(key, { i, r });
      kids.push(art);
    });
    kids.push(h("h3", {}, `Resolver cache at t=${fmtMs(res.cacheAt)}`));
    kids.push(cacheTable(res.cache, "Cache contents after the last query (TTL counted down on the simulated clock)"));
    kids.push(h("h3", {}, "Evidence labels"), legendView(res.evidence));
    out.replaceChildren(...kids);
  }

  loadBtn.addEventListener("click", () => { loadSample(samples.find((s) => s.id === sampleSel.value)); resolve(); });
  resolveBtn.addEventListener("click", resolve);
  queriesTa.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) resolve(); });

  // ---- exercises ----
  const exSec = h("section", { class: "dns-exercises", "aria-labelledby": "dns-h-ex" },
    h("h2", { id: "dns-h-ex" }, "2. Predict, then let the engine check"),
    h("p", {}, "Each exercise runs a fixed scenario in the engine. Answer first; the check tells you whether you were right and shows the timeline that decides it. You can also load the scenario into the builder above and change it."));
  const exercises = await api.run("exercises", {});
  const groups = [
    { title: "Ask twice: why is the second one instant?", ids: ["ask-twice", "ask-twice-source", "ttl-expired"] },
    { title: "Predict when the answer arrives", ids: exercises.map((e) => e.id).filter((id) => !["ask-twice", "ask-twice-source", "ttl-expired"].includes(id)) },
  ];
  for (const g of groups) {
    exSec.append(h("h3", {}, g.title));
    for (const id of g.ids) {
      const ex = exercises.find((e) => e.id === id);
      if (ex) exSec.append(exerciseView(ex));
    }
  }

  function exerciseView(ex) {
    const box = h("div", { class: "lab-exercise", "data-exercise": ex.id });
    box.append(h("h4", {}, ex.title), h("p", {}, ex.prompt));
    let getAnswer;
    if (ex.kind === "choice") {
      const fs = h("fieldset", {}, h("legend", {}, "Your answer"));
      const name = nextId("choice");
      ex.choices.forEach((c, i) => {
        const id = `${name}-${i}`;
        fs.append(h("div", { class: "dns-check" }, h("input", { type: "radio", name, id, value: c }), h("label", { for: id, class: "lab-mono" }, c)));
      });
      box.append(fs);
      getAnswer = () => {
        const sel = fs.querySelector("input:checked");
        return sel ? sel.value : undefined;
      };
    } else {
      const inp = h("input", { type: "number", step: "any", inputmode: "decimal", "data-answer": "" });
      box.append(field(ex.kind === "ms" ? "Your prediction (milliseconds)" : "Your prediction (packets)", inp,
        ex.kind === "ms" ? "Counted right within 50 ms or 5 %, whichever is larger." : "An exact count.")[0]);
      getAnswer = () => (inp.value.trim() === "" ? undefined : Number(inp.value));
    }
    const check = h("button", { type: "button", "data-action": "check" }, "Check");
    const load = h("button", { type: "button", class: "secondary" }, "Load into the builder");
    const res = h("div", { "aria-live": "polite", "data-output": "check" });
    box.append(check, load, res);
    load.addEventListener("click", () => {
      loadScenario(ex.scenario);
      builder.scrollIntoView({ block: "start" });
      queriesTa.focus();
    });
    check.addEventListener("click", async () => {
      const a = getAnswer();
      if (a === undefined) {
        res.replaceChildren(h("p", { class: "lab-error", role: "alert" }, "Give an answer first."));
        return;
      }
      try {
        const r = await api.run("check", { exercise: ex.id, answer: a });
        res.replaceChildren(
          h("p", { class: `lab-verdict ${r.correct ? "pass" : "fail"}`, "data-verdict": r.correct ? "correct" : "wrong" },
            r.correct ? `Right: the engine says ${r.expected}${ex.kind === "ms" ? " ms" : ""}.` : `Not quite: you said ${r.got}, the engine says ${r.expected}${ex.kind === "ms" ? " ms" : ""}.`),
          h("p", {}, claim(r.evidence), " ", r.why, " ", source(r.source)),
          h("details", {}, h("summary", {}, "The timeline that decides it"), timelineView(r.result)));
      } catch (e) {
        res.replaceChildren(errorBox(e));
      }
    });
    return box;
  }

  // ---- import ----
  const imp = h("section", { class: "dns-import", "aria-labelledby": "dns-h-imp" },
    h("h2", { id: "dns-h-imp" }, "3. Browse your own resolver cache"),
    h("p", {}, "On Windows run ", h("code", {}, "Get-DnsClientCache | ConvertTo-Json"), " or ", h("code", {}, "ipconfig /displaydns"),
      " (English output), then paste the text here or open the saved file. It is read in this browser tab only."));
  const impTa = h("textarea", { rows: "8", spellcheck: "false", "data-input": "cache" });
  const [impField] = field("Cache text (JSON or ipconfig /displaydns)", impTa);
  const fileIn = h("input", { type: "file", accept: ".json,.txt,text/plain,application/json" });
  const [fileField] = field("…or open a file", fileIn);
  const fmtSel = h("select", {}, h("option", { value: "" }, "detect"), h("option", { value: "json" }, "JSON (Get-DnsClientCache | ConvertTo-Json)"), h("option", { value: "displaydns" }, "ipconfig /displaydns text"));
  const [fmtField] = field("Format", fmtSel);
  const impBtn = h("button", { type: "button", "data-action": "import" }, "Import");
  const impErr = h("div", { "data-error": "import" });
  const impOut = h("div", { "aria-live": "polite", "data-output": "import" });
  imp.append(impField, h("div", { class: "lab-row" }, fileField, fmtField), impBtn, impErr, impOut);

  fileIn.addEventListener("change", async () => {
    const f = fileIn.files && fileIn.files[0];
    if (!f) return;
    impErr.replaceChildren();
    if (f.size > 8 << 20) {
      impErr.replaceChildren(errorBox({ field: "file", message: `${f.name} is larger than 8 MiB` }));
      return;
    }
    const b = new Uint8Array(await f.arrayBuffer());
    let text;
    try {
      // Windows PowerShell 5.1's ">" writes UTF-16 with a byte-order mark.
      if (b[0] === 0xff && b[1] === 0xfe) text = new TextDecoder("utf-16le").decode(b.slice(2));
      else if (b[0] === 0xfe && b[1] === 0xff) text = new TextDecoder("utf-16be").decode(b.slice(2));
      else text = new TextDecoder("utf-8", { fatal: true }).decode(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.slice(3) : b);
    } catch {
      impErr.replaceChildren(errorBox({ field: "file", message: `${f.name} is neither UTF-8 nor UTF-16 with a byte-order mark` }));
      return;
    }
    impTa.value = text;
    doImport();
  });

  async function doImport() {
    impErr.replaceChildren();
    impTa.removeAttribute("aria-invalid");
    const text = impTa.value;
    if (!text.trim()) {
      impErr.replaceChildren(errorBox({ field: "line 1", message: "paste the output of Get-DnsClientCache | ConvertTo-Json or ipconfig /displaydns first" }));
      return;
    }
    let r;
    try {
      r = await api.run("import-cache", { format: fmtSel.value, text });
    } catch (e) {
      const [line, col] = locate(e, text);
      let named = e;
      const m = /^entries\[(\d+)\]\.?(\w*)/.exec(e.field || "");
      if (m) named = { field: `entry ${Number(m[1]) + 1}${m[2] ? `, field ${m[2]}` : ""} (${e.field})`, message: e.message };
      impErr.replaceChildren(errorBox(named, text, line, col));
      impTa.setAttribute("aria-invalid", "true");
      impOut.replaceChildren();
      return;
    }
    renderImport(r);
  }
  impBtn.addEventListener("click", doImport);

  function renderImport(r) {
    const byType = Object.keys(r.summary.byType).sort().map((k) => `${k} ${r.summary.byType[k]}`).join(", ");
    const byStatus = Object.keys(r.summary.byStatus).sort().map((k) => `${k} ${r.summary.byStatus[k]}`).join(", ");
    const kids = [h("p", { class: "lab-verdict neutral", "data-import-count": String(r.count) },
      `${r.count} record${r.count === 1 ? "" : "s"} for ${r.summary.names} name${r.summary.names === 1 ? "" : "s"} read as ${r.format}. By type: ${byType || "none"}. By status: ${byStatus || "none"}.`)];
    if (r.warnings.length) kids.push(h("details", {}, h("summary", {}, `${r.warnings.length} warning(s)`), h("ul", {}, r.warnings.map((w) => h("li", {}, w)))));
    kids.push(h("ul", { class: "dns-legend" }, r.notes.map((n) => h("li", {}, claim(n.evidence), " ", n.text, " ", source(n.source)))));

    const q = h("input", { type: "search", spellcheck: "false", placeholder: "name or data contains…" });
    const types = [...new Set(r.entries.map((e) => e.type))].sort();
    const tSel = h("select", {}, h("option", { value: "" }, "all types"), types.map((t) => h("option", { value: t }, t)));
    const stSel = h("select", {}, h("option", { value: "" }, "all statuses"), ["Success", "NotExist", "NoRecords"].map((s) => h("option", { value: s }, s)));
    const count = h("p", { "aria-live": "polite", class: "dns-hint" });
    const tbody = h("tbody");
    const showData = (e) => e.data || (e.status === "Success" ? "—" : e.status === "NotExist" ? "(name does not exist)" : "(no records of this type)");
    function filter() {
      const s = q.value.trim().toLowerCase();
      const rows = r.entries.filter((e) => (!tSel.value || e.type === tSel.value) && (!stSel.value || e.status === stSel.value) &&
        (!s || e.entry.toLowerCase().includes(s) || e.name.toLowerCase().includes(s) || (e.data || "").toLowerCase().includes(s)));
      tbody.replaceChildren(...rows.slice(0, 2000).map((e) => h("tr", {},
        h("td", { class: "lab-mono" }, e.entry), h("td", { class: "lab-mono" }, e.name), h("td", {}, e.type), h("td", {}, e.status),
        h("td", {}, e.section || "—"), h("td", {}, String(e.ttl)), h("td", { class: "lab-mono" }, showData(e)), h("td", {}, e.line ? String(e.line) : String(e.index + 1)))));
      count.textContent = `Showing ${Math.min(rows.length, 2000)} of ${r.entries.length} records.`;
    }
    for (const c of [q, tSel, stSel]) c.addEventListener("input", filter);
    kids.push(h("div", { class: "lab-row" }, field("Filter", q)[0], field("Type", tSel)[0], field("Status", stSel)[0]), count);
    kids.push(h("div", { class: "lab-scroll" }, h("table", { class: "lab-table", "data-table": "cache" },
      h("caption", {}, "Your resolver cache (as imported)"),
      h("thead", {}, h("tr", {}, ["Entry", "Record name", "Type", "Status", "Section", "TTL (s)", "Data", r.format === "json" ? "#" : "Line"].map((c) => h("th", { scope: "col" }, c)))),
      tbody)));
    const use = h("button", { type: "button", class: "secondary", "data-action": "use-cache" }, `Start the scenario from this cache (${r.cache.length} usable entries)`);
    use.addEventListener("click", () => {
      importedCache = r.cache;
      cacheNote.replaceChildren(`The scenario starts with ${r.cache.length} entries imported from your cache (TTLs count down from the values you exported). `, forgetBtn);
      forgetBtn.hidden = false;
      builder.scrollIntoView({ block: "start" });
      queriesTa.focus();
    });
    kids.push(use);
    impOut.replaceChildren(...kids);
    filter();
  }

  el.append(builder, exSec, imp);
  loadSample(samples[0]);
  await resolve();
}
