"""The walkthrough: one training step explained quantity by quantity, in Mazur's manner.

For each quantity of the graph: its formula in symbols, the same formula with this
variant's numbers, and the result; and the few values it reads (its neighbours in the
graph), which is the whole of what that node needs: the course's question "why does each
node need only local information?" answered on the page. For a checked answer workbook,
the student's own number sits beside the expected one, with the verdict of `check`, and the
page starts where they first went wrong, naming the mistake.

Everything here comes from the graph's rules and the numpy reference (answers.py); the
student's part comes from grading.py's verdicts. The page itself is drawn by
explain_html.py (HTML with MathML) and by markdown() below.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

from . import __version__
from .answers import reference_values
from .graph import SECTIONS, Graph, graph_for
from .network import Givens
from .text import Text, loss_rule, network_words, origin_text, text


class Input(NamedTuple):
    id: str
    symbol: str
    value: float  # the reference value
    yours: float | None = None  # the student's, where they wrote a readable number


class Step(NamedTuple):
    id: str
    symbol: str
    section: str
    words: str  # what the quantity is, in the page's language
    inputs: tuple[Input, ...]  # what this node needs: nothing else
    value: float  # the reference value
    verdict: object = None  # grading.CellVerdict for a checked workbook
    own: float | None = None  # this rule on the student's own inputs (where all are readable)


class Walkthrough(NamedTuple):
    t: Text
    givens: Givens
    graph: Graph
    values: dict  # id -> reference value
    steps: tuple[Step, ...]
    result: object = None  # check.FileResult for a checked workbook
    path: str = ""  # the workbook it explains, if any

    @property
    def title(self) -> str:
        s = self.givens.shape
        return self.t("explain.title", layers=s.label, network=network_words(self.t, s))

    @property
    def variant(self) -> str:
        return origin_text(self.t, self.givens.origin)

    @property
    def first_wrong(self):
        return self.result.grade.first_wrong if self.result is not None else None


def order(graph: Graph) -> list[str]:
    """The answers in the graph's order, each moved after the quantities it reads: a softmax delta
    reads every output's ∂E/∂out, which the graph yields one output at a time."""
    shown = set(graph.given_ids)
    pending = list(graph.answer_ids)
    out: list[str] = []
    while pending:
        ready = next(q for q in pending if all(i in shown for i in graph[q].inputs))
        pending.remove(ready)
        shown.add(ready)
        out.append(ready)
    return out


def words(t: Text, graph: Graph, qid: str) -> str:
    """The quantity's hint without its rule (the page shows the rule as math)."""
    from .write import hint

    q = graph[qid]
    rule = f"{q.symbol} = {q.expr.text(graph.symbols)}"
    plain = " ".join(hint(t, graph, qid).replace(rule, "").split())
    return re.sub(r"\s*\.(\s*\.)+", ".", plain).rstrip(" .") + "."


def walkthrough(g: Givens, lang: str = "en", result=None) -> Walkthrough:
    t = text(lang)
    graph = graph_for(g.shape)
    values = reference_values(graph, g)
    readings, verdicts = {}, {}
    if result is not None:
        readings = {q: r.number for q, r in result.submission.readings.items() if r.number is not None}
        verdicts = {c.id: c for c in result.grade.cells}
    steps = []
    for qid in order(graph):
        q = graph[qid]
        inputs = tuple(Input(i, graph.symbols[i], values[i], readings.get(i)) for i in q.inputs)
        own = None
        if result is not None and all(i.yours is not None for i in inputs):
            try:
                own = q.expr.value({i.id: i.yours for i in inputs})
            except (ArithmeticError, ValueError):
                own = None
        steps.append(Step(qid, q.symbol, q.section, words(t, graph, qid), inputs, values[qid],
                          verdicts.get(qid), own))
    return Walkthrough(t, g, graph, values, tuple(steps), result, "" if result is None else result.path)


def fmt(v: float | None, digits: int = 9) -> str:
    """Mazur prints nine significant digits; so does the page."""
    if v is None:
        return ""
    return f"{v:.{digits}g}".replace("-", "−")


def substituted_text(w: Walkthrough, qid: str) -> str:
    """The rule as text with each id replaced by its number (negative numbers in parentheses), with
    6 significant digits so that the line fits; the result keeps 9."""
    def number(i):
        s = fmt(w.values[i], 6)
        return f"({s})" if w.values[i] < 0 else s
    return w.graph[qid].expr.render("text", number)


def intro_lines(w: Walkthrough) -> list[str]:
    t = w.t
    return [t("explain.intro"), t("explain.loss", loss_rule=loss_rule(t, w.givens.shape))]


def student_lines(w: Walkthrough) -> list[str]:
    """The top of the page for a checked workbook: the lines `check` prints (score, where to
    start and the mistake named there, what follows from it, notes)."""
    from .report import summary_lines

    return [] if w.result is None else summary_lines(w.result, w.t)


def inert(s: str) -> str:
    """Text that came from a student's file, made inert for Markdown (and the HTML it may become)."""
    # No tags or autolinks (<...>), no code spans, no [text](link): what a student typed stays text.
    return html.escape(s, quote=False).replace("`", "\\`").replace("](", "]\\(")


def markdown(w: Walkthrough) -> str:
    t = w.t
    out = [f"# {w.title}", "", f"*{t('explain.variant', origin=w.variant)}*", ""]
    out += [line + "\n" for line in intro_lines(w)]
    out += [f"> {t('explain.local_question')}", ""]
    if w.result is not None:
        out += [f"## {t('explain.your_answers')}", ""] + [f"- {inert(line)}" for line in student_lines(w)] + [""]
    out += [f"## {t('sections.given')}", "", f"| {t('explain.col_symbol')} | {t('explain.col_id')} | "
            f"{t('explain.col_value')} |", "|---|---|---|"]
    for qid in w.graph.given_ids:
        out.append(f"| {w.graph.symbols[qid]} | `{qid}` | {fmt(w.values[qid])} |")
    for section in SECTIONS[1:]:
        steps = [s for s in w.steps if s.section == section]
        if not steps:
            continue
        out += ["", f"## {t(f'sections.{section}')}", ""]
        for s in steps:
            q = w.graph[s.id]
            out += [f"### {s.symbol} (`{s.id}`)", "", s.words, "", "```",
                    f"{s.symbol} = {q.expr.text(w.graph.symbols)}",
                    f"{' ' * len(s.symbol)} = {substituted_text(w, s.id)}",
                    f"{' ' * len(s.symbol)} = {fmt(s.value)}", "```", ""]
            needs = ", ".join(f"{i.symbol} = {fmt(i.value)}" for i in s.inputs)
            out.append(f"{t('explain.needs', n=len(s.inputs))} {needs}")
            if s.verdict is not None:
                out += ["", _yours_line(w, s)]
            out.append("")
    out += ["", f"*{t('explain.footer', version=__version__)}*", ""]
    return "\n".join(out)


def _yours_line(w: Walkthrough, s: Step) -> str:
    t, v = w.t, s.verdict
    shown = fmt(v.value) if v.value is not None else inert(v.shown or "")
    line = f"{t('explain.yours')}: {shown or '—'} ({t(f'report.verdicts.{v.verdict}')}" + \
           (f", {v.mistake}" if v.mistake else "") + ")"
    if v.verdict != "correct":
        line += "; " + t("explain.expected", value=fmt(s.value))
    if v.verdict not in ("correct", "blank") and s.own is not None:
        line += "; " + t("explain.own", value=fmt(s.own))
    return line


def output_paths(out_dir: Path, stem: str) -> tuple[Path, Path]:
    return Path(out_dir) / f"{stem}-explain.html", Path(out_dir) / f"{stem}-explain.md"


def write(w: Walkthrough, out_dir: Path, stem: str, force: bool = False) -> tuple[Path, Path]:
    """Write the HTML page and the Markdown file; refuse to overwrite unless force."""
    from .explain_html import page
    from .write import OutputExists

    html_path, md_path = output_paths(out_dir, stem)
    if not force:
        for p in (html_path, md_path):
            if p.exists():
                raise OutputExists(f"{p} already exists; use --force to overwrite it")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(page(w), encoding="utf-8")
    md_path.write_text(markdown(w), encoding="utf-8")
    return html_path, md_path
