"""The annotated workbook handed back to the student."""

import openpyxl
import pytest
from click.testing import CliRunner

from sheetprop import libreoffice, sources
from sheetprop.answers import reference_values
from sheetprop.cli import cli
from sheetprop.feedback import FILLS
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.write import write_pair

from .helpers import fill, simulate_student


@pytest.fixture
def m7_student(tmp_path):
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    m = next(m for m in mutations(graph)["dE_dout_h1"] if m.code == "M7")
    ex, _ = write_pair(g, tmp_path / "gen", lang="pt-BR")
    answers = simulate_student(graph, g, mutation=m)
    answers["E_o1"] = "abc"
    return g, graph, fill(ex, answers, tmp_path / "hand-in" / "aluno.xlsx")


def test_feedback_colours_every_answer_cell_and_explains(m7_student, tmp_path):
    g, graph, student = m7_student
    before = student.read_bytes()
    out = tmp_path / "fb" / "aluno-feedback.xlsx"
    res = CliRunner().invoke(cli, ["check", "--feedback", str(out), str(student)])
    assert res.exit_code == 1, res.output
    assert "Também" in res.output or "Comece por aqui" in res.output
    assert student.read_bytes() == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Resumo"
    ws = wb["Exercício"]
    names = {n: list(d.destinations)[0][1].replace("$", "") for n, d in wb.defined_names.items()}
    cell = ws[names["dE_dout_h1"]]
    assert cell.fill.fgColor.rgb.endswith(FILLS["misconception"])
    assert "M7" in cell.comment.text and "ATUALIZADOS" in cell.comment.text
    assert ws[names["E_o1"]].fill.fgColor.rgb.endswith(FILLS["unreadable"])
    assert ws[names["delta_h1"]].fill.fgColor.rgb.endswith(FILLS["carried"])
    assert ws[names["net_h1"]].fill.fgColor.rgb.endswith(FILLS["correct"])
    summary = " ".join(str(c.value) for row in wb["Resumo"].iter_rows() for c in row if c.value)
    assert "Nota" in summary and "dE_dout_h1" in summary
    # no answer handed out unless asked
    expected = reference_values(graph, g)
    assert f"{expected['dE_dout_h1']:.9g}" not in summary


def test_feedback_never_overwrites_the_input(m7_student):
    _, _, student = m7_student
    before = student.read_bytes()
    res = CliRunner().invoke(cli, ["check", "--feedback", str(student), str(student)])
    assert res.exit_code == 2 and "overwrite" in res.output
    assert student.read_bytes() == before


def test_feedback_for_several_files_goes_to_a_folder(m7_student, tmp_path):
    _, _, student = m7_student
    other = tmp_path / "other.xlsx"
    other.write_bytes(student.read_bytes())
    res = CliRunner().invoke(cli, ["check", "--feedback", str(tmp_path / "fbdir"), str(student), str(other)])
    assert res.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "fbdir").iterdir()) == ["aluno-feedback.xlsx", "other-feedback.xlsx"]


@pytest.mark.libreoffice
def test_feedback_opens_cleanly_in_libreoffice(m7_student, tmp_path):
    _, _, student = m7_student
    out = tmp_path / "aluno-feedback.xlsx"
    assert CliRunner().invoke(cli, ["check", "--feedback", str(out), str(student)]).exit_code == 1
    saved, = libreoffice.recalculate([out], tmp_path / "lo")
    wb = openpyxl.load_workbook(saved)
    assert wb.sheetnames == ["Resumo", "Exercício"]
    ws = wb["Exercício"]
    comments = [c for row in ws.iter_rows() for c in row if c.comment]
    assert len(comments) == 35


def test_files_of_one_name_in_several_folders_each_get_their_feedback(tmp_path):
    """As a platform's download lays hand-ins out: <student>/answers.xlsx."""
    from click.testing import CliRunner

    from sheetprop import sources
    from sheetprop.cli import cli
    from sheetprop.write import write_pair

    ex, _ = write_pair(sources.from_seed(3), tmp_path / "gen")
    files = []
    for who in ("ana", "bia"):
        (tmp_path / who).mkdir()
        files.append(tmp_path / who / "answers.xlsx")
        files[-1].write_bytes(ex.read_bytes())
    res = CliRunner().invoke(cli, ["check", *map(str, files), "--feedback", str(tmp_path / "fb")])
    assert res.exit_code == 1, res.output
    assert sorted(p.name for p in (tmp_path / "fb").iterdir()) == ["answers-feedback.xlsx",
                                                                   "bia-answers-feedback.xlsx"]
