"""The walkthrough as one standalone HTML page: MathML for the math, inline CSS, no script, no
network (nothing is fetched: a student can open it offline, and a school's filter cannot break it).

Every number a reader compares carries its quantity id (data-id) and the exact value
(data-value), so a test can read the page's DOM back and compare it with numpy.
"""

from __future__ import annotations

from html import escape

from . import __version__, mathml
from .explain import Walkthrough, fmt, intro_lines, student_lines
from .graph import SECTIONS

CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #1f4e78; color: #1f4e78; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; color: #595959; }
.variant { color: #595959; font-style: italic; margin-top: 0; }
.local { background: #eef4fb; border-left: 4px solid #1f4e78; padding: .6rem 1rem; }
.student { background: #fff8e5; border: 1px solid #e0c36a; padding: .6rem 1rem; }
.student.ok { background: #e8f5e9; border-color: #8bc34a; }
.step { border: 1px solid #d9d9d9; border-radius: 6px; padding: .7rem 1rem; margin: .8rem 0; }
.step .words { margin: 0 0 .4rem; color: #333; }
.step math[display="block"] { margin: .4rem 0; font-size: 1.15rem; overflow-x: auto; overflow-y: hidden; }
.needs { font-size: .92rem; color: #404040; margin: .3rem 0 0; }
.needs .label { font-weight: bold; }
.yours { margin: .4rem 0 0; font-weight: bold; }
.correct { border-left: 6px solid #70ad47; }
.carried { border-left: 6px solid #5b9bd5; }
.misconception { border-left: 6px solid #7030a0; background: #f6f2fa; }
.wrong { border-left: 6px solid #c00000; background: #fdf0f0; }
.blank { border-left: 6px solid #a6a6a6; }
.unreadable { border-left: 6px solid #bf9000; }
.first { box-shadow: 0 0 0 3px #c00000; }
table.givens { border-collapse: collapse; }
table.givens td, table.givens th { border: 1px solid #d9d9d9; padding: .2rem .7rem; text-align: left; }
table.givens td.num { text-align: right; font-variant-numeric: tabular-nums; }
.mistake { font-weight: normal; }
mtd { text-align: left; padding: .15rem .15rem; math-style: normal; }
mtd:first-child { text-align: right; }
h3 math { font-size: 1.15em; }
footer { margin-top: 3rem; color: #777; font-size: .85rem; }
@media print {
  .step { break-inside: avoid; }
  .step math[display="block"] { overflow: visible; }
}
"""


def _num(qid: str, value: float, cls: str = "value") -> str:
    return f'<span class="{cls}" data-id="{escape(qid)}" data-value="{value!r}">{escape(fmt(value))}</span>'


def _symbol(w: Walkthrough, qid: str) -> str:
    return mathml.symbol(w.graph.symbols[qid])


def _equation(w: Walkthrough, qid: str) -> str:
    """symbol = rule in symbols, = the rule with the numbers, = the result: three aligned lines, as
    Mazur writes them. Substituted numbers keep 6 significant digits (the line must fit); the result 9."""
    expr = w.graph[qid].expr
    symbolic = mathml.render(expr, lambda i: _symbol(w, i))
    numbers = mathml.render(expr, lambda i: mathml.number(w.values[i], 6))
    value = w.values[qid]
    result = f'<mn class="result" data-id="{escape(qid)}" data-value="{value!r}">{escape(fmt(value))}</mn>'
    lines = ((_symbol(w, qid), symbolic), ("", numbers), ("", result))
    rows = "".join(f"<mtr><mtd>{left}</mtd><mtd>{mathml.mo('=')}</mtd><mtd>{right}</mtd></mtr>"
                   for left, right in lines)
    return mathml.math(f"<mtable>{rows}</mtable>", display=True)


def page(w: Walkthrough) -> str:
    t = w.t
    first = w.first_wrong
    parts = [f'<!DOCTYPE html>\n<html lang="{escape(t.lang)}">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f'<title>{escape(w.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n',
             f"<h1>{escape(w.title)}</h1>\n",
             f'<p class="variant">{escape(t("explain.variant", origin=w.variant))}</p>\n']
    parts += [f"<p>{escape(line)}</p>\n" for line in intro_lines(w)]
    parts.append(f'<p class="local">{escape(t("explain.local_question"))}</p>\n')
    if w.result is not None:
        lines = student_lines(w)
        ok = " ok" if first is None else ""
        link = f' <a href="#q-{escape(first.id)}">{escape(t("explain.go_there"))}</a>' if first is not None else ""
        parts.append(f'<section class="student{ok}" id="student"><h2>{escape(t("explain.your_answers"))}</h2>\n'
                     + "".join(f"<p>{escape(line)}</p>\n" for line in lines) + (f"<p>{link}</p>\n" if link else "")
                     + "</section>\n")
    parts.append(f'<h2>{escape(t("sections.given"))}</h2>\n<table class="givens">\n'
                 f'<tr><th>{escape(t("explain.col_symbol"))}</th><th>{escape(t("explain.col_id"))}</th>'
                 f'<th>{escape(t("explain.col_value"))}</th></tr>\n')
    for qid in w.graph.given_ids:
        parts.append(f"<tr><td>{mathml.math(_symbol(w, qid))}</td><td><code>{escape(qid)}</code></td>"
                     f'<td class="num">{_num(qid, w.values[qid])}</td></tr>\n')
    parts.append("</table>\n")
    for section in SECTIONS[1:]:
        steps = [s for s in w.steps if s.section == section]
        if not steps:
            continue
        parts.append(f'<h2>{escape(t(f"sections.{section}"))}</h2>\n')
        for s in steps:
            parts.append(_step(w, s, first))
    parts.append(f'<footer>{escape(t("explain.footer", version=__version__))}</footer>\n</body>\n</html>\n')
    return "".join(parts)


def _step(w: Walkthrough, s, first) -> str:
    t = w.t
    classes = ["step"]
    if s.verdict is not None:
        classes.append(s.verdict.verdict)
    if first is not None and first.id == s.id:
        classes.append("first")
    needs = ", ".join(f"{mathml.math(mathml.row(_symbol(w, i.id), mathml.mo('=')))} {_num(i.id, i.value, 'input')}"
                      for i in s.inputs)
    html = [f'<section class="{" ".join(classes)}" id="q-{escape(s.id)}">\n',
            f"<h3>{mathml.math(_symbol(w, s.id))} <code>{escape(s.id)}</code></h3>\n",
            f'<p class="words">{escape(s.words)}</p>\n', _equation(w, s.id), "\n",
            f'<p class="needs"><span class="label">{escape(t("explain.needs", n=len(s.inputs)))}</span> {needs}</p>\n']
    v = s.verdict
    if v is not None:
        shown = fmt(v.value) if v.value is not None else (v.shown or "—")
        value = f'<span class="yours-value" data-id="{escape(s.id)}">{escape(shown)}</span>'
        line = f'{escape(t("explain.yours"))}: {value}'
        line += f' ({escape(t(f"report.verdicts.{v.verdict}"))}{", " + escape(v.mistake) if v.mistake else ""})'
        if v.verdict != "correct":
            line += "; " + escape(t("explain.expected", value=fmt(s.value)))
        if v.verdict not in ("correct", "blank") and s.own is not None:
            line += "; " + escape(t("explain.own", value=fmt(s.own)))
        if v.mistake:
            line += f'<br><span class="mistake">{escape(t(f"mistakes.{v.mistake}"))}</span>'
        html.append(f'<p class="yours">{line}</p>\n')
    html.append("</section>\n")
    return "".join(html)
