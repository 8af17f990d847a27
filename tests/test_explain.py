"""sheetprop explain: the walkthrough's content against numpy, the student's part against check's
verdicts, the command line, and the HTML page rendered by a real headless Chromium."""

import html
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from sheetprop import mathml, sources
from sheetprop.answers import reference_values
from sheetprop.check import check_file
from sheetprop.cli import cli
from sheetprop.explain import markdown, order, walkthrough
from sheetprop.explain_html import page
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.network import Shape
from sheetprop.write import write_pair

from .helpers import fill, simulate_student

SHAPES = [
    Shape(),
    Shape(2, 3, 2, activation="tanh", output="softmax", loss="cross-entropy"),
    Shape(2, 2, 2, "layer", False),
    Shape(4, 4, 4, "none", activation="relu", output="linear", loss="mse"),
]


def _values(doc: str, cls: str) -> dict:
    """id -> (shown text, exact value) for each element of this class in the page."""
    found = re.findall(rf'class="{cls}" data-id="([^"]+)" data-value="([^"]+)">([^<]*)<', doc)
    return {qid: (html.unescape(shown), float(value)) for qid, value, shown in found}


def _shown(text: str) -> float:
    return float(text.replace("−", "-"))


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.output}-{s.loss}")
def test_every_quantity_is_explained_once_with_the_numbers_of_numpy(shape):
    g = sources.from_seed(9, shape)
    graph = Graph(shape)
    expected = reference_values(graph, g)
    w = walkthrough(g, "en")
    assert [s.id for s in w.steps] == order(graph) and sorted(order(graph)) == sorted(graph.answer_ids)
    seen = set(graph.given_ids)
    for s in w.steps:  # each step reads only what was shown before it: its neighbours in the graph
        assert {i.id for i in s.inputs} == set(graph[s.id].inputs) and seen >= set(graph[s.id].inputs)
        seen.add(s.id)
    doc = page(w)
    results = _values(doc, "result")
    assert set(results) == set(graph.answer_ids)
    for qid, (shown, exact) in results.items():
        assert exact == expected[qid]
        assert _shown(shown) == pytest.approx(expected[qid], rel=1e-8, abs=1e-15), qid
    assert "<script" not in doc.lower() and "http" not in doc and "src=" not in doc
    md = markdown(w)
    for qid in graph.answer_ids:
        assert md.count(f"(`{qid}`)") == 1, qid


def test_a_rule_is_typeset_with_fractions_and_its_numbers_substituted():
    g = sources.from_seed(42)
    w = walkthrough(g, "en")
    out = mathml.render(w.graph["out_h1"].expr, lambda i: mathml.number(w.values[i], 9))
    assert out.startswith("<mfrac><mn>1</mn>") and "<msup><mi>e</mi>" in out
    net = w.values["net_h1"]
    assert mathml.number(net, 9) in out
    assert mathml.number(-0.25) == "<mrow><mo>(</mo><mn>−0.25</mn><mo>)</mo></mrow>"
    gradient = mathml.symbol("∂E_total/∂w₅")
    assert gradient.startswith("<mfrac>") and "<mn>5</mn>" in gradient


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """A student who left out σ′ at the output (M1) and kept 7 significant digits."""
    tmp = tmp_path_factory.mktemp("student")
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    ex, _ = write_pair(g, tmp / "gen", lang="pt-BR")
    mistake = next(m for m in mutations(graph)["delta_o1"] if m.code == "M1")
    answers = simulate_student(graph, g, mutation=mistake, digits=7)
    return ex, fill(ex, answers, tmp / "answers.xlsx"), answers


def test_a_checked_workbook_shows_the_students_numbers_and_where_they_went_wrong(student):
    _, answers_path, answers = student
    result = check_file(answers_path)
    w = walkthrough(result.submission.givens, "en", result)
    doc = page(w)
    assert '<section class="step misconception first" id="q-delta_o1">' in doc
    assert doc.count(" first") == 1 and 'href="#q-delta_o1"' in doc
    yours = dict(re.findall(r'class="yours-value" data-id="([^"]+)">([^<]*)<', doc))
    assert set(yours) == set(w.graph.answer_ids)
    assert all(_shown(yours[q]) == pytest.approx(answers[q], rel=1e-8) for q in answers)
    # where they went wrong: their inputs were right, so the rule on their own numbers is the truth
    step = next(s for s in w.steps if s.id == "delta_o1")
    assert step.own == pytest.approx(w.values["delta_o1"], rel=1e-5) and step.verdict.mistake == "M1"
    md = markdown(w)
    assert "Start here: δ_o1 (delta_o1) is off: you left out the activation's derivative at the output" in md
    assert "(misconception, M1)" in md and "(carried)" in md


def test_explain_from_the_command_line(student, tmp_path):
    exercise, answers_path, _ = student
    run = CliRunner().invoke
    out = tmp_path / "out"
    r = run(cli, ["explain", "--seed", "42", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "sheetprop-seed42-explain.html").exists() and (out / "sheetprop-seed42-explain.md").exists()
    r = run(cli, ["explain", "--seed", "42", "--out", str(out)])
    assert r.exit_code == 2 and "--force" in r.output
    r = run(cli, ["explain", str(answers_path), "--out", str(out)])  # the workbook's language: pt-BR
    assert r.exit_code == 0, r.output
    doc = (out / "answers-explain.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in doc and "Suas respostas" in doc and "[M1]" in doc
    r = run(cli, ["explain", str(exercise), "--out", str(out), "--lang", "en"])  # nothing filled in yet
    assert r.exit_code == 0, r.output
    doc = (out / f"{exercise.stem}-explain.html").read_text(encoding="utf-8")
    assert 'id="student"' not in doc and "Your value" not in doc
    r = run(cli, ["explain", "--seed", "7", "--layers", "2-3-2", "--activation", "tanh", "--output", "softmax",
                  "--loss", "cross-entropy", "--lang", "pt-BR", "--out", str(out)])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    r = run(cli, ["explain", str(bad), "--out", str(out)])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "Traceback" not in r.output
    r = run(cli, ["explain", "--preset", "mazur", "--seed", "1"])
    assert r.exit_code == 2


def _chromium() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium_run(args, tmp_path, timeout=120):
    cmd = [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.chromium
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_chromium_renders_the_page_and_its_numbers_match_numpy(student, lang, tmp_path):
    _, answers_path, _ = student
    result = check_file(answers_path)
    w = walkthrough(result.submission.givens, lang, result)
    path = tmp_path / "walkthrough.html"
    path.write_text(page(w), encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = _chromium_run(["--window-size=1100,2400", f"--screenshot={shot}", path.as_uri()], tmp_path)
    assert shot.exists(), done.stderr.decode(errors="replace")[-500:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # a blank page compresses to a few KB
    dom = _chromium_run(["--dump-dom", path.as_uri()], tmp_path).stdout.decode()
    # What the browser built from the page: the MathML elements, and every number, in place.
    assert dom.count("<math") > 100 and "<mfrac>" in dom
    expected = reference_values(w.graph, w.givens)
    results = _values(dom, "result")
    assert set(results) == set(w.graph.answer_ids)
    for qid, (shown, _) in results.items():
        assert _shown(shown) == pytest.approx(expected[qid], rel=1e-8, abs=1e-15), qid
    givens = _values(dom, "value")
    assert {q: v for q, (_, v) in givens.items()} == {q: expected[q] for q in w.graph.given_ids}


def test_what_a_student_typed_stays_text_on_the_page(tmp_path):
    g = sources.from_seed(42)
    ex, _ = write_pair(g, tmp_path / "gen")
    hostile = {"net_h1": '<img src=x onerror="alert(1)">', "out_h1": "[click](javascript:alert(1))",
               "net_h2": "`rm -rf`"}
    path = fill(ex, hostile, tmp_path / "hostile.xlsx")
    w = walkthrough(g, "en", check_file(path))
    doc, md = page(w), markdown(w)
    assert "<img" not in doc and "onerror=" not in doc.replace("onerror=&quot;", "") and "<img" not in md
    assert "](javascript" not in md and "\\`rm -rf\\`" in md  # an escaped backtick opens no code span
    assert "&lt;img" in doc and "&lt;img" in md
