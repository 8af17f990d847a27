"""A student who fills the exercise in a real LibreOffice: typed numbers, formulas, mistakes,
inserted rows, .xlsx and .ods. Each file below was saved by LibreOffice, then checked."""


import pytest

from sheetprop import libreoffice, sources
from sheetprop.answers import reference_values
from sheetprop.check import Options, check_file
from sheetprop.graph import Graph
from sheetprop.write import write_pair

from . import lo_robot
from .helpers import fill

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory):
    """One LibreOffice session plays several students; returns their saved files."""
    tmp = tmp_path_factory.mktemp("students")
    # drawing rules 1: the variant whose numbers the pt-BR cells below are written with
    g = sources.from_seed(42, rules=1)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, tmp / "gen")
    job = lo_robot.Job()
    files = {}

    # A careful student: formulas everywhere, written like the hints.
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=" + graph[qid].expr.excel())
    files["formulas"] = tmp / "formulas.xlsx"
    files["formulas_ods"] = tmp / "formulas.ods"
    job.save(files["formulas"]).save(files["formulas_ods"], lo_robot.ODS).close()

    # A student who types numbers with 6 significant digits, then inserts rows above the blocks.
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, float(f"{expected[qid]:.6g}"))
    job.insert_rows(3, 4)
    files["typed_rows_inserted"] = tmp / "typed_rows_inserted.xlsx"
    job.save(files["typed_rows_inserted"]).close()

    # A student who forgets sigma' at the output, with formulas (the mistake carries forward).
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=dE_dout_o1" if qid == "delta_o1" else "=" + graph[qid].expr.excel())
    files["m1"] = tmp / "m1.xlsx"
    job.save(files["m1"]).close()

    # A pt-BR student's results (see as_saved_by_a_pt_br_office): formulas to be given pt-BR results.
    job.open(ex)
    for qid in graph.answer_ids:
        job.type(qid, "=" + graph[qid].expr.excel())
    job.type("out_h1", '=VALUE("0.6112")').type("net_h2", "=1/0")
    files["pt_xlsx"], files["pt_ods"] = tmp / "pt-source.xlsx", tmp / "pt-source.ods"
    job.save(files["pt_xlsx"]).save(files["pt_ods"], lo_robot.ODS).close()

    # Data-entry trouble as LibreOffice stores it.
    job.open(ex)
    job.type("net_h1", "0,5").type("out_h1", "=1/0").type("net_h2", "abc").type("E_o1", "=net_h2+1")
    job.type("E_total", "TRUE")
    files["entry"] = tmp / "entry.xlsx"
    files["entry_ods"] = tmp / "entry.ods"
    job.save(files["entry"]).save(files["entry_ods"], lo_robot.ODS).close()

    lo_robot.run(job)
    return g, graph, expected, files


def test_formulas_typed_in_libreoffice_are_all_correct(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    for name in ("formulas", "formulas_ods"):
        result = check_file(files[name], Options(recalculate=False))
        assert result.error is None, result.error
        assert [c.id for c in result.grade.cells if c.verdict != "correct"] == [], name
        assert result.status == 0


def verdicts(path, **options):
    result = check_file(path, Options(recalculate=False, **options))
    assert result.error is None, result.error
    return [(c.id, c.verdict, c.value, c.shown, c.reason) for c in result.grade.cells]


def test_an_ods_is_graded_from_what_the_student_saw_like_an_xlsx(saved_by_libreoffice, monkeypatch):
    *_, files = saved_by_libreoffice
    for xlsx, ods in (("formulas", "formulas_ods"), ("entry", "entry_ods")):
        assert verdicts(files[ods]) == verdicts(files[xlsx]), ods
    # read from the file itself: no LibreOffice needed for an .ods
    monkeypatch.setenv("SHEETPROP_SOFFICE", "/nonexistent/soffice")
    assert verdicts(files["entry_ods"]) == verdicts(files["entry"])


def as_saved_by_a_pt_br_office(files, tmp_path):
    """The robot's LibreOffice is en-US; a pt-BR Calc saves the same file format with its own
    results: =VALOR("0,518891") as VALUE("0,518891") with the result 0.518891, and an English
    =SUM(...) typed there as SUM with the error #NOME? it showed. Both files get those cells."""
    import re
    import zipfile

    def rezip(src, dst, part, edit):
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                zout.writestr(info, edit(data) if info.filename == part else data)
        return dst

    def ods(data):
        s = data.decode()
        s = re.sub(r'<table:table-cell([^>]*)table:formula="of:=VALUE\(&quot;0.6112&quot;\)"[^>]*>.*?'
                   r'</table:table-cell>',
                   r'<table:table-cell\1table:formula="of:=VALUE(&quot;0,518891&quot;)" office:value-type="float" '
                   r'office:value="0.518891" calcext:value-type="float"><text:p>0,518891000</text:p>'
                   r'</table:table-cell>', s, count=1)
        s = re.sub(r'<table:table-cell([^>]*)table:formula="of:=1/0"[^>]*>.*?</table:table-cell>',
                   r'<table:table-cell\1table:formula="of:=SUM([.C24];[.C25])" office:value-type="string" '
                   r'office:string-value="" calcext:value-type="error"><text:p>#NOME?</text:p></table:table-cell>',
                   s, count=1)
        assert "0,518891" in s and "#NOME?" in s
        return s.encode()

    def xlsx(data):
        s = data.decode()
        s = re.sub(r'(<c r="C\d+"[^>]*)><f([^>]*)>VALUE\(&quot;0.6112&quot;\)</f><v>[^<]*</v>',
                   r'\1><f\2>VALUE(&quot;0,518891&quot;)</f><v>0.518891</v>', s, count=1)
        s = re.sub(r'(<c r="C\d+"[^>]* t="e")><f([^>]*)>1/0</f><v>[^<]*</v>',
                   r'\1><f\2>SUM(C24,C25)</f><v>#NAME?</v>', s, count=1)
        assert "0,518891" in s and "SUM(C24,C25)" in s
        return s.encode()

    return (rezip(files["pt_xlsx"], tmp_path / "pt.xlsx", "xl/worksheets/sheet1.xml", xlsx),
            rezip(files["pt_ods"], tmp_path / "pt.ods", "content.xml", ods))


def test_a_pt_br_students_results_are_graded_alike_in_ods_and_xlsx(saved_by_libreoffice, tmp_path):
    *_, files = saved_by_libreoffice
    xlsx, ods = as_saved_by_a_pt_br_office(files, tmp_path)
    x, o = verdicts(xlsx), verdicts(ods)
    by_id = {c[0]: c for c in o}
    assert by_id["out_h1"][1:3] == ("correct", 0.518891)  # VALOR("0,518891") as the student saw it
    assert by_id["net_h2"][1] == "unreadable" and by_id["net_h2"][4] == "error"  # #NOME?, never a sum
    assert [c[:2] + c[4:] for c in x] == [c[:2] + c[4:] for c in o]


def test_rows_inserted_in_libreoffice_are_still_found(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    result = check_file(files["typed_rows_inserted"], Options(recalculate=False))
    assert result.status == 0, [(c.id, c.verdict) for c in result.grade.cells]
    assert not result.submission.missing_names
    # the names moved with the rows: nothing is read at its original address
    original = result.submission.meta.cells
    assert all(result.submission.cells[q].split("!")[1] != original[q] for q in original)


def test_a_mistake_made_in_libreoffice_is_caught_and_carried(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    result = check_file(files["m1"], Options(recalculate=False))
    by_id = {c.id: c for c in result.grade.cells}
    assert (by_id["delta_o1"].verdict, by_id["delta_o1"].mistake) == ("misconception", "M1")
    assert result.grade.first_wrong.id == "delta_o1"
    assert by_id["new_w_5"].verdict == "carried" and by_id["delta_h1"].verdict == "carried"


def test_data_entry_trouble_saved_by_libreoffice(saved_by_libreoffice):
    *_, files = saved_by_libreoffice
    by_id = {c.id: c for c in check_file(files["entry"], Options(recalculate=False)).grade.cells}
    assert (by_id["net_h1"].verdict, by_id["net_h1"].reason) == ("unreadable", "decimal_comma")
    assert (by_id["out_h1"].verdict, by_id["out_h1"].reason, by_id["out_h1"].shown) == \
        ("unreadable", "error", "#DIV/0!")
    assert (by_id["net_h2"].verdict, by_id["net_h2"].reason) == ("unreadable", "text")


def test_openpyxl_fill_after_a_libreoffice_round_trip_is_all_correct(tmp_path):
    g = sources.from_seed(17)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, tmp_path / "gen")
    filled = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp_path / "filled.xlsx")
    saved, = libreoffice.recalculate([filled], tmp_path / "saved")
    assert check_file(saved, Options(recalculate=False)).status == 0


def test_a_formula_without_its_result_is_recalculated_where_libreoffice_is_installed(tmp_path):
    g = sources.from_seed(23)
    graph = Graph(g.shape)
    ex, _ = write_pair(g, tmp_path / "gen")
    # openpyxl saves formulas with no result, like some tools and scripts do
    filled = fill(ex, {q: "=" + graph[q].expr.excel() for q in graph.answer_ids}, tmp_path / "hand-in" / "f.xlsx")
    before = filled.read_bytes()
    unrecalculated = check_file(filled, Options(recalculate=False))
    assert {c.reason for c in unrecalculated.grade.cells} == {"no_result"}
    result = check_file(filled)
    assert result.status == 0 and "recalculated" in result.submission.notes
    assert filled.read_bytes() == before
    assert sorted(p.name for p in filled.parent.iterdir()) == ["f.xlsx"]


# The combinations of the "done when" of the step builder: students at a real LibreOffice.
NEW_KINDS = {
    "tanh_softmax_ce": (dict(layers="2-3-2", activation="tanh", output="softmax", loss="cross-entropy"), "M19"),
    "relu_linear_mse": (dict(activation="relu", output="linear", loss="mse"), "M4"),
}


@pytest.fixture(scope="module")
def other_networks_saved_by_libreoffice(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kinds")
    job = lo_robot.Job()
    cases = {}
    for name, (opts, code) in NEW_KINDS.items():
        g = sources.from_seed(42, sources.shape_from(**opts))
        graph = Graph(g.shape)
        expected = reference_values(graph, g)
        ex, _ = write_pair(g, tmp / name)
        from sheetprop.mistakes import mutations

        mistake = next(m for muts in mutations(graph).values() for m in muts if m.code == code)
        files = {kind: tmp / f"{name}-{kind}.xlsx" for kind in ("formulas", "typed", "mistake")}
        job.open(ex)
        for qid in graph.answer_ids:
            job.type(qid, "=" + graph[qid].expr.excel())
        job.save(files["formulas"]).close()
        job.open(ex)
        for qid in graph.answer_ids:
            job.type(qid, float(f"{expected[qid]:.7g}"))
        job.save(files["typed"]).close()
        job.open(ex)
        for qid in graph.answer_ids:
            job.type(qid, "=" + (mistake.expr if qid == mistake.target else graph[qid].expr).excel())
        job.save(files["mistake"]).close()
        cases[name] = (mistake, files)
    lo_robot.run(job, timeout=120)
    return cases


@pytest.mark.parametrize("name", sorted(NEW_KINDS))
def test_other_networks_filled_in_libreoffice_are_graded(other_networks_saved_by_libreoffice, name):
    mistake, files = other_networks_saved_by_libreoffice[name]
    for kind in ("formulas", "typed"):
        result = check_file(files[kind], Options(recalculate=False))
        assert result.error is None, result.error
        assert [(c.id, c.verdict) for c in result.grade.cells if c.verdict != "correct"] == [], (name, kind)
    result = check_file(files["mistake"], Options(recalculate=False))
    by_id = {c.id: c for c in result.grade.cells}
    assert (by_id[mistake.target].verdict, by_id[mistake.target].mistake) == ("misconception", mistake.code)
    assert result.grade.first_wrong.id == mistake.target
    assert all(c.verdict in ("correct", "carried") for c in result.grade.cells if c.id != mistake.target)
