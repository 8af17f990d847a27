"""Any file a student hands in gets one clear answer within seconds and bounded memory."""

import json
import os
import resource
import subprocess
import sys
import time

import pytest

from sheetprop import intake
from sheetprop.check import check_file

from . import hostile

TIME_LIMIT = 20  # seconds before a run is killed: a hang fails the test instead of stalling it
ANSWER_WITHIN = 5  # seconds: "within a few seconds", start-up included, on a loaded CI machine
MEMORY_LIMIT = 1 << 30  # address space; sheetprop needs a few hundred MB of it at most


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("corpus"))


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(*args, cwd=None):
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sheetprop", "check", "--no-recalculate", *args],
                          capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limited, cwd=cwd,
                          stdin=subprocess.DEVNULL)
    return proc, time.monotonic() - start


def test_every_case_gets_its_answer_within_limits(corpus):
    failures = []
    for case in corpus:
        before = _snapshot(case.path)
        proc, seconds = run_cli("--json", "--", str(case.path), cwd=case.path.parent)
        out = proc.stdout + proc.stderr
        if seconds > ANSWER_WITHIN:
            failures.append(f"{case.name}: took {seconds:.1f} s")
        if "Traceback" in out or proc.returncode != case.status:
            failures.append(f"{case.name}: exit {proc.returncode}, wanted {case.status}: {out[-400:]}")
            continue
        doc = json.loads(proc.stdout)
        f = doc["files"][0]
        if case.status == 2:
            if case.says.lower() not in (f["error"] or "").lower() or f["error_code"] != case.code:
                failures.append(f"{case.name}: said {f['error']!r} ({f['error_code']}), wanted {case.says!r}")
            if "\n" in f["error"]:
                failures.append(f"{case.name}: more than one line")
        if _snapshot(case.path) != before:
            failures.append(f"{case.name}: the input changed")
    assert not failures, "\n".join(failures)


def test_one_line_in_the_terminal_and_nothing_written_beside_the_input(corpus):
    folder = corpus[0].path.parent
    listing = sorted(os.listdir(folder))
    for case in corpus:
        if case.status != 2:
            continue
        proc, _ = run_cli("--", str(case.path))
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        assert len(lines) == 1 and "could not be checked" in lines[0], (case.name, proc.stdout)
    assert sorted(os.listdir(folder)) == listing


def test_a_batch_with_hostile_files_grades_all_the_good_ones(corpus):
    paths = [str(c.path) for c in corpus]
    proc, _ = run_cli("--json", "--", *paths)
    assert proc.returncode == 2
    files = json.loads(proc.stdout)["files"]
    assert len(files) == len(corpus)
    for case, f in zip(corpus, files):
        assert f["status"] == case.status, case.name


def test_a_file_name_starting_with_a_dash(corpus):
    dash = next(c for c in corpus if c.name == "-dash.xlsx")
    proc, _ = run_cli("--", dash.name, cwd=dash.path.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_macros_are_never_run_and_reported(corpus):
    case = next(c for c in corpus if c.name == "macros.xlsm")
    result = check_file(case.path)
    assert result.status == 0 and "macros_ignored" in result.submission.notes


def test_defusedxml_is_in_use():
    import openpyxl

    assert openpyxl.DEFUSEDXML
    with pytest.raises(intake.Rejected):
        intake.identify(b"PK\x03\x04 not really a zip")


def test_text_echoed_from_a_cell_is_escaped(tmp_path):
    from .helpers import fill

    case_dir = tmp_path / "c"
    good = hostile.good_workbook(case_dir)
    marked = fill(good, {"net_h1": "PLACEHOLDER"}, tmp_path / "marked.xlsx")
    # Excel stores a control character as _xHHHH_; the bidi override goes in as it is.
    evil = hostile.replace_part(marked, tmp_path / "evil.xlsx", "xl/worksheets/sheet1.xml",
                            lambda d: d.replace(b"PLACEHOLDER", "_x001B_[31mred\u202eevil".encode()))
    proc, _ = run_cli(str(evil))
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    assert "\\u001b[31mred\\u202eevil" in proc.stdout


def test_external_link_formulas_are_not_followed(tmp_path):
    good = hostile.good_workbook(tmp_path / "c")
    entries = hostile.entries(good)
    out = tmp_path / "linked.xlsx"

    def link(d):
        # a formula into another workbook, with a cached value, as Excel saves it
        import re

        return re.sub(rb'(<c r="C27"[^>]*?)(/>|>.*?</c>)', rb'\1><f>[1]Sheet1!$A$1</f><v>0.123</v></c>', d, count=1)
    hostile.rezip(out, [(n, link(d) if n == "xl/worksheets/sheet1.xml" else d) for n, d in entries]
                 + [("xl/externalLinks/externalLink1.xml", b"<externalLink/>")])
    result = check_file(out)
    cell = next(c for c in result.grade.cells if c.reason == "external")
    assert cell.verdict == "unreadable"
    assert "external_links" in result.submission.notes


def _snapshot(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if os.path.isfile(path) and not os.path.islink(path) and st.st_size < (1 << 20):
        return st.st_mtime_ns, path.read_bytes()
    return st.st_mtime_ns, st.st_size


def test_a_time_backstop_gives_one_line_instead_of_a_stall(corpus):
    from sheetprop.check import Options

    good = next(c for c in corpus if c.name == "link-in-folder.xlsx")
    result = check_file(good.path, Options(recalculate=False, time_limit=1e-6))
    assert result.error_code == "timeout" and "took longer than" in result.error
    assert check_file(good.path, Options(recalculate=False)).status == 0
