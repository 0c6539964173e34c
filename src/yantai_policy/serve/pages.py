"""Web pages, rendered on the server: the 台账, a unit's report form, the plan browser.

Plain HTML with one stylesheet and one small script, both served from the package (no
build step, no CDN). Chinese first, with an English toggle (the script remembers the
choice); the tables reflow on a phone-sized screen. The report form sends its token
only in the ``Authorization`` header of its own requests to ``/v1``, and keeps it in
the tab's ``sessionStorage``, never in a cookie or a URL.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Annotated

from litestar import MediaType, Response, get
from litestar.params import QueryParameter

from yantai_policy import queries
from yantai_policy.dates import china_today
from yantai_policy.labels import unit_roles
from yantai_policy.ledger.model import Light, Status
from yantai_policy.serve.service import Served

__all__ = ["HANDLERS"]


def _status(status: Status) -> tuple[str, str]:
    """A status's Chinese (the 台账's term) and English."""
    return status.zh, status.value.replace("_", " ")


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _both(zh: object, en: object) -> str:
    """Chinese, with its English beside it for the toggle."""
    return f'<span lang="zh">{_e(zh)}</span><span lang="en">{_e(en or zh)}</span>'


def _option(value: str, zh: str, en: str | None) -> str:
    """An option whose text the script swaps with the language (an option holds only text)."""
    return (
        f'<option value="{_e(value)}" data-zh="{_e(zh)}" data-en="{_e(en or zh)}">{_e(zh)}</option>'
    )


def _page(title_zh: str, title_en: str, body: str, service: Served) -> Response[str]:
    notice = service.policy.notice
    nav = (
        '<nav><a href="/">计划 <span lang="en">Plan</span></a> · '
        '<a href="/ledger">台账 <span lang="en">Ledger</span></a> · '
        '<a href="/report">填报 <span lang="en">Report</span></a> · '
        '<a href="/docs">API</a>'
        '<button type="button" id="lang-toggle" aria-pressed="false">English</button></nav>'
    )
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title_zh)} · {_e(notice.document_number)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script>
</head><body>
<header>{nav}<h1>{_both(title_zh, title_en)}</h1>
<p class="notice">{_e(notice.document_number)} {_both(notice.title.zh, notice.title.en)}</p></header>
<main>{body}</main>
<footer>yantai-policy · {_e(service.headers["X-Yantai-Policy-Version"])} · data sha256
<code>{_e(service.policy.data_sha256[:12])}</code></footer>
</body></html>"""
    return Response(page, media_type=MediaType.HTML)


def _th(zh: str, en: str) -> str:
    """A column heading: its Chinese, and its English beside it once the page is in English."""
    return f'<th>{_e(zh)} <span lang="en">{_e(en)}</span></th>'


def _light(light: str) -> str:
    zh, en = Light(light).zh, light
    return f'<span class="light {light}" title="{en}">{_both(zh, en)}</span>'


@get("/", include_in_schema=False, sync_to_thread=False)
def plan_page(service: Served) -> Response[str]:
    """The plan browser: every measure, its tasks, and who does what."""
    policy = service.policy
    parts = ['<input type="search" class="filter" placeholder="筛选 / filter" aria-label="filter">']
    for m in policy.measures:
        rows = []
        for a in m.actions:
            who = "、".join(
                f"{_both(b.name.zh, b.name.en)}（{_both(r.zh, r.en)}）" for b, r in unit_roles(a)
            )
            rows.append(
                f'<tr class="row"><td>{_e(a.id)}</td><td>{_both(a.text.zh, a.text.en)}</td><td>{who}</td></tr>'
            )
        parts.append(
            f'<section class="measure"><h2>{m.number}. {_both(m.title.zh, m.title.en)}</h2>'
            '<table><thead><tr><th>任务 <span lang="en">Task</span></th><th>内容 <span lang="en">Text</span></th>'
            '<th>单位 <span lang="en">Units</span></th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table></section>"
        )
    units = "".join(
        f'<tr class="row"><td>{_e(r.bureau.id)}</td><td>{_both(r.bureau.name.zh, r.bureau.name.en)}</td>'
        f"<td>{r.actions}</td><td>{r.measures}</td></tr>"
        for r in queries.workload(policy)
    )
    parts.append(
        '<section><h2>单位 <span lang="en">Units</span></h2><table><thead><tr><th>id</th>'
        '<th>名称 <span lang="en">Name</span></th><th>任务 <span lang="en">Tasks</span></th>'
        f'<th>措施 <span lang="en">Measures</span></th></tr></thead><tbody>{units}</tbody></table></section>'
    )
    return _page("分工方案", "The plan", "".join(parts), service)


def _on(on: dt.date | None) -> dt.date:
    return on or china_today()


@get("/ledger", include_in_schema=False, sync_to_thread=True)
def ledger_page(
    service: Served, on: Annotated[dt.date | None, QueryParameter(description="the day")] = None
) -> Response[str]:
    """The 台账 as of a day: the lights by measure, by unit and by task, filterable."""
    if service.ledger is None:
        return _page("台账", "Ledger", '<p class="empty">本服务未连接台账。<span lang="en">'
                     "This server has no ledger: start it with --ledger DB.</span></p>", service)  # fmt: skip
    day = _on(on)
    status = service.ledger.status(day)
    counts = " ".join(f"{_light(k)} {v}" for k, v in status.counts().items())
    form = (f'<form class="on" method="get"><label>日期 <span lang="en">As of</span> '
            f'<input type="date" name="on" value="{day.isoformat()}"></label> <button>查看 <span lang="en">Show</span></button></form>')  # fmt: skip
    filters = ('<p class="filters"><input type="search" class="filter" placeholder="筛选 / filter" aria-label="filter"> '
               + "".join(f'<label><input type="checkbox" class="light-filter" value="{k}" checked> {_light(k)}</label> ' for k in (li.value for li in Light))
               + "</p>")  # fmt: skip
    measures = "".join(
        f'<tr class="row" data-light="{r["light"]}"><td>{r["measure"]}</td><td>{_both(r["title"]["zh"], r["title"]["en"])}</td>'
        f"<td>{r['tasks']}</td><td>{_light(r['light'])}</td><td>{_e(r['last_report_on'] or '')}</td></tr>"
        for r in status.records("measure")
    )
    units = "".join(
        f'<tr class="row" data-light="{r["light"]}"><td>{_both(r["name"]["zh"], r["name"]["en"])}</td>'
        f"<td>{r['tasks']}</td><td>{_light(r['light'])}</td><td>{_e(r['last_report_on'] or '')}</td></tr>"
        for r in status.records("unit")
    )
    tasks = []
    for r in status.records("task"):
        names = "、".join(
            _both(b.name.zh, b.name.en) for b in map(service.policy.bureau, r["units"])
        )
        state = _both(*_status(Status(r["status"]))) if r["status"] else ""
        why = "；".join(
            _both(c["text"]["zh"], c["text"]["en"]) for c in r["conditions"] if c["held"]
        )
        tasks.append(
            f'<tr class="row" id="task-{_e(r["task"])}" data-light="{r["light"]}"><td>{_e(r["task"])}</td><td>{names}</td>'
            f'<td>{state}</td><td class="light-cell">{_light(r["light"])}</td><td>{_e(r["last_report_on"] or "")}</td>'
            f'<td>{_e(r["deadline"] or r["deadline_text"] or "")}</td><td class="why">{why}</td></tr>'
        )
    body = (
        f'{form}<p class="counts">{status.on}: {counts}</p>{filters}'
        '<section><h2>按措施 <span lang="en">By measure</span></h2><table><thead><tr>'
        f"{_th('措施', 'Measure')}{_th('标题', 'Title')}{_th('任务', 'Tasks')}{_th('督办灯', 'Light')}"
        f"{_th('最近报送', 'Last report')}</tr></thead><tbody>{measures}</tbody></table></section>"
        '<section><h2>按单位 <span lang="en">By unit</span></h2><table><thead><tr>'
        f"{_th('单位', 'Unit')}{_th('任务', 'Tasks')}{_th('督办灯', 'Light')}{_th('最近报送', 'Last report')}"
        f"</tr></thead><tbody>{units}</tbody></table></section>"
        '<section><h2>按任务 <span lang="en">By task</span></h2><table><thead><tr>'
        f"{_th('任务', 'Task')}{_th('单位', 'Units')}{_th('进展', 'Status')}{_th('督办灯', 'Light')}"
        f"{_th('最近报送', 'Last report')}{_th('完成时限', 'Deadline')}{_th('原因', 'Why')}"
        f"</tr></thead><tbody>{''.join(tasks)}</tbody></table></section>"
    )
    return _page("工作推进台账", "Implementation ledger", body, service)


@get("/report", include_in_schema=False, sync_to_thread=False)
def report_page(service: Served) -> Response[str]:
    """A unit's page for filing a report: its token first, then the form."""
    options = "".join(
        _option(a.id, f"{a.id} {a.text.zh[:40]}", a.text.en and f"{a.id} {a.text.en[:60]}")
        for a in service.policy.actions
    )
    units = "".join(_option(b.id, b.name.zh, b.name.en) for b in service.policy.bureaus)
    lights = _e(json.dumps({li.value: [li.zh, li.value] for li in Light}, ensure_ascii=False))
    statuses = "".join(_option(s.value, *_status(s)) for s in Status)
    today = china_today().isoformat()
    body = f"""
<form id="token-form" class="card"><label>令牌 <span lang="en">Token</span>
<input type="password" id="token" autocomplete="off" required placeholder="yp_…"></label>
<button type="submit">确认 <span lang="en">Use this token</span></button>
<p id="who" role="status"></p></form>
<form id="report-form" class="card" hidden>
<label>任务 <span lang="en">Task</span> <select id="task" required>{options}</select></label>
<label id="unit-field" hidden>单位 <span lang="en">Unit</span> <select id="unit">{units}</select></label>
<label>进展 <span lang="en">Status</span> <select id="status">{statuses}</select></label>
<label>日期 <span lang="en">Date</span> <input type="date" id="on" value="{today}" max="{today}" required></label>
<label>进展情况 <span lang="en">What was done</span> <textarea id="text" rows="4"></textarea></label>
<button type="submit" id="file">报送 <span lang="en">File the report</span></button>
</form>
<section id="result" class="card" hidden aria-live="polite" data-lights="{lights}"></section>"""
    return _page("填报进展", "File a progress report", body, service)


HANDLERS = [plan_page, ledger_page, report_page]
"""The pages."""
