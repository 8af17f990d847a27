"""The exercise and the solution on paper, printed to PDF by a real LibreOffice and read back
with poppler: A4 portrait, every rule whole and on the page, the headings on every page."""

import re
import shutil
import subprocess
from html import unescape

import openpyxl
import pytest

from sheetprop import sources
from sheetprop.text import title as sheet_title
from click.testing import CliRunner

from sheetprop.cli import cli
from sheetprop.text import text

pytestmark = pytest.mark.libreoffice

A4 = (595.3, 841.9)  # points, portrait


def _poppler(*args) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} (poppler-utils) is missing: scripts/install-libreoffice.sh installs it")
    return subprocess.run(args, capture_output=True, check=True, text=True).stdout


def _squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("lang, layers", [("en", "2-2-1"), ("pt-BR", "3-3-2")])
def test_printed_pages_fit_and_nothing_is_cut(tmp_path, lang, layers):
    res = CliRunner().invoke(cli, ["generate", "--seed", "42", "--layers", layers, "--lang", lang, "--pdf",
                                   "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 2 and "PDF:" in res.output
    t = text(lang)
    headings = [t(f"sheet.header_{k}") for k in ("symbol", "id", "value", "hint")]
    for pdf in pdfs:
        kind = "solution" if "solution" in pdf.name else "exercise"
        info = _poppler("pdfinfo", str(pdf))
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert (round(w, 1), round(h, 1)) == A4
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages >= 2
        title = sheet_title(t, kind, sources.shape_from(layers))
        for page in range(1, pages + 1):
            on_page = _poppler("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
            assert _squeeze(title) in _squeeze(on_page), (pdf.name, page)  # the page header
            assert all(hd in on_page for hd in headings), (pdf.name, page)  # the column headings
        # Every word lies on the page, inside its margins: nothing runs off the edge.
        boxes = _poppler("pdftotext", "-bbox", str(pdf), "-")
        rule_column = []
        for n, page in enumerate(boxes.split("<page ")[1:]):
            words = [(float(y0), float(x0), float(x1), unescape(word)) for x0, y0, x1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)]
            assert all(0 < x0 and x1 < w for _, x0, x1, _ in words), pdf.name
            # The rule column, read line by line: the words right of its heading.
            left = min(x0 for _, x0, _, word in words if word == headings[3])
            rule_column += [(n, round(y0), x0, word) for y0, x0, _, word in words if x0 >= left - 1]
        # Every rule is printed whole (wrapped, not cut by the cell or the page).
        words = _squeeze(" ".join(word for *_, word in sorted(rule_column)))
        wb = openpyxl.load_workbook(tmp_path / pdf.with_suffix(".xlsx").name)
        rules = [c.value for c in wb.active["D"] if isinstance(c.value, str)]
        assert len(rules) > 30
        for rule in rules:
            assert _squeeze(rule) in words, (pdf.name, rule)


def test_the_answer_cells_have_room_to_write(tmp_path):
    CliRunner().invoke(cli, ["generate", "--seed", "1", "--out", str(tmp_path)])
    wb = openpyxl.load_workbook(tmp_path / "sheetprop-seed1-exercise.xlsx")
    ws = wb.active
    ps = ws.page_setup
    assert (int(ps.paperSize), ps.orientation, ps.fitToWidth, ps.fitToHeight) == (int(ws.PAPERSIZE_A4), "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    answers = [dn.attr_text.split("$")[-1] for name, dn in wb.defined_names.items() if name.startswith("new_")]
    assert answers and all(ws.row_dimensions[int(r)].height >= 30 for r in answers)


def test_no_pdf_without_libreoffice_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETPROP_SOFFICE", str(tmp_path / "no-such-soffice"))
    res = CliRunner().invoke(cli, ["generate", "--seed", "1", "--pdf", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert (tmp_path / "sheetprop-seed1-exercise.xlsx").exists()
    assert "no PDF: LibreOffice (soffice) is not installed" in res.output
    assert not list(tmp_path.glob("*.pdf"))
