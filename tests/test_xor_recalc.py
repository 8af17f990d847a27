"""The XOR solution recalculated in real spreadsheet applications, compared with numpy."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sheetprop import libreoffice
from sheetprop.network import Shape
from sheetprop.xor_sheet import write_pair
from sheetprop.xor_task import draw


def _ssconvert() -> str:
    found = shutil.which("ssconvert")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but Gnumeric (ssconvert) is not installed: scripts/install-libreoffice.sh installs it")
        pytest.skip("Gnumeric (ssconvert) is not installed")
    return found


def gnumeric_recalc(src: Path, out: Path) -> Path:
    subprocess.run([_ssconvert(), "--recalc", str(src), str(out)], check=True, capture_output=True, timeout=300)
    return out


def saved(path: Path) -> dict:
    """Every single-cell defined name's saved value, and the saved block values by address."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb.worksheets[0]
    names = {}
    for name, dn in wb.defined_names.items():
        (sheet, coord), = list(dn.destinations)
        if ":" not in coord:
            names[name] = wb[sheet][coord.replace("$", "")].value
    return names, ws


def assert_matches_numpy(path: Path, run, where: str):
    names, ws = saved(path)
    result = run.train()
    row = run.row
    for pid, want in zip(row.params, result.params[-1]):
        assert names[f"final_{pid}"] == pytest.approx(want, rel=1e-9, abs=1e-12), f"{where}: final_{pid}"
    for p in range(4):
        assert names[f"final_out_{p + 1}"] == pytest.approx(result.final_out[p], rel=1e-9, abs=1e-12), where
    assert names["reached_epoch"] == result.reached(), where
    assert names["final_loss"] == pytest.approx(result.loss[-1], rel=1e-9), where
    # The loss column, every epoch.
    from sheetprop.xor_sheet import LOSS_COL, lay_out
    from sheetprop.text import text

    layout = lay_out(row, run.epochs, text("en"))  # the same addresses in every language
    column = [ws.cell(layout.first + e, LOSS_COL).value for e in range(run.epochs)]
    np.testing.assert_allclose(column, result.loss, rtol=1e-9, atol=1e-15, err_msg=where)


@pytest.mark.libreoffice
@pytest.mark.parametrize("shape", [Shape(), Shape(2, 3, 1, activation="tanh"), Shape(2, 4, 1, loss="mse")],
                         ids=lambda s: f"{s.label}-{s.activation}-{s.loss}")
def test_the_solution_recalculated_by_libreoffice_and_gnumeric_trains_like_numpy(tmp_path, shape):
    run = draw(42, shape)
    _, solution = write_pair(run, tmp_path)
    lo, = libreoffice.recalculate([solution], tmp_path / "lo")
    assert_matches_numpy(lo, run, "LibreOffice")
    gn = gnumeric_recalc(solution, tmp_path / "gnumeric.xlsx")
    assert_matches_numpy(gn, run, "Gnumeric")


@pytest.mark.libreoffice
@pytest.mark.parametrize("optimizer", ["momentum", "sgd"])
def test_momentum_and_sgd_solutions_recalculated_by_libreoffice_and_gnumeric_train_like_numpy(tmp_path, optimizer):
    run = draw(42, optimizer=optimizer)
    assert run.optimizer == optimizer and (run.beta == 0.9) == (optimizer == "momentum")
    _, solution = write_pair(run, tmp_path)
    lo, = libreoffice.recalculate([solution], tmp_path / "lo")
    assert_matches_numpy(lo, run, f"LibreOffice, {optimizer}")
    assert_matches_numpy(gnumeric_recalc(solution, tmp_path / "gnumeric.xlsx"), run, f"Gnumeric, {optimizer}")


@pytest.mark.libreoffice
def test_changing_eta_in_the_solution_retrains_the_whole_run(tmp_path):
    run = draw(42)
    _, solution = write_pair(run, tmp_path)
    wb = openpyxl.load_workbook(solution)
    (sheet, coord), = list(wb.defined_names["eta"].destinations)
    wb[sheet][coord.replace("$", "")].value = 2.0
    (sheet, coord), = list(wb.defined_names["w_1"].destinations)
    wb[sheet][coord.replace("$", "")].value = 0.5
    changed = tmp_path / "changed" / "solution-eta2.xlsx"
    changed.parent.mkdir()
    wb.save(changed)
    values = run.values()
    from sheetprop.xor_task import Run
    from sheetprop.training import Params

    params = run.params.flat().copy()
    params[0] = 0.5
    new_run = Run(run.shape, Params.from_flat(run.shape, params), 2.0, run.epochs, run.origin)
    assert new_run.train().reached() != run.train().reached()  # a different run indeed
    lo, = libreoffice.recalculate([changed], tmp_path / "lo")
    assert_matches_numpy(lo, new_run, "LibreOffice, eta 2")
    assert_matches_numpy(gnumeric_recalc(changed, tmp_path / "gn.xlsx"), new_run, "Gnumeric, eta 2")
    assert values["eta"] == 3.0


@pytest.mark.libreoffice
def test_the_printed_page_shows_the_chart_the_outcome_and_the_network_after_training(tmp_path):
    """The page LibreOffice prints (the print area: givens, outcome, loss chart, network drawing),
    its text read back from the PDF: the drawing's labels are the trained weights."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but poppler (pdftotext) is not installed: scripts/install-libreoffice.sh installs it")
        pytest.skip("poppler (pdftotext) is not installed")
    run = draw(42)
    _, solution = write_pair(run, tmp_path)
    pdf, = libreoffice.convert([solution], tmp_path / "pdf", to="pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    final = dict(zip(run.row.params, run.train().params[-1]))
    for needed in ("Loss per epoch (log scale)", "The network after the last epoch", "First epoch with E < 0.01",
                   "298", f"w₁ {round(final['w_1'], 2):g}", f"w₅ {round(final['w_5'], 2):g}",
                   f"h₁ b {round(final['b_1'], 2):g}"):
        assert needed in shown, needed


@pytest.mark.libreoffice
def test_a_2000_epoch_sheet_saved_by_libreoffice_is_taken_in_and_checked(tmp_path):
    """About 12 MB of sheet XML, formulas and values: within intake's limits, every epoch read."""
    from sheetprop.check import check_file

    run = draw(42, epochs=2000)
    _, solution = write_pair(run, tmp_path)
    saved, = libreoffice.recalculate([solution], tmp_path / "lo")
    result = check_file(saved)
    assert result.error is None, result.error
    assert result.grade.correct == 2000 and result.grade.reached == run.train().reached()
