"""Turning results into what people and programs read: a terminal table, or one JSON document."""

from __future__ import annotations

import math
from collections import Counter

from .check import FileResult
from .grading import TOO_FEW_DIGITS
from .inert import json_text
from .precision import MIN_DIGITS
from .text import Text, network_words, origin_text, text
from .typed import error_text, number_text, stray_character
from .values import escape

# How much of a path, a student's id and name, or an error line is echoed (escaped).
SHOWN = 200
SHIFTS = ("thousands_separator", "power_of_ten")


def fmt_number(x: float | None, lang: str = "en") -> str:
    """A number as the reports show it: 9 significant digits, enough to compare with a cell;
    with a decimal comma in Portuguese."""
    return "" if x is None else number_text(f"{x:.9g}", lang)


def value_text(t: Text, cell) -> str:
    """A cell's value as the student typed it (the text of a typed number), else as read."""
    if cell.value is None:
        return cell.shown or ""
    return number_text(cell.shown, t.lang) if cell.shown else fmt_number(cell.value, t.lang)


def _points(p: float, lang: str = "en") -> str:
    return number_text(f"{p:g}", lang)


def verdict_text(t: Text, verdict: str) -> str:
    return t(f"report.verdicts.{verdict}")


def reason_text(t: Text, reason: str | None, shown: str | None) -> str:
    if not reason:
        return ""
    if reason == "error":
        shown = error_text(shown or "", t.data.get("error_values", {}))
    elif reason == "stray_character":
        char = stray_character(shown) or ""
        return t("typing.stray_character", shown=shown or "", char=f"“{char}”" if char.strip() else t("typing.space"))
    return t(f"report.reasons.{reason}", shown=shown or "")


def typing_text(t: Text, cell) -> str:
    """What probably happened to a number off by a power of ten, and how to type it."""
    k = round(math.log10(abs(cell.value / cell.expected)))
    decimals = max(0, (cell.decimals or 0) + k)
    fixed = f"{cell.value / 10.0 ** k:.{decimals}f}"
    shown = cell.shown or fmt_number(cell.value)
    return t(f"typing.{cell.reason}", shown=number_text(shown, t.lang), factor=number_text(f"{10.0 ** k:g}", t.lang),
             fixed=fixed, fixed_comma=fixed.replace(".", ","))


def what_text(t: Text, cell, min_digits: int = MIN_DIGITS) -> str:
    if cell.verdict == "blank":
        return t("report.what.blank")
    if cell.verdict == "unreadable":
        return t("report.what.unreadable", reason=reason_text(t, cell.reason, cell.shown))
    if cell.verdict == "misconception":
        return t("report.what.misconception", mistake=t(f"mistakes.{cell.mistake}") + f" [{cell.mistake}]")
    if cell.verdict == TOO_FEW_DIGITS:
        return t("precision.reason", n=min_digits) + "."
    if cell.reason in SHIFTS:
        return t("report.what.wrong") + " " + typing_text(t, cell) + "."
    return t("report.what.wrong_ambiguous" if cell.reason == "ambiguous" else "report.what.wrong")


def how_typed(t: Text, cells) -> str | None:
    """How the student's typed numbers were rounded, in words; None if none was typed."""
    typed = [c for c in cells if c.digits is not None]
    if not typed:
        return None
    for attr, key in (("decimals", "precision.how_decimals"), ("digits", "precision.how_digits")):
        counts = Counter(getattr(c, attr) for c in typed)
        n, seen = counts.most_common(1)[0]
        if seen * 5 >= len(typed) * 4 and (attr == "digits" or n > 0):  # files drop trailing zeros
            return t(key, n=n)
    return t("precision.how_range", low=min(c.digits for c in typed), high=max(c.digits for c in typed))


def lang_of(result: FileResult, lang: str | None) -> str:
    if lang:
        return lang
    if result.submission is not None:
        return result.submission.meta.lang
    return "en"


def _is_run(result: FileResult) -> bool:
    return getattr(result.submission, "task", "step") == "xor"


def terminal(result: FileResult, lang: str | None = None, show_answers: bool = False, color: bool = False,
             flags: list[dict] | None = None, list_flags: bool = True) -> str:
    if _is_run(result):
        from .xor_report import terminal as run_terminal

        return run_terminal(result, lang_of(result, lang), show_answers)
    t = text(lang_of(result, lang))
    path = escape(result.path, SHOWN)
    if result.error is not None:
        return t("report.could_not_check", path=path, reason=escape(result.error, SHOWN))
    sub, g = result.submission, result.grade
    graph = sub.graph
    lines = [t("report.checked", path=path, origin=escape(origin_text(t, sub.meta.origin), SHOWN),
               network=network_words(t, graph.shape)), ""]
    header = [t("report.col_id"), t("report.col_symbol"), t("report.col_verdict"), t("report.col_value")]
    if show_answers:
        header.append(t("report.col_expected"))
    rows = []
    for c in g.cells:
        verdict = verdict_text(t, c.verdict) + (f" {c.mistake}" if c.mistake else "")
        row = [c.id, graph.symbols[c.id], verdict, value_text(t, c)]
        if show_answers:
            row.append(fmt_number(c.expected, t.lang))
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
    lines.extend(summary_lines(result, t, flags))
    for f in (flags or []) if list_flags else []:
        lines.append(t("integrity.flag_line", text=flag_text(t, f)))
    if not show_answers and g.first_wrong is not None:
        lines.append(t("report.answers_hidden"))
    return "\n".join(lines)


def void_text(t: Text, void: str, flags: list[dict] | None) -> str:
    """Why the file earns nothing, in words, with what the flag found (which given, whose)."""
    flag = next((f for f in flags or [] if f["kind"] == void), {"kind": void})
    return t("integrity.void", reason=flag_text(t, flag))


def summary_lines(result: FileResult, t: Text, flags: list[dict] | None = None) -> list[str]:
    """Score, changed givens, the first divergence and what follows it, and notes."""
    sub, g = result.submission, result.grade
    graph = sub.graph
    lines = [t("report.score", points=_points(g.points, t.lang), max=g.max_points,
               carried=t(f"report.carried_policy_{g.carried_policy}"))]
    if g.void is not None:
        lines.append(void_text(t, g.void, flags))
    if g.changed_givens:
        changes = ", ".join(f"{ch.id} {fmt_number(ch.expected, t.lang)} → "
                            f"{ch.shown if ch.value is None else fmt_number(ch.value, t.lang)}"
                            for ch in g.changed_givens)
        lines.append(t("report.changed_givens", changes=changes))
    first = g.first_wrong
    if first is None and not g.changed_givens and g.void is None:
        lines.append(t("report.all_correct"))
    elif first is not None:
        symbol = graph.symbols[first.id]
        lines.append(t("report.start_here", label=_label(graph.symbols, first.id),
                       what=what_text(t, first, g.min_digits)))
        n = g.carried_after(first.id)
        if n and first.verdict in ("wrong", "misconception"):
            lines.append(t("report.after", n=n, symbol=symbol))
        for other in [c for c in g.cells if c.verdict == "misconception" and c is not first][:3]:
            lines.append(t("report.also", label=_label(graph.symbols, other.id), what=what_text(t, other, g.min_digits)))
    lines.extend(precision_lines(g, t))
    for note in sub.notes:
        lines.append(t(f"report.notes.{note}", ids=", ".join(sub.missing_names)))
    return lines


def precision_lines(g, t: Text) -> list[str]:
    """How typed numbers were judged, and where the student kept too few digits."""
    how = how_typed(t, g.cells)
    if how is None:
        return []
    lines = [t("precision.judged", how=how)]
    short = [c.id for c in g.cells if c.verdict == TOO_FEW_DIGITS]
    if short:
        lines.append(t("precision.too_few", n=len(short), min=g.min_digits, cells=", ".join(short)))
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
        "exercise": {**sub.meta.origin, "layers": sub.graph.shape.label,
                     "bias": sub.graph.shape.bias_mode, "train_biases": sub.graph.shape.train_biases,
                     "activation": sub.graph.shape.activation, "output": sub.graph.shape.output,
                     "loss": sub.graph.shape.loss},
        "student": sub.meta.student.as_dict() if sub.meta.student else None,
        "score": {"points": g.points, "max": g.max_points, "carried": g.carried_policy, "void": g.void},
        "min_digits": g.min_digits,
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
                "reason": _cell_reason(t, c, g.min_digits), "reason_code": c.reason, "mistake": c.mistake,
                "precision": None if c.digits is None else {"typed": c.shown, "digits": c.digits,
                                                            "decimals": c.decimals}}
        if show_answers:
            cell["expected"] = c.expected
        out["cells"].append(cell)
    return out


def _cell_reason(t: Text, c, min_digits: int) -> str | None:
    if c.verdict == "unreadable":
        return reason_text(t, c.reason, c.shown)
    if c.verdict == "misconception":
        return t(f"mistakes.{c.mistake}")
    if c.verdict == TOO_FEW_DIGITS:
        return t("precision.reason", n=min_digits)
    if c.verdict == "wrong" and c.reason == "ambiguous":
        return t("report.what.wrong_ambiguous")
    if c.verdict == "wrong" and c.reason in SHIFTS:
        return typing_text(t, c)
    return None


def json_chunks(results, lang=None, show_answers=False, flags: dict | None = None, summary: dict | None = None,
                standings: list | None = None):
    """One JSON document, in pieces: a file per line, each made and written in turn, so that
    a class of thousands never holds the whole document (or its tree) at once."""
    yield '{"files": [\n'
    for n, r in enumerate(results):
        d = as_dict(r, lang, show_answers(r) if callable(show_answers) else show_answers)
        t = text(lang_of(r, lang))
        d["flags"] = [{**f, "text": flag_text(t, f)} for f in (flags or {}).get(n, [])]
        if standings is not None:
            d["credited_to"] = standings[n].student or None
            d["counted"] = standings[n].counted and bool(standings[n].student)
        yield json_text(d) + (",\n" if n + 1 < len(results) else "\n")
    yield "]" + ("" if summary is None else ',\n"class": ' + json_text(summary)) + "}\n"


def _label(graph_symbols: dict, qid: str) -> str:
    symbol = graph_symbols.get(qid, qid)
    return qid if symbol == qid else f"{symbol} ({qid})"


def brief(result: FileResult, lang: str | None = None, flags: list[dict] | None = None) -> str:
    """One line per file, for batches."""
    t = text(lang_of(result, lang))
    path = escape(result.path, SHOWN)
    if result.error is not None:
        return t("report.could_not_check", path=path, reason=escape(result.error, SHOWN))
    if _is_run(result):
        from .xor_report import brief as run_brief

        return run_brief(result, lang_of(result, lang), path)
    g = result.grade
    first = g.first_wrong
    where = ""
    if first is not None:
        verdict = verdict_text(t, first.verdict) + (f" {first.mistake}" if first.mistake else "")
        where = t("batch.brief_where", label=_label(result.submission.graph.symbols, first.id), verdict=verdict)
    line = t("batch.brief", path=path, points=_points(g.points, t.lang), max=g.max_points, where=where)
    copies = [f for f in flags or [] if f["kind"] in ("fits_other_variant", "same_variant")]
    if copies:
        line += t("batch.brief_flags", others=escape(", ".join(sorted({f["other"] for f in copies})), SHOWN))
    if g.void is not None:
        line += "  " + void_text(t, g.void, flags)
    return line


def flag_text(t: Text, f: dict) -> str:
    """A flag in words, with whatever it names from the file escaped."""
    kind = f["kind"]
    key = kind
    if kind == "givens_forged":
        key = ("givens_forged" if f.get("other") else "givens_forged_seed") if f.get("id") else \
            "givens_forged_none" if f.get("none") else "givens_forged_plain"
    elif kind == "metadata_edited" and f.get("field") == "kind":
        key = "metadata_edited_kind"
    elif kind == "not_in_roster" and not f.get("other"):
        key = "not_in_roster_none"
    fields = {"other": escape(str(f.get("other") or ""), 120), "other_path": escape(str(f.get("other_path") or ""), 200),
              "id": escape(str(f.get("id") or ""), 40), "n": f.get("n", ""),
              "fields": escape(", ".join(f.get("fields", [])), 200),
              "found": fmt_number(f["found"]) if isinstance(f.get("found"), float) else "?",
              "expected": fmt_number(f["expected"]) if isinstance(f.get("expected"), float) else "?"}
    try:
        return t(f"integrity.{key}", **fields)
    except KeyError:  # a kind named elsewhere (classroom.copy_flags) with no words of its own
        return escape(kind, 60)


def class_lines(results, summary: dict, flags: dict, lang: str | None = None, standings: list | None = None) -> list[str]:
    t = text(lang or next((lang_of(r, None) for r in results if r.submission is not None), "en"))
    symbols = next((r.submission.graph.symbols for r in results if r.submission is not None), {})
    from .classroom import who

    def named(i):  # a student id can stand on two files: name the file too
        r = results[i]
        sid = (standings[i].student if standings else "") or who(r)
        return escape(sid if sid == r.path else f"{sid} ({r.path})", 160)

    lines = [t("batch.class_title", files=summary["files"], checked=summary["checked"],
               unchecked=summary["unchecked"])]
    if summary.get("missing"):
        lines.append(t("integrity.missing", who=escape(", ".join(summary["missing"]), 2000)))
    unverified = [r for r in results if standings is None and r.submission is not None
                  and r.submission.meta.student is not None]
    if unverified:
        lines.append(t("summary.unverified", n=len(unverified)))
    apart = [i for i, st in enumerate(standings or []) if not st.student]
    if apart:
        lines.append(t("integrity.apart", who=", ".join(escape(results[i].path, 200) for i in apart)))
    index = {r.path: i for i, r in enumerate(results)}
    groups, seen = [], set()
    for i, fl in sorted(flags.items()):
        group = frozenset({results[i].path} | {f["other_path"] for f in fl if f["kind"] == "same_variant"})
        if len(group) > 1 and group not in seen:
            seen.add(group)
            groups.append(group)
    for group in groups:
        members = [named(index[p]) for p in sorted(group)]
        lines.append(t("batch.same_variant", who=members[0], others=", ".join(members[1:])))
    # A class made by sheetprop 0.1.0 has no seals at all: one line for them, not one per student.
    unsealed = [i for i, fl in sorted(flags.items()) if any(f["kind"] == "unsealed" for f in fl)]
    if unsealed:
        lines.append(t("summary.unsealed", n=len(unsealed), who=", ".join(named(i) for i in unsealed[:10])
                       + (", …" if len(unsealed) > 10 else "")))
    for i, fl in sorted(flags.items()):
        for f in fl:
            if f["kind"] in ("same_variant", "unsealed"):
                continue
            if f["kind"] == "solution_workbook":
                lines.append(t("batch.solution_handed_in", who=named(i)))
            elif f["kind"] == "fits_other_variant":
                lines.append(t("batch.fits_other", who=named(i), other=named(index[f["other_path"]]),
                               share=round(100 * f["share"]), own=round(100 * f["own_share"])))
            else:
                lines.append(t("integrity.flagged", who=named(i), text=flag_text(t, f)))
    a = summary["apart"]
    if any(a[k] for k in ("blank", "forged", "copied", "superseded")):
        lines.append(t("summary.not_counted", **a))
    attempts = summary["attempts"]
    lines.append(t("summary.attempts", attempts=attempts))
    if attempts:
        lines.append(t("batch.mean", mean=number_text(f"{summary['mean_score']:g}", t.lang),
                       max=summary["max_score"], all_correct=summary["all_correct"], checked=attempts))
        for m in summary["mistakes"]:
            lines.append(t("batch.mistake", n=m["students"], checked=attempts, code=m["code"],
                           text=t(f"mistakes_short.{m['code']}")))
            lines.append(t("summary.who", who=escape(", ".join(m["who"]), 2000)))
        if summary["first_divergence"]:
            top = summary["first_divergence"][0]
            lines.append(t("batch.first", label=_label(symbols, top["id"]), n=top["students"], checked=attempts))
        if summary["hardest"]:
            lines.append(t("summary.hardest", cells=", ".join(
                t("summary.hardest_cell", label=_label(symbols, h["id"]),
                  lost=number_text(f"{h['points_lost']:g}", t.lang))
                for h in summary["hardest"][:3])))
    return lines
