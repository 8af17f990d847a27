"""Checking a filled XOR training workbook, epoch by epoch, from the student's own numbers."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sheetprop import libreoffice
from sheetprop.check import check_file
from sheetprop.epoch_row import data_values, row_for
from sheetprop.text import text
from sheetprop.xor_sheet import in_row, lay_out, resolver, write_pair
from sheetprop.xor_task import draw



def simulate(run, mistake=None, slips=None):
    """What a student's sheet saves when every cell follows their own formulas: rows of numbers.
    mistake: (code, from_epoch, cell id): that cell follows the catalogued mistake from that epoch on.
    slips: {(epoch, cell id): number typed over the formula}."""
    row = run.row
    params = run.values()
    env = {**data_values(), "eta": run.eta, "beta": run.beta}
    rows = []
    for e in range(1, run.epochs + 1):
        env.update({p: params[p] for p in row.state})
        # A first pass puts this row's cells in env: a mistake may read a cell computed after
        # it (M7 reads the row's updated output weight, which does not depend on it).
        for cell in row.cells:
            env[cell.id] = cell.expr.value(env)
        out = {}
        for cell in row.cells:
            expr = cell.expr
            if mistake and e >= mistake[1] and cell.id == mistake[2]:
                expr = next(w for code, _, w in cell.mistakes if code == mistake[0])
            value = expr.value(env)
            if slips and (e, cell.id) in slips:
                value = slips[(e, cell.id)]
            env[cell.id] = out[cell.id] = value
        params = {p: out[c] for p, c in zip(row.state, row.state_cells)}
        rows.append(out)
    return rows


def write_values(exercise: Path, run, rows, out: Path) -> Path:
    layout = lay_out(run.row, run.epochs, text("en"))
    wb = openpyxl.load_workbook(exercise)
    ws = wb.worksheets[0]
    for e, values in enumerate(rows, start=1):
        for qid, v in values.items():
            ws.cell(layout.zero + e, layout.columns[qid]).value = v
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    run = draw(42)
    exercise, solution = write_pair(run, tmp_path_factory.mktemp("xor"))
    return run, exercise, solution


def test_a_run_that_follows_every_step_is_correct_and_reaches_the_target(generated, tmp_path):
    run, exercise, _ = generated
    result = check_file(write_values(exercise, run, simulate(run), tmp_path / "good.xlsx"))
    g = result.grade
    assert result.status == 0 and g.all_correct
    assert g.correct == 500 and g.faults == []
    assert g.reached == 298 and g.outputs_right and g.target_met and g.reference_reached == 298


@pytest.mark.parametrize("code,cell", [("M1", "delta_o1_p2"), ("M2", "delta_h1_p3"), ("M3", "delta_o1_p4"),
                                       ("M6", "new_w_5"), ("M8", "new_b_1"), ("M7", "delta_h2_p1")])
def test_a_catalogued_mistake_is_named_at_its_first_epoch_and_cell(generated, tmp_path, code, cell):
    run, exercise, _ = generated
    rows = simulate(run, mistake=(code, 17, cell))
    result = check_file(write_values(exercise, run, rows, tmp_path / f"{code}.xlsx"))
    first = result.grade.first
    assert result.status == 1
    assert (first.epoch, first.id, first.verdict, first.mistake) == (17, cell, "misconception", code)
    assert result.grade.correct >= 16 and len(result.grade.faults) > 250, len(result.grade.faults)  # repeated
    assert first.expected == pytest.approx(simulate(run, slips=None)[16][cell], rel=1e-12)


def test_one_typed_slip_is_found_at_its_epoch_and_the_later_rows_follow_from_it(generated, tmp_path):
    run, exercise, _ = generated
    good = simulate(run)
    rows = simulate(run, slips={(40, "out_h2_p3"): round(good[39]["out_h2_p3"] + 0.01, 6)})
    result = check_file(write_values(exercise, run, rows, tmp_path / "slip.xlsx"))
    g = result.grade
    assert (g.first.epoch, g.first.id, g.first.verdict) == (40, "out_h2_p3", "wrong")
    assert len(g.faults) == 1 and g.consistent_after == 460
    assert g.first.expected == pytest.approx(good[39]["out_h2_p3"], rel=1e-12)


def test_the_report_and_json_of_a_wrong_run(generated, tmp_path):
    run, exercise, _ = generated
    path = write_values(exercise, run, simulate(run, mistake=("M1", 1, "delta_o1_p1")), tmp_path / "m1.xlsx")
    cli = [sys.executable, "-m", "sheetprop", "check"]
    shown = subprocess.run(cli + [str(path)], capture_output=True, text=True)
    assert shown.returncode == 1
    assert "Start here: epoch 1, δ_o1, pattern 1 (delta_o1_p1) (cell XOR!" in shown.stdout
    assert "[M1]" in shown.stdout and "Expected there:" in shown.stdout
    doc = json.loads(subprocess.run(cli + ["--json", str(path)], capture_output=True, text=True).stdout)
    f, = doc["files"]
    assert f["task"] == "xor" and f["status"] == 1
    assert f["first_wrong"]["epoch"] == 1 and f["first_wrong"]["id"] == "delta_o1_p1"
    assert f["first_wrong"]["mistake"] == "M1" and f["first_wrong"]["verdict"] == "misconception"
    assert f["epochs"]["correct"] == 0 and f["epochs"]["wrong"] == 500
    pt = subprocess.run(cli + ["--lang", "pt-BR", str(path)], capture_output=True, text=True).stdout
    assert "Comece por aqui: época 1" in pt


def test_an_empty_exercise_is_blank_from_epoch_1(generated):
    run, exercise, _ = generated
    result = check_file(exercise)
    assert result.status == 1
    assert (result.grade.first.epoch, result.grade.first.verdict) == (1, "blank")
    assert result.grade.reached is None


def test_both_languages_carry_the_names_and_the_task(tmp_path):
    run = draw(42)
    for lang in ("en", "pt-BR"):
        exercise, solution = write_pair(run, tmp_path, lang=lang)
        wb = openpyxl.load_workbook(solution)
        names = set(wb.defined_names)
        assert {"eta", "loss", "reached_epoch", "final_loss"} <= names
        assert {f"w_{k}" for k in range(1, 7)} | {f"b_{k}" for k in range(1, 4)} <= names
        assert {f"final_w_{k}" for k in range(1, 7)} | {f"final_b_{k}" for k in range(1, 4)} <= names
        assert {f"final_out_{p}" for p in range(1, 5)} <= names
        (sheet, rng), = list(wb.defined_names["loss"].destinations)
        assert re.fullmatch(r"\$B\$\d+:\$B\$\d+", rng)
        first, last = (int(x) for x in re.findall(r"\d+", rng))
        assert last - first + 1 == 500
        meta = json.loads(next(p.value for p in wb.custom_doc_props.props if p.name == "sheetprop"))
        assert meta["task"] == "xor" and meta["lang"] == lang and meta["kind"] == "solution"
        ex = openpyxl.load_workbook(exercise)
        ws = ex.worksheets[0]
        # The exercise's training block is empty: no answer anywhere.
        assert all(ws.cell(first + e, c).value is None for e in range(0, 500, 37) for c in range(3, 57))


def student_formulas(run, layout, wrong=None):
    """The formulas a student writes in epoch 1 with cell addresses (no names), filled down."""
    row = row_for(run.shape)
    addresses = {qid: f"${chr(64 + c)}${r}" for qid, (r, c) in layout.data.items()}
    addresses["eta"] = f"${chr(64 + layout.eta[1])}${layout.eta[0]}"
    resolve = resolver(layout)

    def student_resolve(qid):
        return addresses.get(qid) or resolve(qid)
    out = {}
    for cell in row.cells:
        expr = cell.expr
        if wrong and cell.id == wrong[1]:
            expr = next(w for code, _, w in cell.mistakes if code == wrong[0])
        out[cell.id] = "=" + expr.excel(student_resolve)
    return out


@pytest.mark.libreoffice
def test_a_students_own_formulas_filled_down_train_the_net_and_check_as_correct(generated, tmp_path):
    run, exercise, _ = generated
    layout = lay_out(row_for(run.shape), run.epochs, text("en"))
    files = []
    for name, wrong in (("good", None), ("m1", ("M1", "delta_o1_p3"))):
        formulas = student_formulas(run, layout, wrong)
        wb = openpyxl.load_workbook(exercise)
        ws = wb.worksheets[0]
        for e in range(1, run.epochs + 1):  # what filling down does: the same relative formulas
            for qid, f in formulas.items():
                ws.cell(layout.zero + e, layout.columns[qid]).value = in_row(f, layout, e)
        files.append(tmp_path / f"{name}.xlsx")
        wb.save(files[-1])
    saved = libreoffice.recalculate(files, tmp_path / "saved")
    good, m1 = (check_file(p) for p in saved)
    assert good.status == 0 and good.grade.all_correct and good.grade.target_met and good.grade.reached == 298
    assert "recalculated" not in good.submission.notes  # LibreOffice saved the results
    first = m1.grade.first
    assert (first.epoch, first.id, first.mistake) == (1, "delta_o1_p3", "M1")
    # Saved by openpyxl without results: check recalculates a copy itself.
    direct = check_file(files[0])
    assert direct.status == 0 and "recalculated" in direct.submission.notes


def test_a_momentum_run_is_checked_with_its_velocities(tmp_path):
    run = draw(42, optimizer="momentum")
    exercise, _ = write_pair(run, tmp_path)
    good = check_file(write_values(exercise, run, simulate(run), tmp_path / "good.xlsx"))
    assert good.status == 0 and good.grade.target_met and good.grade.reached == run.train().reached()
    bad = check_file(write_values(exercise, run, simulate(run, mistake=("M8", 30, "new_w_3")), tmp_path / "m8.xlsx"))
    first = bad.grade.first
    assert (first.epoch, first.id, first.verdict, first.mistake) == (30, "new_w_3", "misconception", "M8")
    names = openpyxl.load_workbook(exercise).defined_names
    assert "beta" in names and "v_w_1" in names and "final_w_1" in names and "final_v_w_1" not in names


@pytest.mark.parametrize("mangle", [
    lambda m: m["cells"]["columns"].update(delta_o1_p1="A1:ZZ99"),
    lambda m: m["cells"]["givens"].update(eta="'Other'!A1"),
    lambda m: m["cells"].update(zero=-5),
    lambda m: m["cells"].update(epochs=10**9),
    lambda m: m["exercise"].update(epochs="500"),
    lambda m: m["exercise"]["values"].update(eta="fast"),
    lambda m: m["exercise"].update(layers="2-2-2"),
    lambda m: m["exercise"].update(optimizer="adam"),
    lambda m: m["cells"].pop("columns"),
])
def test_mangled_training_metadata_gets_one_line_and_status_2(generated, tmp_path, mangle):
    _, exercise, _ = generated
    wb = openpyxl.load_workbook(exercise)
    prop = next(p for p in wb.custom_doc_props.props if p.name == "sheetprop")
    meta = json.loads(prop.value)
    mangle(meta)
    prop.value = json.dumps(meta)
    path = tmp_path / "mangled.xlsx"
    wb.save(path)
    result = check_file(path)
    assert result.status == 2 and result.error_code == "bad_metadata", result.error


def test_an_sgd_run_is_checked_pattern_by_pattern(tmp_path):
    run = draw(42, optimizer="sgd")
    exercise, _ = write_pair(run, tmp_path)
    good = check_file(write_values(exercise, run, simulate(run), tmp_path / "good.xlsx"))
    assert good.status == 0 and good.grade.target_met and good.grade.reached == run.train().reached() == 250
    for code, cell in (("M1", "delta_o1_p3"), ("M8", "new_w_2_p2"), ("M2", "delta_h2_p4")):
        bad = check_file(write_values(exercise, run, simulate(run, mistake=(code, 12, cell)), tmp_path / f"{code}.xlsx"))
        first = bad.grade.first
        assert (first.epoch, first.id, first.verdict, first.mistake) == (12, cell, "misconception", code)


def test_a_changed_eta_is_reported_and_each_epoch_judged_with_it(generated, tmp_path):
    run, exercise, _ = generated
    theirs = run._replace(eta=2.0)
    path = write_values(exercise, run, simulate(theirs), tmp_path / "eta2.xlsx")
    wb = openpyxl.load_workbook(path)
    (sheet, coord), = list(wb.defined_names["eta"].destinations)
    wb[sheet][coord.replace("$", "")].value = 2.0
    wb.save(path)
    result = check_file(path)
    g = result.grade
    assert g.faults == [] and g.correct == 500  # every epoch follows, with their own eta
    assert [(q, want, value) for q, want, _, value in g.changed_givens] == [("eta", 3.0, 2.0)]
    assert result.status == 1 and not g.all_correct
    shown = subprocess.run([sys.executable, "-m", "sheetprop", "check", str(path)], capture_output=True, text=True)
    assert "You changed given(s): eta 3 → 2. Each epoch is judged with your own." in shown.stdout


@pytest.mark.libreoffice
def test_a_student_writes_epoch_1_in_libreoffice_and_fills_it_down(generated, tmp_path):
    """The exercise as the README tells it: one row of formulas, filled down by LibreOffice itself."""
    from openpyxl.utils import get_column_letter

    from . import lo_robot

    run, exercise, _ = generated
    layout = lay_out(run.row, run.epochs, text("en"))
    job = lo_robot.Job().open(exercise)
    for qid, formula in student_formulas(run, layout).items():
        job.type_at(f"{get_column_letter(layout.columns[qid])}{layout.first}", in_row(formula, layout, 1))
    first, last = min(layout.columns.values()), max(layout.columns.values())
    job.fill_down(f"{get_column_letter(first)}{layout.first}:{get_column_letter(last)}{layout.last}")
    saved, ods = tmp_path / "filled-down.xlsx", tmp_path / "filled-down.ods"
    lo_robot.run(job.save(saved).save(ods, lo_robot.ODS).close(), timeout=120)
    for path in (saved, ods):  # LibreOffice's own format too, as a student saves by default
        result = check_file(path)
        assert result.error is None, result.error
        assert result.status == 0 and result.grade.correct == 500 and result.grade.reached == 298
        assert result.grade.target_met
    assert "converted_ods" not in result.submission.notes  # read from the results LibreOffice saved in the .ods


def test_a_sheet_packed_with_cells_outside_the_block_is_read_the_streaming_way(generated, tmp_path):
    """number_grid holds every match in memory: far more cells than the block wants and it
    leaves them to the streaming reader, whose memory stays small; the verdicts are the same."""
    import zipfile

    run, exercise, _ = generated
    good = write_values(exercise, run, simulate(run), tmp_path / "good.xlsx")
    packed = tmp_path / "packed.xlsx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                filler = "".join(f'<row r="{900000 + k}"><c r="ZZ{900000 + k}"><v>1</v></c></row>'
                                 for k in range(70_000)).encode()
                data = data.replace(b"</sheetData>", filler + b"</sheetData>")
            out.writestr(info, data)
    from sheetprop.intake import take_in
    from sheetprop.xlsx import Xlsx

    book = Xlsx(take_in(packed).zip)
    assert np.isnan(book.number_grid("XOR", ["C"], 33, 40)).all()  # declined
    result = check_file(packed)
    assert result.error is None and result.status == 0 and result.grade.correct == 500
