"""A Gradescope autograder: the zip Gradescope builds and runs, and what it reports.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): the zip holds `setup.sh`, run once as root on Gradescope's Ubuntu image,
and `run_autograder`, run for each submission with the student's files in
/autograder/submission/; it must write /autograder/results/results.json with a top-level
"score", an "output" and "tests" [{"name", "score", "max_score", "status": "passed" |
"failed", "output"}], and optionally "visibility".

The zip carries this sheetprop's own source, so the autograder grades exactly as the
teacher's sheetprop does; setup.sh installs its dependencies (and a Python new enough)
in a private environment. run_autograder runs `sheetprop check --json` on the workbook
handed in and turns that document into results.json: one test per quantity, with its
verdict and a hint that does not give the answer. Paths start at $SHEETPROP_AUTOGRADER_ROOT
when it is set (the tests run the autograder in a folder shaped like /autograder).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT_ENV = "SHEETPROP_AUTOGRADER_ROOT"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
# Gradescope's documented values for "visibility" and "status".
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
STATUSES = ("passed", "failed")
CHECK_TIMEOUT = 300  # seconds; check's own per-file backstop is 60 s

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# sheetprop needs Python 3.11 or newer; Ubuntu 22.04's python3 is 3.10, so a newer one is
# installed beside it where needed. The dependencies go in a private environment.
set -euo pipefail
AG="${SHEETPROP_AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  PY=python3
  python3 -m venv --help >/dev/null 2>&1 || { apt-get update && apt-get install -y python3-venv; }
else
  apt-get update && apt-get install -y python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv "$AG/venv"
"$AG/venv/bin/pip" install --no-cache-dir -r "$AG/source/requirements.txt"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: `sheetprop check --json` on the workbook in
# $AG/submission/, turned into $AG/results/results.json (see sheetprop/gradescope.py).
set -u
AG="${{SHEETPROP_AUTOGRADER_ROOT:-/autograder}}"
PY="$AG/venv/bin/python"
[ -x "$PY" ] || PY=python3
export PYTHONPATH="$AG/source"
mkdir -p "$AG/results"
exec "$PY" -m sheetprop.gradescope {options} "$AG"
"""


def requirements() -> list[str]:
    """sheetprop's own dependencies, as its package metadata states them (test extras left out)."""
    try:
        reqs = importlib.metadata.requires("sheetprop") or []
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError("sheetprop is not installed (pip install .): its dependencies are unknown") from None
    return [r for r in reqs if "extra ==" not in r]


def build_zip(out: Path, lang: str = "en", carried: str = "full") -> Path:
    """The autograder zip: setup.sh, run_autograder, requirements.txt and sheetprop's source."""
    from . import text as text_module

    package = Path(__file__).resolve().parent
    templates = text_module._templates()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, bytes, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.format(options=f"--lang {lang} --carried {carried}").encode(), 0o755),
        ("requirements.txt", ("\n".join(requirements()) + "\n").encode(), 0o644),
    ]
    for path in sorted(package.glob("*.py")):
        entries.append((f"sheetprop/{path.name}", path.read_bytes(), 0o644))
    for path in sorted(templates.glob("*.toml")) + [templates / "__init__.py"]:
        entries.append((f"sheetprop/templates/{path.name}", path.read_bytes(), 0o644))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same zip for the same sources
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out


def find_workbook(submission: Path) -> tuple[Path | None, list[Path]]:
    """The workbook to grade among the files handed in (the newest, if several), and all candidates."""
    files = [p for p in sorted(submission.rglob("*")) if p.is_file() and not p.is_symlink()
             and not any(part.startswith((".", "__MACOSX")) for part in p.relative_to(submission).parts)]
    workbooks = [p for p in files if p.suffix.lower() in WORKBOOK_SUFFIXES] or files
    if not workbooks:
        return None, []
    return max(workbooks, key=lambda p: (p.stat().st_mtime, p.name)), workbooks


def results(doc: dict, lang: str = "en", extra_output: list[str] | None = None) -> dict:
    """Gradescope's results.json from a `sheetprop check --json` document of one file."""
    from .graph import graph_for
    from .sources import shape_of
    from .text import text
    from .write import hint

    extra_output = extra_output or []
    f = doc["files"][0]
    t = text(f.get("lang") or lang)
    if f["error"] is not None:
        return {"score": 0.0, "visibility": "visible",
                "output": "\n".join(extra_output + [t("gradescope.not_checked", reason=f["error"])]), "tests": []}
    if f.get("task") == "xor":
        return _run_results(f, t, extra_output)
    ex = f["exercise"]
    graph = graph_for(shape_of(ex))
    tests = []
    for c in f["cells"]:
        verdict = t(f"report.verdicts.{c['verdict']}") + (f" {c['mistake']}" if c["mistake"] else "")
        passed = c["verdict"] == "correct" or c["points"] >= 1
        if c["verdict"] == "correct":
            why = ""
        elif c["verdict"] == "carried":
            why = t("feedback.carried_comment")
        elif c["verdict"] == "blank":
            why = t("report.what.blank")
        else:
            why = c["reason"] or t("report.what.wrong")
        lines = [f"{verdict}: {why}" if why else verdict]
        if not passed:
            lines.append(t("gradescope.rule", hint=hint(t, graph, c["id"])))
        tests.append({"name": c["id"] if c["symbol"] == c["id"] else f"{c['symbol']} ({c['id']})",
                      "score": float(c["points"]), "max_score": 1.0,
                      "status": "passed" if passed else "failed", "output": "\n".join(lines)})
    score = float(f["score"]["points"])
    if f["score"].get("void") or "solution_workbook" in f["notes"]:
        for test in tests:  # nothing earned, as the total says; each test still says what its cell held
            test["score"], test["status"] = 0.0, "failed"
    output = extra_output + [t("report.score", points=f"{score:g}", max=f["score"]["max"],
                               carried=t(f"report.carried_policy_{f['score']['carried']}"))]
    if "solution_workbook" in f["notes"]:
        score = 0.0  # a generated solution is the key, not an answer
        output.append(t("gradescope.solution"))
    elif f["first_wrong"] is None and not f["givens_changed"]:
        output.append(t("report.all_correct"))
    else:
        first = next((c for c, cell in zip(tests, f["cells"]) if cell["id"] == f["first_wrong"]), None)
        if first is not None:
            output.append(t("gradescope.start_here", name=first["name"]))
    # (names_missing needs the names, which the JSON does not carry: the cells are graded all the same.)
    output += [t(f"report.notes.{n}") for n in f["notes"] if n not in ("solution_workbook", "names_missing")]
    return {"score": score, "visibility": "visible", "output": "\n".join(output), "tests": tests}


def run(root: Path, lang: str = "en", carried: str = "full") -> dict:
    """What run_autograder does: find the workbook, check it, write results/results.json."""
    from .text import text

    t = text(lang)
    workbook, candidates = find_workbook(root / "submission")
    if workbook is None:
        res = {"score": 0.0, "visibility": "visible", "output": t("gradescope.no_workbook"), "tests": []}
    else:
        extra = []
        if len(candidates) > 1:
            extra.append(t("gradescope.several", file=workbook.name))
        proc = subprocess.run([sys.executable, "-m", "sheetprop", "check", "--json", "--carried", carried, "--",
                               str(workbook)], capture_output=True, text=True, timeout=CHECK_TIMEOUT)
        try:
            res = results(json.loads(proc.stdout), lang, extra)
        except (ValueError, KeyError, IndexError):
            res = {"score": 0.0, "visibility": "visible", "tests": [],
                   "output": "\n".join(extra + [t("gradescope.not_checked", reason=proc.stderr.strip()[-300:])])}
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return res


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sheetprop.gradescope")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--carried", default="full", choices=["full", "half", "none"])
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    run(args.root, args.lang, args.carried)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _run_results(f: dict, t, extra_output: list[str]) -> dict:
    """A training run of part 2 (a workbook or a trace): one test per epoch judged, the first
    fault and whether the target was reached in the output."""
    epochs = f["epochs"]
    first = f["first_wrong"]
    lines = [t("report.score", points=f"{f['score']['points']:g}", max=f["score"]["max"],
               carried=t(f"report.carried_policy_{f['score']['carried']}"))]
    if first is not None:
        lines.append(json.dumps(first, ensure_ascii=False))
    tests = [{"name": "XOR: epochs that follow from the row above", "score": float(f["score"]["points"]),
              "max_score": float(f["score"]["max"]),
              "status": "passed" if first is None else "failed",
              "output": f"{epochs['correct'] + epochs['carried']} / {f['score']['max']}"},
             {"name": "XOR: loss below 0.01 with every output right", "score": 0.0, "max_score": 0.0,
              "status": "passed" if f["target_met"] else "failed",
              "output": "" if f["reached"] is None else f"epoch {f['reached']}"}]
    return {"score": float(f["score"]["points"]), "visibility": "visible", "output": "\n".join(extra_output + lines),
            "tests": tests}
