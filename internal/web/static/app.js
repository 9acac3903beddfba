// Progressive enhancement: every page works without this file.

function setupTheme() {
  const btn = document.querySelector("[data-theme-toggle]");
  if (!btn) return;
  const root = document.documentElement;
  const current = () => root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  const label = () => {
    const next = current() === "dark" ? "light" : "dark";
    btn.setAttribute("aria-label", `Switch to ${next} theme`);
    btn.title = `Switch to ${next} theme`;
  };
  btn.hidden = false;
  label();
  btn.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("ntatlas-theme", next); } catch (e) { /* not persisted */ }
    label();
  });
}

// A panel that explains the selected block or zone. Links keep working without JavaScript:
// they point at the topic or at the explanation further down.
function setupExplainer(container, itemSel, keyAttr, detailAttr, panel, detailsBox) {
  const items = [...container.querySelectorAll(itemSel)];
  if (!items.length || !panel) return;
  const show = (el) => {
    const key = el.getAttribute(keyAttr);
    const detail = document.querySelector(`[${detailAttr}="${CSS.escape(key)}"]`);
    if (!detail) return false;
    items.forEach((i) => i.setAttribute("aria-pressed", String(i === el)));
    panel.replaceChildren();
    const h = document.createElement("h3");
    h.textContent = detail.querySelector("dt").textContent;
    panel.append(h, ...[...detail.querySelector("dd").children].map((n) => n.cloneNode(true)));
    panel.hidden = false;
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    panel.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
    return true;
  };
  items.forEach((el) => {
    el.setAttribute("role", "button");
    el.setAttribute("aria-pressed", "false");
    el.addEventListener("click", (ev) => {
      if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return; // let "open in new tab" work
      if (show(el)) ev.preventDefault();
    });
    el.addEventListener("keydown", (ev) => {
      if (ev.key === " ") { ev.preventDefault(); if (show(el)) return; }
    });
  });
  if (detailsBox) detailsBox.classList.add("enhanced");
}

function setupMap() {
  const map = document.querySelector("[data-archmap]");
  if (!map) return;
  setupExplainer(document, ".mapblock", "data-block", "data-block-detail",
    document.getElementById("map-panel"), document.querySelector("[data-map-details]"));
}

function setupSchematics() {
  document.querySelectorAll("[data-schematic]").forEach((sec) => {
    const panel = sec.querySelector(".zone-panel");
    setupExplainer(sec, ".zone-button", "data-zone", "data-zone-detail", panel, sec.querySelector("[data-zone-details]"));
    sec.classList.add("enhanced");
  });
}

function setupInstantSearch() {
  document.querySelectorAll("[data-instant-search]").forEach((form) => {
    const input = form.querySelector("input[type=search]");
    const out = form.querySelector(".instant-results");
    if (!input || !out) return;
    let seq = 0, timer = 0;
    const render = (q, results) => {
      out.replaceChildren();
      if (!q) return;
      if (!results.length) {
        const p = document.createElement("p");
        p.className = "muted";
        p.textContent = `Nothing matches “${q}” yet.`;
        out.append(p);
        return;
      }
      const ol = document.createElement("ol");
      ol.className = "results";
      for (const r of results.slice(0, 8)) {
        const li = document.createElement("li");
        li.className = "result";
        const a = document.createElement("a");
        a.href = r.url;
        const kind = document.createElement("span");
        kind.className = "result-kind";
        kind.textContent = r.kind;
        const title = document.createElement("span");
        title.className = "result-title";
        title.textContent = r.title;
        a.append(kind, " ", title);
        const p = document.createElement("p");
        p.className = "result-snippet";
        for (const s of r.snippet || []) {
          if (s.match) { const m = document.createElement("mark"); m.textContent = s.text; p.append(m); }
          else p.append(s.text);
        }
        li.append(a, p);
        ol.append(li);
      }
      out.append(ol);
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = input.value.trim();
        const my = ++seq;
        if (!q) { render("", []); return; }
        try {
          const res = await fetch(`/api/v1/search?q=${encodeURIComponent(q)}`, { headers: { Accept: "application/json" } });
          if (!res.ok) return;
          const data = await res.json();
          if (my === seq) render(q, data.results || []);
        } catch (e) { /* offline: the form still submits */ }
      }, 120);
    });
  });
}

setupTheme();
setupMap();
setupSchematics();
setupInstantSearch();

// --- Learner progress --------------------------------------------------------------------
// Pages are the same for everyone (precomputed and cached); what belongs to the learner is
// fetched here and drawn in. Without JavaScript the status and note forms still work.

const STATUS_TEXT = { "not-started": "Not started", learning: "Learning", done: "Done", skipped: "Skipped" };

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...kids.filter((k) => k != null));
  return e;
}

async function api(method, url, body) {
  const opts = { method, headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(url, opts);
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error?.message || `HTTP ${res.status}`);
  return data;
}

let progressPromise = null;
function myProgress() {
  progressPromise ??= api("GET", "/api/v1/me/progress").catch(() => null);
  return progressPromise;
}

function levelBadge(level) {
  return el("span", { class: `badge level-${level}`, text: level });
}

function setupTopicProgress() {
  const article = document.querySelector("article.topic[data-slug]");
  const panel = document.querySelector("[data-progress-panel]");
  if (!article || !panel) return;
  const slug = article.dataset.slug;
  const statusForm = panel.querySelector("[data-status-form]");
  const now = panel.querySelector("[data-status-now]");
  const noteBox = panel.querySelector("[data-note-box]");
  const noteForm = panel.querySelector("[data-note-form]");
  const noteText = panel.querySelector("[data-note-text]");
  const noteView = panel.querySelector("[data-note-view]");
  const noteStatus = panel.querySelector("[data-note-status]");
  const buttons = [...statusForm.querySelectorAll("button[name=status]")];
  panel.querySelector("[data-shortcut-hint]").hidden = false;

  const showStatus = (st) => {
    const status = st?.status || "not-started";
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.value === status)));
    now.textContent = `Status: ${STATUS_TEXT[status]}`;
    article.dataset.status = status;
  };
  const showNote = (st) => {
    noteView.replaceChildren();
    if (st?.noteHtml) {
      // Rendered by the server from Markdown with raw HTML and unsafe links removed.
      const tpl = document.createElement("template");
      tpl.innerHTML = st.noteHtml;
      noteView.append(tpl.content);
    }
  };
  const setStatus = async (status) => {
    now.textContent = "Saving…";
    try {
      const st = await api("PUT", `/api/v1/me/progress/${slug}`, { status });
      showStatus(st);
      now.textContent = `Saved. Status: ${STATUS_TEXT[st.status]}`;
    } catch (e) {
      now.textContent = `Not saved: ${e.message}`;
    }
  };
  statusForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (ev.submitter?.value) setStatus(ev.submitter.value);
  });
  noteForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    noteStatus.textContent = "Saving…";
    try {
      const st = await api("PUT", `/api/v1/me/progress/${slug}`, { note: noteText.value });
      showNote(st);
      noteStatus.textContent = "Saved.";
    } catch (e) {
      noteStatus.textContent = `Not saved: ${e.message}`;
    }
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const t = ev.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable], .lab-widget")) return;
    const keys = { l: "learning", d: "done", s: "skipped", u: "not-started" };
    const k = ev.key.toLowerCase();
    if (keys[k]) { ev.preventDefault(); setStatus(keys[k]); }
    else if (k === "n") { ev.preventDefault(); openNote = true; }
  });
  // The note box opens on key up, so the "n" itself is not typed into the focused textarea.
  let openNote = false;
  document.addEventListener("keyup", (ev) => {
    if (openNote && ev.key.toLowerCase() === "n") { openNote = false; noteBox.open = true; noteText.focus(); }
  });

  const lastVisit = panel.querySelector("[data-last-visit]");
  myProgress().then(async (p) => {
    showStatus(p?.topics?.[slug]);
    const st = p?.topics?.[slug];
    if (st?.visitedAt && lastVisit) {
      lastVisit.textContent = `You last read this on ${new Date(st.visitedAt).toLocaleDateString(undefined, { dateStyle: "medium" })}.`;
      lastVisit.hidden = false;
    }
    if (st) { noteText.value = st.note || ""; showNote(st); if (st.note) noteBox.open = true; }
    if (!p?.learner) return;
    api("POST", `/api/v1/me/visit/${slug}`).catch(() => {});
    markFinished(p);
    labLine(p, article, panel.querySelector("[data-topic-labs]"));
    personalReadNext(slug, article.dataset.path, p);
  });
}

// Marks topic cards of finished topics, wherever they are on the page.
function markFinished(p) {
  document.querySelectorAll(".card a.card-link[href^='/explore/']").forEach((a) => {
    const slug = decodeURIComponent(new URL(a.href).pathname.slice("/explore/".length));
    const st = p.topics?.[slug]?.status;
    if (st === "done" || st === "skipped") {
      const meta = a.querySelector(".card-meta");
      if (meta && !meta.querySelector(".badge-done")) meta.append(" ", el("span", { class: "badge badge-done", text: st === "done" ? "✓ Done" : "Skipped" }));
    }
  });
}

function labLine(p, article, line) {
  const labs = (article.dataset.labs || "").split(" ").filter(Boolean);
  if (!line || !labs.length) return;
  const parts = [];
  for (const lab of labs) {
    const rs = p.labs.filter((r) => r.lab === lab);
    if (!rs.length) continue;
    const passed = rs.filter((r) => r.passed).length;
    const title = document.querySelector(`#related-labs a[href="/tools/${CSS.escape(lab)}"] .card-title`)?.textContent || lab;
    parts.push(el("a", { href: `/tools/${lab}`, text: `${title}: ${passed} of ${rs.length} checked exercises passed` }));
  }
  if (!parts.length) return;
  line.replaceChildren("Your lab results: ", ...parts.flatMap((a, i) => (i ? ["; ", a] : [a])));
  line.hidden = false;
}

// With progress, read next is ranked for this learner: finished topics sink and unmet
// prerequisites come first. The precomputed cards stay when nothing changes.
async function personalReadNext(slug, path, p) {
  const list = document.querySelector("ol.next-cards");
  if (!list) return;
  let data;
  try {
    data = await api("GET", `/api/v1/me/read-next/${slug}${path ? `?path=${encodeURIComponent(path)}` : ""}`);
  } catch (e) { return; }
  const cur = [...list.querySelectorAll(".card-reason")].map((r) => r.textContent).join("|") +
    [...list.querySelectorAll(".card-title")].map((r) => r.textContent).join("|");
  const next = data.cards.map((c) => c.reason).join("|") + data.cards.map((c) => c.topic.title).join("|");
  if (cur === next) return;
  list.replaceChildren(...data.cards.map((c) => {
    const withPath = c.path && c.reason === "Next step in your guided path";
    const a = el("a", { class: "card-link", href: c.topic.url + (withPath ? `?path=${encodeURIComponent(c.path)}` : "") },
      el("span", { class: "card-meta" }, levelBadge(c.topic.level)),
      el("span", { class: "card-title", text: c.topic.title }),
      el("span", { class: "card-summary", text: c.topic.summary }),
      el("span", { class: "card-reason", text: c.reason }));
    return el("li", { class: "card next-card", "data-reason": c.reason }, a);
  }));
  list.dataset.personal = "true";
  markFinished(p);
}

function setupPathProgress() {
  const box = document.querySelector("[data-path-progress]");
  if (!box) return;
  myProgress().then((p) => {
    const pp = p?.paths?.find((x) => x.id === box.dataset.pathProgress);
    if (!pp || !pp.started) return;
    const steps = [...document.querySelectorAll("[data-step-slug]")];
    steps.forEach((li, i) => {
      const st = pp.steps[i];
      li.dataset.status = st;
      if (st !== "not-started") li.querySelector(".step-title")?.after(" ", el("span", { class: `badge badge-status badge-${st}`, text: STATUS_TEXT[st] }));
    });
    const bar = el("progress", { max: String(pp.total), value: String(pp.done), "aria-label": `${pp.done} of ${pp.total} steps done` }, `${pp.percent}%`);
    const kids = [el("p", { class: "path-progress-text", text: pp.complete ? `Path complete: all ${pp.total} steps done.` : `${pp.done} of ${pp.total} steps done.` }), bar];
    if (!pp.complete && pp.resume) kids.push(el("p", {}, el("a", { class: "button", href: `${pp.resume.url}?path=${encodeURIComponent(pp.id)}`, "data-resume": "" }, `Resume: ${pp.resume.title} →`)));
    box.replaceChildren(...kids);
    box.hidden = false;
    const start = document.querySelector("[data-path-start]");
    if (start) start.hidden = true;
  });
}

function setupHomeContinue() {
  const box = document.querySelector("[data-home-continue]");
  if (!box) return;
  myProgress().then((p) => {
    if (!p?.learner || !p.continue) return;
    const started = p.paths.filter((x) => x.started && !x.complete);
    box.querySelector("[data-home-continue-body]").replaceChildren(
      el("a", { class: "button", href: p.continue.url }, `${p.continue.title} →`),
      started.length ? el("span", { class: "muted", text: ` ${started.length} guided path${started.length > 1 ? "s" : ""} in progress · ` }) : " ",
      el("a", { href: "/me", text: "My progress" }));
    box.hidden = false;
  });
}

// An offline copy (ntatlas export) has no server to keep progress; its pages carry no panels.
if (!("offline" in document.documentElement.dataset)) {
  setupTopicProgress();
  setupPathProgress();
  setupHomeContinue();
}
