"""A checked XOR training run in words (terminal) and as JSON: epochs, first fault, outcome."""

from __future__ import annotations

from .text import Text, network_words, origin_text, text
from .values import escape


def _fmt(x) -> str:
    return "" if x is None else f"{x:.9g}"


def label(sub, qid: str) -> str:
    cell = sub.row.cell(qid)
    symbol = cell.key._replace(example=None).symbol
    if cell.pattern is not None:
        symbol += f", {text_of(sub)('xor_report.pattern', p=cell.pattern)}"
    return f"{symbol} ({qid})"


def text_of(sub) -> Text:
    return text(sub.meta.get("lang", "en"))


def what(t: Text, f) -> str:
    if f.verdict == "blank":
        return t("report.what.blank")
    if f.verdict == "unreadable":
        return t("report.what.unreadable", reason=t(f"report.reasons.{f.reason}", shown=f.shown or ""))
    if f.verdict == "misconception":
        return t("report.what.misconception", mistake=t(f"mistakes.{f.mistake}") + f" [{f.mistake}]")
    if f.reason == "previous":
        return t("xor_report.previous")
    return t("report.what.wrong_ambiguous" if f.reason == "ambiguous" else "report.what.wrong")


def summary_lines(result, t: Text) -> list[str]:
    sub, g = result.submission, result.grade
    blank = sum(1 for f in g.faults if f.verdict == "blank")
    lines = [t("xor_report.rows", correct=g.correct, carried=g.carried, wrong=len(g.faults) - blank, blank=blank)]
    if g.changed_givens:
        changes = ", ".join(f"{qid} {_fmt(want)} → {shown if value is None else _fmt(value)}"
                            for qid, want, shown, value in g.changed_givens)
        lines.append(t("xor_report.given_changed", changes=changes))
    first = g.first
    if first is None:
        lines.append(t("xor_report.all_correct"))
    else:
        where = "trace_start_here" if getattr(sub, "kind", "") == "trace" else "start_here"
        lines.append(t(f"xor_report.{where}", epoch=first.epoch, label=label(sub, first.id),
                       cell=sub.address(first.id, first.epoch), what=what(t, first)))
        if first.verdict != "blank" and first.reason != "previous":
            lines.append(t("xor_report.expected", value=_fmt(first.expected), previous=first.epoch - 1))
        same = sum(1 for f in g.faults[1:] if (f.id, f.mistake, f.verdict) == (first.id, first.mistake, first.verdict))
        if same:
            lines.append(t("xor_report.repeated", n=same))
        later = g.epochs - first.epoch
        if later:
            lines.append(t("xor_report.after", n=g.consistent_after, total=later))
    outputs = ", ".join(f"{o:.3f}" for o in g.final_outputs) if g.final_outputs else "—"
    if g.reached is None:
        if g.best is None:
            lines.append(t("xor_report.outcome_no_loss"))
        else:
            lines.append(t("xor_report.outcome_not_reached", best=f"{g.best[0]:.4g}", epoch=g.best[1]))
    elif g.outputs_right:
        lines.append(t("xor_report.outcome_reached", epoch=g.reached, outputs=outputs))
    else:
        lines.append(t("xor_report.outcome_wrong_side", epoch=g.reached, outputs=outputs))
    if g.reference_reached is not None:
        lines.append(t("xor_report.reference", epoch=g.reference_reached))
    elif g.reference_run:
        lines.append(t("xor_report.reference_not", epochs=g.epochs))
    for note in sub.notes:
        lines.append(t(f"report.notes.{note}", ids=", ".join(sub.missing_names)))
    return lines


def terminal(result, lang: str, show_answers: bool = False) -> str:
    t = text(lang)
    sub = result.submission
    run = sub.run
    if getattr(sub, "kind", "") == "trace":
        head = t("xor_report.trace_checked", path=escape(result.path, 200), layers=run.shape.label,
                 network=network_words(t, run.shape), epochs=run.epochs, eta=f"{run.eta:g}")
    else:
        head = t("xor_report.checked", path=escape(result.path, 200),
                 origin=origin_text(t, sub.meta.get("origin", {})), layers=run.shape.label, epochs=run.epochs,
                 eta=f"{run.eta:g}")
    return "\n".join([head, ""] + summary_lines(result, t))


def _fault(sub, f, show_answers: bool = True) -> dict:
    d = {"epoch": f.epoch, "id": f.id, "cell": sub.address(f.id, f.epoch), "verdict": f.verdict,
         "value": f.value if f.value is not None else f.shown, "mistake": f.mistake, "reason_code": f.reason}
    d["expected"] = f.expected if f.expected == f.expected else None  # NaN is not JSON
    return d


def as_dict(result, lang: str, show_answers: bool = False) -> dict:
    t = text(lang)
    sub, g = result.submission, result.grade
    run = sub.run
    first = g.first
    blank = sum(1 for f in g.faults if f.verdict == "blank")
    return {
        "lang": t.lang,
        "task": "xor",
        "kind": getattr(sub, "kind", "workbook"),
        "exercise": {**sub.meta.get("origin", {}), "layers": run.shape.label, "activation": run.shape.activation,
                     "output": run.shape.output, "loss": run.shape.loss, "epochs": run.epochs, "eta": run.eta},
        "student": sub.meta.get("student"),
        "score": {"points": g.points, "max": g.max_points, "carried": g.carried_policy},
        "epochs": {"correct": g.correct, "carried": g.carried, "wrong": len(g.faults) - blank, "blank": blank},
        "first_wrong": None if first is None else _fault(sub, first),
        "first_wrong_consistent_after": g.consistent_after,
        "faults": [_fault(sub, f) for f in g.faults[:100]],
        "reached": g.reached,
        "final_outputs": g.final_outputs,
        "outputs_right": g.outputs_right,
        "target_met": g.target_met,
        "reference_reached": g.reference_reached,
        "givens_changed": [{"id": q, "expected": w, "value": v, "shown": s} for q, w, s, v in g.changed_givens],
        "notes": list(sub.notes),
        "cells": [],
    }


def brief(result, lang: str, path: str) -> str:
    t = text(lang)
    g = result.grade
    first = g.first
    where = ""
    if first is not None:
        verdict = t(f"report.verdicts.{first.verdict}") + (f" {first.mistake}" if first.mistake else "")
        where = t("xor_report.brief_where", epoch=first.epoch, label=label(result.submission, first.id),
                  verdict=verdict)
    reached = t("xor_report.brief_reached", epoch=g.reached) if g.target_met else t("xor_report.brief_not_reached")
    return t("batch.brief", path=path, points=f"{g.points:g}", max=g.max_points, where=where) + reached
