// yantai-policy's pages: the language toggle, the filters, and the report form.
// No build step and no libraries. The token is kept in this tab's sessionStorage and sent
// only in the Authorization header of the form's own requests to /v1.
"use strict";

(function () {
  const root = document.documentElement;

  // ─── Chinese, or English ───────────────────────────────────────────────────────
  function setLang(lang) {
    root.dataset.lang = lang;
    root.lang = lang === "en" ? "en" : "zh-CN";
    const button = document.getElementById("lang-toggle");
    if (button) {
      button.textContent = lang === "en" ? "中文" : "English";
      button.setAttribute("aria-pressed", String(lang === "en"));
    }
    // an option holds only text, so its two languages are swapped here, not by the stylesheet
    document.querySelectorAll("option[data-en]").forEach(function (o) {
      o.textContent = lang === "en" ? o.dataset.en : o.dataset.zh;
    });
    try { localStorage.setItem("yp-lang", lang); } catch (e) { /* private mode */ }
  }
  let saved = "zh";
  try { saved = localStorage.getItem("yp-lang") || "zh"; } catch (e) { /* private mode */ }
  setLang(saved);
  const toggle = document.getElementById("lang-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () { setLang(root.dataset.lang === "en" ? "zh" : "en"); });
  }

  // ─── On a phone a row is a card: each cell is labelled with its column's heading ───
  document.querySelectorAll("table").forEach(function (table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      const en = th.querySelector('span[lang="en"]');
      const zh = Array.from(th.childNodes).filter(function (n) { return n.nodeType === Node.TEXT_NODE; })
        .map(function (n) { return n.textContent; }).join("").trim();
      return { zh: zh, en: en ? en.textContent : zh };
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.from(row.cells).forEach(function (cell, i) {
        if (heads[i]) { cell.dataset.zh = heads[i].zh; cell.dataset.en = heads[i].en; }
      });
    });
  });

  // ─── Filters: words, and the lights to show ─────────────────────────────────────
  const search = document.querySelector("input.filter");
  const lights = Array.from(document.querySelectorAll("input.light-filter"));
  function filter() {
    const words = search ? search.value.trim().toLowerCase() : "";
    const shown = new Set(lights.filter(function (c) { return c.checked; }).map(function (c) { return c.value; }));
    document.querySelectorAll("tr.row").forEach(function (row) {
      const light = row.dataset.light;
      const byLight = !light || lights.length === 0 || shown.has(light);
      const byWords = !words || row.textContent.toLowerCase().includes(words);
      row.hidden = !(byLight && byWords);
    });
  }
  if (search) { search.addEventListener("input", filter); }
  lights.forEach(function (c) { c.addEventListener("change", filter); });

  // ─── The report form ────────────────────────────────────────────────────────────
  const tokenForm = document.getElementById("token-form");
  const reportForm = document.getElementById("report-form");
  if (!tokenForm || !reportForm) { return; }
  const who = document.getElementById("who");
  const result = document.getElementById("result");
  const LIGHTS = JSON.parse(result.dataset.lights);  // each light's Chinese and English, from the server
  let holder = null;

  function both(zh, en) {
    const out = document.createDocumentFragment();
    const z = document.createElement("span"); z.lang = "zh"; z.textContent = zh;
    const e = document.createElement("span"); e.lang = "en"; e.textContent = en;
    out.append(z, e);
    return out;
  }
  function light(name) {
    const span = document.createElement("span");
    span.className = "light " + name;
    span.id = "result-light";
    span.dataset.light = name;
    span.append(both(LIGHTS[name][0], LIGHTS[name][1]));
    return span;
  }
  function headers(token) {
    return { "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json" };
  }
  async function problem(response) {
    try {
      const body = await response.json();
      return (body.field ? body.field + ": " : "") + (body.detail || body.title || response.status);
    } catch (e) { return "HTTP " + response.status; }
  }
  function say(element, zh, en, isError) {
    element.replaceChildren(both(zh, en));
    element.classList.toggle("error", Boolean(isError));
  }

  async function useToken(token) {
    const response = await fetch("/v1/ledger/whoami", { headers: headers(token) });
    if (!response.ok) {
      const why = await problem(response);
      say(who, "令牌无效：" + why, "The token was refused: " + why, true);
      reportForm.hidden = true;
      holder = null;
      sessionStorage.removeItem("yp-token");
      return;
    }
    holder = await response.json();
    holder.token = token;
    sessionStorage.setItem("yp-token", token);
    const allowed = new Set(holder.tasks);
    const select = document.getElementById("task");
    Array.from(select.options).forEach(function (o) { o.hidden = o.disabled = !allowed.has(o.value); });
    const first = Array.from(select.options).find(function (o) { return !o.disabled; });
    if (first) { select.value = first.value; }
    const unit = document.getElementById("unit-field");
    if (unit) { unit.hidden = holder.unit !== "office"; }
    const zh = holder.bureau ? holder.bureau.name.zh : "督办部门";
    const en = holder.bureau ? (holder.bureau.name.en || holder.bureau.name.zh) : "the office";
    say(who, "填报单位：" + zh + "（可报送 " + holder.tasks.length + " 项任务）",
        "Filing as: " + en + " (" + holder.tasks.length + " tasks)", false);
    reportForm.hidden = false;
  }

  tokenForm.addEventListener("submit", function (event) {
    event.preventDefault();
    useToken(document.getElementById("token").value.trim());
  });

  reportForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!holder) { return; }
    const on = document.getElementById("on").value;
    const task = document.getElementById("task").value;
    const unit = holder.unit === "office" ? document.getElementById("unit").value : holder.unit;
    const body = {
      task: task, unit: unit, on: on,
      status: document.getElementById("status").value,
      text: document.getElementById("text").value,
    };
    result.hidden = false;
    const response = await fetch("/v1/ledger/reports", { method: "POST", headers: headers(holder.token), body: JSON.stringify(body) });
    if (!response.ok) {
      const why = await problem(response);
      say(result, "未报送：" + why, "Not filed: " + why, true);
      return;
    }
    const entry = await response.json();
    const status = await fetch("/v1/ledger/status?on=" + encodeURIComponent(on), { headers: headers(holder.token) });
    say(result, "已报送，第 " + entry.id + " 条。", "Filed as entry " + entry.id + ".", false);
    if (status.ok) {
      const rows = (await status.json()).rows;
      const row = rows.find(function (r) { return r.task === task; });
      if (row) {
        const p = document.createElement("p");
        p.append(both("任务 " + task + " 现为 ", "Task " + task + " is now "), light(row.light));
        result.append(p);
      }
    }
  });

  const kept = sessionStorage.getItem("yp-token");
  if (kept) { document.getElementById("token").value = kept; useToken(kept); }
})();
