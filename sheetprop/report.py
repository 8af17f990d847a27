"""Turning results into what people and programs read: a terminal table, or one JSON document."""

from __future__ import annotations

import json

from .check import FileResult
from .text import Text, origin_text, text
from .values import escape


def fmt_number(x: float | None) -> str:
    """A number as the reports show it: 9 significant digits, enough to compare with a cell."""
    return "" if x is None else f"{x:.9g}"


def _points(p: float) -> str:
    return f"{p:g}"


def reason_text(t: Text, reason: str | None, shown: str | None) -> str:
    if not reason:
        return ""
    return t(f"report.reasons.{reason}", shown=shown or "")


def what_text(t: Text, cell) -> str:
    if cell.verdict == "blank":
        return t("report.what.blank")
    if cell.verdict == "unreadable":
        return t("report.what.unreadable", reason=reason_text(t, cell.reason, cell.shown))
    if cell.verdict == "misconception":
        return t("report.what.misconception", mistake=t(f"mistakes.{cell.mistake}") + f" [{cell.mistake}]")
    return t("report.what.wrong_ambiguous" if cell.reason == "ambiguous" else "report.what.wrong")


def lang_of(result: FileResult, lang: str | None) -> str:
    if lang:
        return lang
    if result.submission is not None:
        return result.submission.meta.get("lang", "en")
    return "en"


def _is_run(result: FileResult) -> bool:
    return getattr(result.submission, "task", "step") == "xor"


def terminal(result: FileResult, lang: str | None = None, show_answers: bool = False, color: bool = False) -> str:
    if _is_run(result):
        from .xor_report import terminal as run_terminal

        return run_terminal(result, lang_of(result, lang), show_answers)
    t = text(lang_of(result, lang))
    path = escape(result.path, 200)
    if result.error is not None:
        return t("report.could_not_check", path=path, reason=result.error)
    sub, g = result.submission, result.grade
    graph = sub.graph
    lines = [t("report.checked", path=path, origin=origin_text(t, sub.meta.get("origin", {})),
               layers=graph.shape.label), ""]
    header = [t("report.col_id"), t("report.col_symbol"), t("report.col_verdict"), t("report.col_value")]
    if show_answers:
        header.append(t("report.col_expected"))
    rows = []
    for c in g.cells:
        verdict = t(f"report.verdicts.{c.verdict}") + (f" {c.mistake}" if c.mistake else "")
        value = c.shown if c.value is None else fmt_number(c.value)
        row = [c.id, graph.symbols[c.id], verdict, value or ""]
        if show_answers:
            row.append(fmt_number(c.expected))
        rows.append((row, c.verdict))
    widths = [max(len(r[i]) for r in [header] + [r for r, _ in rows]) for i in range(len(header))]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    for row, verdict in rows:
        line = "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        if color:
            import click

            line = click.style(line, fg={"correct": "green", "carried": "cyan", "misconception": "magenta",
                                         "wrong": "red", "unreadable": "yellow"}.get(verdict))
        lines.append(line)
    lines.append("")
    lines.extend(summary_lines(result, t))
    if not show_answers and g.first_wrong is not None:
        lines.append(t("report.answers_hidden"))
    return "\n".join(lines)


def summary_lines(result: FileResult, t: Text) -> list[str]:
    """Score, changed givens, the first divergence and what follows it, and notes."""
    sub, g = result.submission, result.grade
    graph = sub.graph
    lines = [t("report.score", points=_points(g.points), max=g.max_points,
               carried=t(f"report.carried_policy_{g.carried_policy}"))]
    if g.changed_givens:
        changes = ", ".join(f"{ch.id} {fmt_number(ch.expected)} → {ch.shown if ch.value is None else fmt_number(ch.value)}"
                            for ch in g.changed_givens)
        lines.append(t("report.changed_givens", changes=changes))
    first = g.first_wrong
    if first is None and not g.changed_givens:
        lines.append(t("report.all_correct"))
    elif first is not None:
        symbol = graph.symbols[first.id]
        lines.append(t("report.start_here", label=_label(graph.symbols, first.id), what=what_text(t, first)))
        n = g.carried_after(first.id)
        if n and first.verdict in ("wrong", "misconception"):
            lines.append(t("report.after", n=n, symbol=symbol))
        for other in [c for c in g.cells if c.verdict == "misconception" and c is not first][:3]:
            lines.append(t("report.also", label=_label(graph.symbols, other.id), what=what_text(t, other)))
    for note in sub.notes:
        lines.append(t(f"report.notes.{note}", ids=", ".join(sub.missing_names)))
    return lines


def as_dict(result: FileResult, lang: str | None = None, show_answers: bool = False) -> dict:
    out = {"path": result.path, "error": result.error, "status": result.status}
    if result.error is not None:
        out.update({"error_code": result.error_code, "exercise": None, "score": None, "first_wrong": None,
                    "cells": []})
        return out
    if _is_run(result):
        from .xor_report import as_dict as run_dict

        out.update(run_dict(result, lang_of(result, lang), show_answers))
        return out
    t = text(lang_of(result, lang))
    sub, g = result.submission, result.grade
    first = g.first_wrong
    out.update({
        "lang": t.lang,
        "exercise": {**sub.meta.get("origin", {}), "layers": sub.graph.shape.label,
                     "bias": sub.graph.shape.bias_mode, "train_biases": sub.graph.shape.train_biases},
        "student": sub.meta.get("student"),
        "score": {"points": g.points, "max": g.max_points, "carried": g.carried_policy},
        "first_wrong": None if first is None else first.id,
        "first_wrong_carried_after": 0 if first is None else g.carried_after(first.id),
        "givens_changed": [{"id": ch.id, "expected": ch.expected, "value": ch.value, "shown": ch.shown}
                           for ch in g.changed_givens],
        "notes": list(sub.notes),
        "cells": [],
    })
    for c in g.cells:
        cell = {"id": c.id, "symbol": sub.graph.symbols[c.id], "cell": sub.cells[c.id], "verdict": c.verdict,
                "value": c.value if c.value is not None else c.shown, "points": c.points,
                "reason": _cell_reason(t, c), "reason_code": c.reason, "mistake": c.mistake}
        if show_answers:
            cell["expected"] = c.expected
        out["cells"].append(cell)
    return out


def _cell_reason(t: Text, c) -> str | None:
    if c.verdict == "unreadable":
        return reason_text(t, c.reason, c.shown)
    if c.verdict == "misconception":
        return t(f"mistakes.{c.mistake}")
    if c.verdict == "wrong" and c.reason == "ambiguous":
        return t("report.what.wrong_ambiguous")
    return None


def json_document(results, lang=None, show_answers=False, flags: dict | None = None,
                  summary: dict | None = None) -> str:
    files = []
    for n, r in enumerate(results):
        d = as_dict(r, lang, show_answers)
        d["flags"] = (flags or {}).get(n, [])
        files.append(d)
    doc = {"files": files}
    if summary is not None:
        doc["class"] = summary
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _label(graph_symbols: dict, qid: str) -> str:
    symbol = graph_symbols.get(qid, qid)
    return qid if symbol == qid else f"{symbol} ({qid})"


def brief(result: FileResult, lang: str | None = None, flags: list[dict] | None = None) -> str:
    """One line per file, for batches."""
    t = text(lang_of(result, lang))
    path = escape(result.path, 200)
    if result.error is not None:
        return t("report.could_not_check", path=path, reason=result.error)
    if _is_run(result):
        from .xor_report import brief as run_brief

        return run_brief(result, lang_of(result, lang), path)
    g = result.grade
    first = g.first_wrong
    where = ""
    if first is not None:
        verdict = t(f"report.verdicts.{first.verdict}") + (f" {first.mistake}" if first.mistake else "")
        where = t("batch.brief_where", label=_label(result.submission.graph.symbols, first.id), verdict=verdict)
    line = t("batch.brief", path=path, points=_points(g.points), max=g.max_points, where=where)
    if flags:
        line += t("batch.brief_flags", others=", ".join(sorted({f["other"] for f in flags})))
    return line


def class_lines(results, summary: dict, flags: dict, lang: str | None = None) -> list[str]:
    t = text(lang or next((lang_of(r, None) for r in results if r.submission is not None), "en"))
    symbols = next((r.submission.graph.symbols for r in results if r.submission is not None), {})
    checked = summary["checked"]
    lines = [t("batch.class_title", files=summary["files"], checked=checked, unchecked=summary["unchecked"])]
    if checked:
        lines.append(t("batch.mean", mean=f"{summary['mean_score']:g}", max=summary["max_score"],
                       all_correct=summary["all_correct"], checked=checked))
        for m in summary["mistakes"]:
            lines.append(t("batch.mistake", n=m["students"], checked=checked, code=m["code"],
                           text=t(f"mistakes_short.{m['code']}")))
        if summary["first_divergence"]:
            top = summary["first_divergence"][0]
            lines.append(t("batch.first", label=_label(symbols, top["id"]), n=top["students"], checked=checked))
        hardest = sorted(summary["cells"].items(), key=lambda kv: kv[1].get("correct", 0))[:3]
        if hardest and hardest[0][1].get("correct", 0) < checked:
            lines.append(t("batch.hardest", cells=", ".join(
                t("batch.hardest_cell", label=_label(symbols, qid), n=counts.get("correct", 0), checked=checked)
                for qid, counts in hardest)))
    from .classroom import who

    def named(r):  # a student id can stand on two files: name the file too
        sid = who(r)
        return escape(sid if sid == r.path else f"{sid} ({r.path})", 120)

    groups = []
    for i, fl in sorted(flags.items()):
        group = {results[i].path} | {f["other_path"] for f in fl if f["kind"] == "same_variant"}
        if len(group) > 1 and group not in groups:
            groups.append(group)
    by_path = {r.path: r for r in results}
    for group in groups:
        members = [named(by_path[p]) for p in sorted(group)]
        lines.append(t("batch.same_variant", who=members[0], others=", ".join(members[1:])))
    for i, fl in sorted(flags.items()):
        for f in fl:
            if f["kind"] == "solution_workbook":
                lines.append(t("batch.solution_handed_in", who=named(results[i])))
            if f["kind"] == "fits_other_variant":
                lines.append(t("batch.fits_other", who=named(results[i]), other=named(by_path[f["other_path"]]),
                               share=round(100 * f["share"]), own=round(100 * f["own_share"])))
    return lines
