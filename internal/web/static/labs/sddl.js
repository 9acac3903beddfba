// ACL & SDDL lab: parses a security descriptor string with the sddl engine (WebAssembly, in this
// browser) and explains every part. Built with DOM APIs only: no markup strings, no inline styles.

import { badge, byteErrorBox, code, h, idGen } from "./dom.js";

const TYPES = [
  ["file", "File"],
  ["directory", "Directory (folder)"],
  ["key", "Registry key"],
  ["process", "Process"],
  ["service", "Service"],
  ["generic", "Generic object"],
];

const FLAG_TEXT = {
  OI: "object inherit: files (leaf objects) below get this ACE",
  CI: "container inherit: subfolders (containers) below get this ACE",
  NP: "no propagate: children get it, grandchildren do not",
  IO: "inherit only: not applied to this object, only passed down",
  ID: "inherited: copied from a parent, not set here",
  SA: "audit successful access",
  FA: "audit failed access",
  TP: "trust protected (access filter ACE)",
  CR: "critical: cannot be removed",
};

const ACL_FLAG_TEXT = {
  P: "P protected: ACEs from the parent are not inherited",
  AI: "AI auto-inherited: inheritable ACEs were propagated to children",
  AR: "AR auto-inherit requested",
};

const nextId = idGen("sddl");

/** errorBox shows an engine error with the input line and a caret under the offending byte. */
function errorBox(err, input, what) {
  return byteErrorBox(err, input, what, { prefix: "sddl", where: sddlWhere });
}

function sddlWhere(err, off) {
  const where = off >= 0 ? `at byte offset ${off}` : err.field ? `in ${err.field}` : "";
  return where ? " " + where : "";
}

function trusteeCell(t) {
  if (!t) return h("span", { class: "sddl-muted" }, "(none)");
  const wrap = h("div", { class: "sddl-trustee" });
  if (t.alias) wrap.append(h("strong", { class: "lab-mono" }, t.alias), " ");
  wrap.append(h("span", {}, t.name || "(no well-known name)"));
  wrap.append(h("div", { class: "lab-mono sddl-sid" }, t.sid));
  if (t.domainRelative) {
    wrap.append(h("div", { class: "sddl-note" }, badge("model"), " domain-relative: shown under the placeholder domain S-1-5-21-0-0-0; a real machine uses its own domain SID"));
  }
  return wrap;
}

function valueText(v) {
  if (!v) return "";
  switch (v.type) {
    case "string": return JSON.stringify(v.string ?? "");
    case "sid": return `SID(${v.sid})`;
    case "octets": return `#${v.hex ?? ""}`;
    case "bool": return String(!!v.bool);
    case "uint": return String(v.uint ?? 0);
    case "int": return String(v.int ?? 0);
    case "composite": return "{" + (v.items || []).map(valueText).join(", ") + "}";
  }
  return v.type;
}

/** condTree renders a conditional expression tree as nested lists. */
function condTree(n) {
  if (!n) return null;
  let label;
  switch (n.kind) {
    case "logical": label = n.op === "&&" ? "AND (&&) — both must be TRUE" : "OR (||) — one must be TRUE"; break;
    case "not": label = "NOT (!)"; break;
    case "compare": label = `compare: ${n.op}`; break;
    case "unary": label = `${n.op}`; break;
    case "attribute": label = `attribute ${n.attr}`; break;
    case "value": label = `value ${valueText(n.value)} (${n.value ? n.value.type : "?"})`; break;
    default: label = n.kind;
  }
  const li = h("li", {}, h("span", { class: "lab-mono" }, label));
  if (n.args && n.args.length) li.append(h("ul", { class: "sddl-cond" }, n.args.map(condTree)));
  return li;
}

function rightsCell(a) {
  const wrap = h("div", {});
  wrap.append(h("div", {}, a.rightsSummary || "(no rights)"));
  wrap.append(h("div", { class: "lab-mono sddl-muted" }, `${a.rights} = ${a.mask}`));
  if (a.rightNames && a.rightNames.length > 1) {
    const d = h("details", {}, h("summary", {}, `${a.rightNames.length} rights`));
    d.append(h("ul", { class: "sddl-rights" }, a.rightNames.map((n) => h("li", { class: "lab-mono" }, n))));
    wrap.append(d);
  } else if (a.rightNames && a.rightNames.length === 1 && a.rightNames[0] !== a.rightsSummary) {
    wrap.append(h("div", { class: "lab-mono" }, a.rightNames[0]));
  }
  return wrap;
}

function inheritCell(a) {
  const wrap = h("div", {});
  wrap.append(h("div", {}, a.inheritance));
  if (a.flags.length) {
    const d = h("details", {}, h("summary", { class: "lab-mono" }, a.flags.join(" ")));
    d.append(h("ul", { class: "sddl-flags" }, a.flags.map((f) => h("li", {}, h("span", { class: "lab-mono" }, f), " ", FLAG_TEXT[f] || ""))));
    wrap.append(d);
  }
  return wrap;
}

// Long winnt.h names break only at their underscores.
const breakable = (name) => name.replace(/_/g, "_\u200b");

function hasExtra(a) {
  return !!(a.objectType || a.inheritedObjectType || a.condition || a.resourceAttribute);
}

function extraCell(a) {
  const wrap = h("div", {});
  if (a.objectType) wrap.append(h("div", {}, "object type ", h("span", { class: "lab-mono" }, a.objectType)));
  if (a.inheritedObjectType) wrap.append(h("div", {}, "inherited object type ", h("span", { class: "lab-mono" }, a.inheritedObjectType)));
  if (a.condition) {
    wrap.append(h("div", {}, "condition ", h("span", { class: "lab-mono sddl-condition" }, a.condition)));
    if (a.conditionTree) {
      const d = h("details", {}, h("summary", {}, "parsed expression"));
      d.append(h("ul", { class: "sddl-cond" }, condTree(a.conditionTree)));
      wrap.append(d);
    }
  }
  if (a.resourceAttribute) {
    const ra = a.resourceAttribute;
    wrap.append(h("div", {}, "resource attribute ", h("span", { class: "lab-mono" }, `${ra.name} (${ra.type}) = ${(ra.values || []).map(valueText).join(", ")}`)));
  }
  if (!wrap.childNodes.length) wrap.append(h("span", { class: "sddl-muted" }, "—"));
  return wrap;
}

function aceTable(acl, which) {
  const table = h("table", { class: "lab-table sddl-aces", "data-acl": which });
  table.append(h("caption", { class: "sddl-caption" }, `${which} ACEs in order`));
  // The object GUID / condition column only when an ACE of this ACL has one.
  const extra = acl.aces.some(hasExtra);
  const cols = ["#", "Effect", "Trustee", "Rights", "Applies to", extra ? "Object / condition" : null, "Raw text"].filter(Boolean);
  table.append(h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c)))));
  if (extra) table.classList.add("sddl-wide");
  const body = h("tbody", {});
  for (const a of acl.aces) {
    const raw = h("div", {}, h("code", { class: "lab-mono" }, a.raw));
    if (a.canonical !== a.raw) raw.append(h("div", { class: "sddl-muted" }, "canonical: ", h("code", {}, a.canonical)));
    body.append(h("tr", { class: `sddl-ace sddl-${(a.effect || "other").replace(/\s+/g, "-")}`, "data-ace": a.index },
      h("th", { scope: "row" }, String(a.index)),
      h("td", {}, h("strong", { class: "sddl-effect" }, a.effect || a.type),
        h("div", { class: "sddl-typename" }, h("span", { class: "lab-mono" }, a.type), " ", breakable(a.typeName))),
      h("td", {}, trusteeCell(a.trustee)),
      h("td", {}, rightsCell(a)),
      h("td", {}, inheritCell(a)),
      extra ? h("td", {}, extraCell(a)) : null,
      h("td", {}, raw)));
  }
  table.append(body);
  return h("div", { class: "lab-scroll" }, table);
}

function aclSection(acl, which) {
  const sec = h("section", { class: "sddl-acl", "data-acl-section": which });
  sec.append(h("h3", {}, which === "DACL" ? "DACL — who gets what" : "SACL — auditing and the integrity label"));
  let state;
  if (!acl.present) {
    state = which === "DACL"
      ? "No DACL at all (no D: component): the object is unprotected — everyone gets every right."
      : "No SACL in this string (Get-Acl leaves it out unless you add -Audit as an administrator).";
  } else if (acl.null) {
    state = which === "DACL"
      ? "NULL DACL (D:NO_ACCESS_CONTROL): no protection — everyone gets every right. Not the same as an empty DACL."
      : "NULL SACL (S:NO_ACCESS_CONTROL): no auditing and no label.";
  } else if (acl.aces.length === 0) {
    state = which === "DACL"
      ? "Empty DACL (D: with no ACEs): nobody gets any right (only an owner's implicit READ_CONTROL and WRITE_DAC remain). The opposite of a NULL DACL."
      : "Empty SACL: nothing is audited and the object has no explicit integrity label.";
  } else {
    state = `${acl.aces.length} ACE${acl.aces.length === 1 ? "" : "s"}.`;
  }
  const kind = !acl.present ? "absent" : acl.null ? "null" : acl.aces.length === 0 ? "empty" : "aces";
  sec.append(h("p", { class: `sddl-acl-state sddl-state-${kind}`, "data-acl-state": kind }, badge("documented"), " ", state));
  if (acl.flags.length) {
    sec.append(h("p", {}, "ACL flags: ", acl.flags.map((f, i) => [i ? "; " : "", ACL_FLAG_TEXT[f] || f])));
  }
  if (acl.present && !acl.null && acl.aces.length) sec.append(aceTable(acl, which));
  return sec;
}

function render(out, v, input) {
  out.replaceChildren();

  // Canonical order first: it is the one verdict of this lab.
  const dacl = v.dacl;
  const checkable = dacl.present && !dacl.null && dacl.aces.length > 0;
  const verdict = h("div", { class: `lab-verdict ${v.canonical ? "ok" : "bad"}`, "data-canonical": String(v.canonical) },
    v.canonical
      ? (checkable ? "DACL order is canonical" : "DACL order: nothing to order")
      : "DACL order is NOT canonical");
  out.append(verdict);
  if (v.orderProblems.length) {
    out.append(h("ul", { class: "sddl-problems" }, v.orderProblems.map((p) => h("li", {}, p.message, h("span", { class: "sddl-muted" }, ` (byte offset ${p.offset})`)))));
  }
  const why = h("details", { class: "sddl-why" }, h("summary", {}, "Why ACE order matters"));
  why.append(h("p", {}, badge("documented"), " ", v.orderExplanation, " ",
    h("a", { href: v.orderDoc, rel: "noopener" }, "Order of ACEs in a DACL (Microsoft Learn)")));
  out.append(why);

  const sum = h("table", { class: "lab-table sddl-summary" });
  sum.append(h("caption", { class: "sddl-caption" }, "Security descriptor header"));
  const tb = h("tbody", {});
  tb.append(h("tr", { "data-row": "owner" }, h("th", { scope: "row" }, "Owner (O:)"), h("td", {}, trusteeCell(v.owner))));
  tb.append(h("tr", { "data-row": "group" }, h("th", { scope: "row" }, "Primary group (G:)"), h("td", {}, trusteeCell(v.group))));
  tb.append(h("tr", { "data-row": "control" }, h("th", { scope: "row" }, "Control"),
    h("td", {}, h("span", { class: "lab-mono" }, `${v.controlHex} `), v.controlFlags.join(", "),
      h("div", { class: "sddl-muted" }, "The SECURITY_DESCRIPTOR_CONTROL word of the self-relative descriptor the string converts to."))));
  tb.append(h("tr", {}, h("th", { scope: "row" }, "Rights decoded as"), h("td", {}, TYPES.find((t) => t[0] === v.type)?.[1] || v.type)));
  sum.append(tb);
  out.append(h("div", { class: "lab-scroll" }, sum));

  out.append(aclSection(v.dacl, "DACL"));
  out.append(aclSection(v.sacl, "SACL"));

  if (v.warnings.length) {
    const w = h("section", { class: "sddl-warnings" }, h("h3", {}, "Notes from the parser"));
    w.append(h("ul", {}, v.warnings.map((x) => h("li", {}, x.message, h("span", { class: "sddl-muted" }, ` (byte offset ${x.offset})`)))));
    out.append(w);
  }

  const rt = h("section", { class: "sddl-roundtrip" }, h("h3", {}, "Canonical SDDL (round trip)"));
  const same = v.sddl === input.replace(/\s+/g, "");
  rt.append(h("p", {}, "Printed back the way ", code("ConvertSecurityDescriptorToStringSecurityDescriptor"), same
    ? " would, the string is unchanged:"
    : " would (aliases, rights codes, component order), the string becomes:"));
  rt.append(h("pre", { class: "lab-mono sddl-canonical", "data-canonical-sddl": "" }, v.sddl));
  out.append(rt);
}

export async function mount(el, api) {
  const id = nextId;
  const ids = { sample: id("sample"), type: id("type"), text: id("text"), hint: id("hint") };

  const sampleSel = h("select", { id: ids.sample });
  sampleSel.append(h("option", { value: "" }, "— paste your own —"));
  const typeSel = h("select", { id: ids.type });
  for (const [v, t] of TYPES) typeSel.append(h("option", { value: v }, t));
  const text = h("textarea", { id: ids.text, rows: "5", spellcheck: "false", autocomplete: "off", "aria-describedby": ids.hint,
    placeholder: "O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)" });
  const run = h("button", { type: "button" }, "Explain");
  const sampleNote = h("p", { class: "sddl-sample-note", hidden: true });
  const out = h("div", { class: "sddl-out", "aria-live": "polite", "data-sddl-out": "" });

  el.append(
    h("div", { class: "lab-row" },
      h("div", {}, h("label", { for: ids.sample }, "Sample descriptor"), sampleSel),
      h("div", {}, h("label", { for: ids.type }, "Object type (decodes the rights)"), typeSel)),
    sampleNote,
    h("label", { for: ids.text }, "SDDL string"),
    text,
    h("p", { id: ids.hint, class: "sddl-hint" }, "Paste the output of ", code("(Get-Acl C:\\Windows).Sddl"), " or ", code("sc.exe sdshow <service>"),
      ". Line breaks and spaces between parts are fine. Ctrl+Enter explains."),
    run,
    out);

  let samples = [];
  try {
    samples = await api.run("samples", {});
    for (const s of samples) sampleSel.append(h("option", { value: s.id }, `Sample: ${s.title}`));
  } catch (e) {
    out.append(errorBox(e, "", "sample list"));
  }

  async function explain() {
    const input = text.value;
    if (!input.trim()) {
      out.replaceChildren(h("p", { class: "lab-error", role: "alert" }, "Paste an SDDL string or pick a sample first."));
      return;
    }
    run.disabled = true;
    try {
      const v = await api.run("parse", { sddl: input, type: typeSel.value });
      render(out, v, input);
    } catch (e) {
      out.replaceChildren(errorBox(e, input, "SDDL string"));
    } finally {
      run.disabled = false;
    }
  }

  sampleSel.addEventListener("change", () => {
    const s = samples.find((x) => x.id === sampleSel.value);
    if (!s) {
      sampleNote.hidden = true;
      return;
    }
    text.value = s.sddl;
    typeSel.value = s.type;
    sampleNote.replaceChildren(h("strong", {}, "Sample: "), s.note, " ",
      s.id === "protected-process" ? badge("model") : badge("observed"),
      " Typical of Windows 10/11; machine-specific SIDs are example values.");
    sampleNote.hidden = false;
    explain();
  });
  typeSel.addEventListener("change", () => { if (text.value.trim()) explain(); });
  run.addEventListener("click", explain);
  text.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      explain();
    }
  });
  text.addEventListener("input", () => {
    if (sampleSel.value) {
      const s = samples.find((x) => x.id === sampleSel.value);
      if (s && text.value !== s.sddl) {
        sampleSel.value = "";
        sampleNote.hidden = true;
      }
    }
  });
}
