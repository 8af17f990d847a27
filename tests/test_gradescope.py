"""The Gradescope autograder: the zip, run as Gradescope runs it, and a results.json its schema accepts."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetprop.cli import cli
from sheetprop.mistakes import mutations
from sheetprop.submission import load

from .helpers import fill, simulate_student

VENV_BIN = str(Path(sys.executable).parent)


def assert_gradescope_results(doc: dict) -> None:
    """Gradescope's documented results.json (Autograder Specifications, "Output format"):
    top-level score (number), output (string), tests (a list), optional visibility; each test a
    name, a score and max_score (numbers), a status of passed or failed, an output (string)."""
    allowed = {"score", "execution_time", "output", "output_format", "visibility", "stdout_visibility",
               "extra_data", "tests", "leaderboard"}
    assert set(doc) <= allowed, set(doc) - allowed
    assert isinstance(doc["score"], (int, float)) and not isinstance(doc["score"], bool)
    assert isinstance(doc["output"], str) and doc["output"]
    assert doc.get("visibility", "visible") in ("hidden", "after_due_date", "after_published", "visible")
    assert isinstance(doc["tests"], list)
    test_keys = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                 "tags", "visibility", "extra_data"}
    for test in doc["tests"]:
        assert set(test) <= test_keys, set(test) - test_keys
        assert isinstance(test["name"], str) and test["name"]
        for key in ("score", "max_score"):
            assert isinstance(test[key], (int, float)) and not isinstance(test[key], bool)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
    if doc["tests"]:
        assert doc["score"] <= sum(t["max_score"] for t in doc["tests"])


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The zip, unpacked as Gradescope does: its files in source/, run_autograder beside it."""
    tmp = tmp_path_factory.mktemp("ag")
    res = CliRunner().invoke(cli, ["gradescope", "--out", str(tmp / "autograder.zip"), "--lang", "pt-BR"])
    assert res.exit_code == 0, res.output
    return tmp / "autograder.zip"


def run_autograder(zip_path: Path, root: Path, files: dict[str, bytes]) -> dict:
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    env = {**os.environ, "SHEETPROP_AUTOGRADER_ROOT": str(root), "PATH": VENV_BIN + os.pathsep + os.environ["PATH"],
           "PYTHONPATH": ""}
    proc = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=120, cwd=root)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert_gradescope_results(doc)
    return doc


def test_the_zip_holds_what_gradescope_runs(autograder):
    with zipfile.ZipFile(autograder) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt", "sheetprop/cli.py",
                "sheetprop/templates/pt-BR.toml"} <= names
        for script in ("setup.sh", "run_autograder"):
            assert (z.getinfo(script).external_attr >> 16) & 0o111, f"{script} is executable"
        reqs = z.read("requirements.txt").decode().split()
        assert any(r.startswith("openpyxl") for r in reqs) and not any("pytest" in r for r in reqs)
        setup = z.read("setup.sh").decode()
        assert "python3.11" in setup and "requirements.txt" in setup
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", "/dev/stdin"], input=zipfile.ZipFile(autograder).read(script), check=True)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wb")
    res = CliRunner().invoke(cli, ["generate", "--seed", "42", "--lang", "pt-BR", "--out", str(tmp)])
    assert res.exit_code == 0
    exercise = tmp / "sheetprop-seed42-pt-BR-exercise.xlsx"
    sub = load(exercise, recalculate=False)
    m1 = next(x for x in mutations(sub.graph)["delta_o1"] if x.code == "M1")
    right = fill(exercise, simulate_student(sub.graph, sub.givens), tmp / "right.xlsx")
    wrong = fill(exercise, simulate_student(sub.graph, sub.givens, mutation=m1), tmp / "wrong.xlsx")
    return right.read_bytes(), wrong.read_bytes()


def test_a_correct_workbook_passes_every_test(autograder, workbooks, tmp_path):
    doc = run_autograder(autograder, tmp_path / "autograder", {"answers.xlsx": workbooks[0]})
    assert doc["score"] == 35 and len(doc["tests"]) == 35
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] == 1 for t in doc["tests"])
    assert "Todas as células estão certas" in doc["output"]


def test_a_misconception_is_named_with_a_hint(autograder, workbooks, tmp_path):
    doc = run_autograder(autograder, tmp_path / "autograder", {"sub/dir/answers.xlsx": workbooks[1]})
    delta = next(t for t in doc["tests"] if t["name"] == "δ_o1 (delta_o1)")
    assert delta["status"] == "failed" and delta["score"] == 0
    assert delta["output"].startswith("equívoco M1: faltou a derivada da ativação na saída") and "\nRegra: Delta de o1" in delta["output"]
    assert doc["score"] == 34 and "Comece por δ_o1 (delta_o1)" in doc["output"]
    later = next(t for t in doc["tests"] if t["name"].endswith("(dE_dw_5)"))
    assert later["status"] == "passed" and later["output"].startswith("consistente")


def test_no_workbook_or_a_broken_one(autograder, workbooks, tmp_path):
    doc = run_autograder(autograder, tmp_path / "none", {})
    assert doc["score"] == 0 and doc["tests"] == [] and "Nenhuma planilha" in doc["output"]
    doc = run_autograder(autograder, tmp_path / "broken", {"answers.xlsx": b"PK\x03\x04 truncated"})
    assert doc["score"] == 0 and "não pôde ser conferida" in doc["output"]
    doc = run_autograder(autograder, tmp_path / "two", {"a.xlsx": workbooks[1], "notes.txt": b"hi",
                                                       ".hidden.xlsx": b"x"})
    assert doc["score"] == 34


def test_the_schema_check_can_fail():
    with pytest.raises(AssertionError):
        assert_gradescope_results({"score": 1, "output": "x", "tests": [{"name": "a", "score": 2, "max_score": 1,
                                                                         "status": "passed", "output": ""}]})
    with pytest.raises(AssertionError):
        assert_gradescope_results({"score": 1, "output": "x", "tests": [{"name": "a", "score": 1, "max_score": 1,
                                                                         "status": "ok", "output": ""}]})


@pytest.mark.libreoffice
def test_a_generated_solution_scores_nothing(autograder, tmp_path):
    from sheetprop import libreoffice

    res = CliRunner().invoke(cli, ["generate", "--seed", "42", "--out", str(tmp_path / "gen")])
    assert res.exit_code == 0
    saved, = libreoffice.recalculate([tmp_path / "gen" / "sheetprop-seed42-solution.xlsx"], tmp_path / "lo")
    doc = run_autograder(autograder, tmp_path / "autograder", {"answers.xlsx": saved.read_bytes()})
    # nothing earned anywhere (no test contradicts the total); each test still says what its cell held
    assert doc["score"] == 0 and all(t["score"] == 0 and t["status"] == "failed" for t in doc["tests"])
    assert all(t["output"].startswith("correct") for t in doc["tests"])
    assert "This is a solution workbook made by sheetprop generate" in doc["output"]


def test_a_part_2_trace_gets_results_gradescope_accepts(tmp_path):
    """A training run (here a trace from a student's own program) is graded too, not 'could not be checked'."""
    from sheetprop.gradescope import results

    from . import xor_student

    for mistake, target_met in ((None, True), ("M1", None)):
        trace = tmp_path / f"trace-{mistake}.csv"
        xor_student.train(trace, mistake=mistake)
        res = CliRunner().invoke(cli, ["check", "--json", str(trace)])
        doc = results(json.loads(res.stdout))
        assert_gradescope_results(doc)
        run = doc["tests"][0]
        if mistake is None:
            assert doc["score"] == run["max_score"] > 0 and run["status"] == "passed"
            assert doc["tests"][1]["status"] == "passed"
        else:
            assert doc["score"] < run["max_score"] and run["status"] == "failed" and "M1" in doc["output"]
