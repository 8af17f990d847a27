"""The exercise is verified, not trusted: check --class against a class's roster and secret."""

import csv
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import strategies as st

from sheetprop import metadata, sources
from sheetprop.cli import cli
from sheetprop.intake import Rejected
from sheetprop.submission import load
from sheetprop.write import write_pair

from . import class_cases
from .class_cases import SECRET, correct_answers, drop_metadata, edit_metadata, forge
from .helpers import fill

ENV = {"SHEETPROP_SECRET": SECRET}
ROSTER_IDS = ["2024001", "2024002", "2024003", "2024004", "2024005", "andré.souza", "2024007", "2024008",
              "2024009", "2024010"]


def run(*args, env=ENV):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = tmp_path_factory.mktemp("term")
    out, manifest = class_cases.make_class(root)
    files = class_cases.hand_ins(out, manifest, root / "hand-ins")
    return root, out, manifest, files


@pytest.fixture(scope="module")
def graded(term):
    root, out, _, files = term
    paths = sorted(p for ps in files.values() for p in ps)
    book = root / "grades.csv"
    res = run("check", "--class", out, "--json", "--gradebook", book, *paths)
    doc = json.loads(res.stdout)
    by_name = {os.path.basename(f["path"]): f for f in doc["files"]}
    rows = list(csv.DictReader(open(book, encoding="utf-8-sig")))
    text = run("check", "--class", out, *paths).stdout
    return res, doc, by_name, rows, text


def test_the_gradebook_follows_the_roster(graded):
    res, _, _, rows, _ = graded
    assert res.exit_code == 1
    assert [r["student_id"] for r in rows] == ROSTER_IDS, "one row per roster student, in roster order, none apart"
    assert rows[0]["name"] == "Ana Lúcia Müller" and rows[0]["score"] == "35"
    for missing in rows[8:]:
        assert missing["error"] == "não entregue" and missing["score"] == "" and missing["file"] == ""


def test_the_latest_of_two_hand_ins_counts(graded):
    _, _, by_name, rows, _ = graded
    row = rows[2]
    assert row["file"].endswith("2024003-final.xlsx") and row["score"] == "35"
    assert "2 arquivos entregues; vale o mais recente" in row["flags"]
    first = by_name["2024003-first-try.xlsx"]
    assert first["counted"] is False and [f["kind"] for f in first["flags"]] == ["superseded"]
    assert first["flags"][0]["other_path"].endswith("2024003-final.xlsx")


def test_a_copy_is_flagged_and_counted_apart(graded):
    _, doc, by_name, rows, _ = graded
    copy = by_name["2024004.xlsx"]
    assert [(f["kind"], f["other"]) for f in copy["flags"]] == [("fits_other_variant", "2024001")]
    assert "as respostas combinam com o exercício de 2024001" in rows[3]["flags"]
    assert doc["class"]["apart"]["copied"] == 1


def test_a_forged_key_scores_zero_with_the_reason(graded, term):
    _, _, by_name, rows, text = graded
    forged = by_name["andre-souza.xlsx"]
    assert forged["score"]["points"] == 0 and forged["score"]["void"] == "givens_forged"
    assert forged["credited_to"] == "andré.souza"
    assert {f["kind"] for f in forged["flags"]} == {"metadata_edited", "givens_forged"}
    wrong = next(f for f in forged["flags"] if f["kind"] == "givens_forged")
    assert wrong["id"] == "i_1" and wrong["found"] == 0.0 and wrong["expected"] != 0.0
    assert rows[5]["score"] == "0" and "os dados não são o exercício de andré.souza" in rows[5]["flags"]
    line = next(x for x in text.splitlines() if "andre-souza.xlsx: " in x)
    assert "andre-souza.xlsx: 0 / 35" in line and "Nota 0: os dados não são o exercício de andré.souza" in line
    # Without its class the same file is graded on its own numbers (the summary says it was not
    # verified); with it, each cell keeps what it would have earned, and the file scores 0.
    _, out, _, files = term
    res = run("check", "--json", files["andré.souza"][0], env={})
    alone = json.loads(res.stdout)["files"][0]
    assert alone["score"]["void"] is None
    assert sum(c["points"] for c in forged["cells"]) == alone["score"]["points"]
    res = run("check", files["andré.souza"][0], files["2024001"][0], env={})
    assert "2 planilha(s) de turma conferida(s) sem a turma" in res.stdout


def test_a_solution_with_its_kind_edited_scores_zero(graded):
    _, _, by_name, rows, text = graded
    sol = by_name["2024007.xlsx"]
    assert sol["score"]["points"] == 0 and sol["score"]["void"] == "solution_workbook"
    assert {"kind": "metadata_edited", "field": "kind"}.items() <= next(
        f for f in sol["flags"] if f["kind"] == "metadata_edited").items()
    assert "o tipo foi trocado de gabarito para exercício" in rows[6]["flags"]
    assert "2024007 (" in text and "entregou um gabarito gerado pelo sheetprop generate" in text


def test_a_workbook_that_lost_its_metadata_is_known_by_its_givens(graded):
    _, _, by_name, rows, _ = graded
    dropped = by_name["2024008-from-google.xlsx"]
    assert dropped["score"]["points"] == 35 and dropped["score"]["void"] is None
    assert dropped["credited_to"] == "2024008" and "metadata_rebuilt" in dropped["notes"]
    assert [f["kind"] for f in dropped["flags"]] == ["identified_by_givens"]
    assert rows[7]["score"] == "35" and "perdeu os metadados" in rows[7]["flags"]


def test_the_class_summary_counts_only_real_attempts(graded):
    _, doc, _, _, text = graded
    k = doc["class"]
    assert k["apart"] == {"blank": 1, "unreadable": 0, "forged": 2, "copied": 1, "superseded": 1}
    assert k["attempts"] == 4 and k["all_correct"] == 3 and k["mean_score"] == 34.75
    assert k["mistakes"] == [{"code": "M2", "students": 1, "who": ["2024002"]}]
    assert k["first_divergence"] == [{"id": "delta_h1", "students": 1}]
    assert k["hardest"][0] == {"id": "delta_h1", "points_lost": 1.0, "students": 1}
    assert sum(k["cells"]["net_h1"].values()) == 4, "the blank file and the copy shape no cell count"
    assert k["roster"] == 10 and k["missing"] == ["2024009", "2024010"] and k["not_in_roster"] == []
    assert "Não entregaram: 2024009, 2024010." in text
    assert "Fora da contagem a seguir: em branco 1, forjados ou gabaritos 2, possíveis cópias 1, " \
           "entregas anteriores 1." in text
    assert "Onde mais se perderam pontos: δ_h1 (delta_h1), 1 ponto(s) perdido(s)." in text
    assert "derivada da ativação esquecida na camada oculta (M2): 1 de 4." in text


def test_the_whole_workflow_from_the_real_command_line(term, tmp_path):
    root, out, _, files = term
    paths = sorted(str(p) for ps in files.values() for p in ps)
    env = {**os.environ, "SHEETPROP_SECRET": SECRET}
    proc = subprocess.run([sys.executable, "-m", "sheetprop", "check", "--class", str(out), "--gradebook",
                           str(tmp_path / "g.csv"), *paths], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Nota 0: um gabarito gerado pelo sheetprop generate" in proc.stdout
    assert [r["student_id"] for r in csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8-sig"))] == ROSTER_IDS


# --- each way a file can lie, alone -----------------------------------------------------------


def _check(out, *paths):
    res = run("check", "--class", out, "--json", *paths)
    assert "Traceback" not in res.output
    return json.loads(res.stdout)


def _own(term, sid, tmp_path, name=None):
    """A correct hand-in of this student, in tmp_path."""
    _, out, manifest, _ = term
    ex = out / next(m for m in manifest if m["id"] == sid)["exercise"]
    return fill(ex, correct_answers(ex), tmp_path / (name or f"{sid}.xlsx"))


def test_an_edited_student_id_files_nothing_under_another_student(term, tmp_path):
    _, out, _, _ = term
    f = _own(term, "2024001", tmp_path, "mine.xlsx")
    edit_metadata(f, lambda d: d["student"].update(id="2024002"))
    doc = _check(out, f)
    one = doc["files"][0]
    assert one["score"]["points"] == 0 and one["score"]["void"] == "other_student_variant"
    assert {(x["kind"], x.get("other")) for x in one["flags"]} == {("metadata_edited", None),
                                                                 ("other_student_variant", "2024001")}


def test_the_same_variant_under_two_ids(term, tmp_path):
    _, out, _, _ = term
    a = _own(term, "2024001", tmp_path, "a.xlsx")
    b = _own(term, "2024001", tmp_path, "b.xlsx")
    edit_metadata(b, lambda d: d["student"].update(id="2024004", name="Bia Araújo"))
    doc = _check(out, a, b)
    kinds = [{(x["kind"], x.get("other")) for x in f["flags"]} for f in doc["files"]]
    assert ("same_variant_two_ids", "2024004") in kinds[0] and ("same_variant_two_ids", "2024001") in kinds[1]
    assert doc["files"][0]["score"]["points"] == 35 and doc["files"][1]["score"]["points"] == 0


def test_ids_in_file_names(term):
    from sheetprop.integrity import claimed_by_name
    from sheetprop.roster import load_class

    klass = load_class(term[1], SECRET)
    assert claimed_by_name("hand-ins/sheetprop-2024001-exercise.xlsx", klass) == "2024001"
    assert claimed_by_name("2024003 (2).XLSX", klass) == "2024003"
    assert claimed_by_name("André.Souza-final.xlsx", klass) == "andré.souza"
    assert claimed_by_name("12024001.xlsx", klass) == "" and claimed_by_name("20240011.xlsx", klass) == ""
    assert claimed_by_name("trabalho.xlsx", klass) == ""


def test_a_file_named_for_another_student_counts_for_its_metadata(term, tmp_path):
    _, out, _, _ = term
    f = _own(term, "2024001", tmp_path, "2024002.xlsx")
    one = _check(out, f)["files"][0]
    assert one["credited_to"] == "2024001" and one["score"]["points"] == 35
    assert [(x["kind"], x["other"]) for x in one["flags"]] == [("name_mismatch", "2024002")]


def test_a_self_study_workbook_handed_in_to_a_class(term, tmp_path):
    _, out, _, _ = term
    ex, _ = write_pair(sources.from_seed(42), tmp_path)
    f = fill(ex, correct_answers(ex), tmp_path / "2024010.xlsx")
    one = _check(out, f)["files"][0]
    assert [x["kind"] for x in one["flags"]] == ["not_in_roster", "givens_forged"]
    assert one["score"]["void"] == "givens_forged" and one["credited_to"] == "2024010", "by its file name"
    assert one["flags"][1]["text"] == "its givens are no exercise of this class"


def test_an_id_not_in_the_roster_is_listed_apart(term, tmp_path):
    _, out, _, _ = term
    f = _own(term, "2024002", tmp_path, "stranger.xlsx")
    edit_metadata(f, lambda d: d["student"].update(id="9999999"))
    book = tmp_path / "g.csv"
    res = run("check", "--class", out, "--gradebook", book, f)
    rows = list(csv.DictReader(open(book, encoding="utf-8-sig")))
    assert [r["student_id"] for r in rows] == ROSTER_IDS + [""], "apart, after the roster, with no id to import"
    assert "9999999 não está na lista" in rows[-1]["flags"] and rows[-1]["file"].endswith("stranger.xlsx")
    assert "Não correspondem a ninguém da lista:" in res.stdout and "stranger.xlsx" in res.stdout


def test_dropped_metadata_with_edited_givens_is_forged(term, tmp_path):
    _, out, _, _ = term
    f = _own(term, "2024002", tmp_path, "x.xlsx")
    fill(f, {"w_1": 0.0}, f)
    drop_metadata(f)
    one = _check(out, f)["files"][0]
    assert one["score"]["void"] == "givens_forged" and one["credited_to"] is None
    g = _own(term, "2024002", tmp_path, "sheetprop-2024001-exercise.xlsx")  # named for 2024001
    drop_metadata(g)
    one = _check(out, g)["files"][0]
    assert one["score"]["void"] == "other_student_variant" and one["credited_to"] == "2024001"


def test_a_class_workbook_without_a_seal_is_checked_by_its_givens(term, tmp_path):
    """Class workbooks written before seals (sheetprop 0.1.0) still grade; the flag says why."""
    _, out, _, _ = term
    f = _own(term, "2024002", tmp_path)
    edit_metadata(f, lambda d: d.pop("seal"))
    one = _check(out, f)["files"][0]
    assert one["score"]["points"] == 35 and [x["kind"] for x in one["flags"]] == ["unsealed"]
    twin = tmp_path / "2024002-again.xlsx"
    twin.write_bytes(f.read_bytes())
    text = run("check", "--class", out, f, twin).stdout
    assert text.count("sem o selo da turma") == 1, "one line for a class with no seals, not one per file"
    assert "2 planilha(s) sem o selo da turma" in text
    # Without a seal, the other fields are compared with the class folder's copy of the exercise.
    g = tmp_path / "g.xlsx"
    g.write_bytes(f.read_bytes())
    edit_metadata(g, lambda d: d.update(lang="en", kind="exercise") or d["exercise"].update(bias="neuron"))
    edit_metadata(g, lambda d: d["student"].update(name="Someone Else"))
    one = _check(out, g)["files"][0]
    mismatch = next(x for x in one["flags"] if x["kind"] == "metadata_mismatch")
    assert mismatch["fields"] == ["lang", "student"] and one["score"]["void"] is None
    assert "differs from the class's copy of the exercise in: lang, student" in mismatch["text"]
    forge(f)
    one = _check(out, f)["files"][0]
    assert one["score"]["void"] == "givens_forged"


def test_an_exercise_from_before_a_reseed(term, tmp_path):
    root, out, _, _ = term
    old = _own(term, "2024005", tmp_path, "old.xlsx")
    klass = tmp_path / "class"
    import shutil

    shutil.copytree(out, klass)
    assert run("generate", "--roster", root / "students.csv", "--out", klass, "--reseed", "2024005").exit_code == 0
    one = _check(klass, old)["files"][0]
    assert [(x["kind"], x["other"]) for x in one["flags"]] == [("earlier_variant", "2024005")]
    assert one["score"]["points"] == 35


def test_an_unreadable_file_is_its_students_error(term, tmp_path):
    _, out, _, _ = term
    bad = tmp_path / "2024009-trabalho.xlsx"
    bad.write_text("not a workbook")
    book = tmp_path / "g.csv"
    res = run("check", "--class", out, "--gradebook", book, bad)
    assert res.exit_code == 2
    row = next(r for r in csv.DictReader(open(book, encoding="utf-8-sig")) if r["student_id"] == "2024009")
    assert row["file"].endswith("2024009-trabalho.xlsx") and row["error"] and row["error"] != "não entregue"


def test_the_class_needs_its_secret(term, tmp_path):
    _, out, _, files = term
    res = run("check", "--class", out, files["2024001"][0], env={"SHEETPROP_SECRET": ""})
    assert res.exit_code == 2 and "--class needs the class secret" in res.output
    res = run("check", "--class", out, "--secret", "guess", files["2024001"][0])
    assert res.exit_code == 2 and "not the secret this class was made with" in res.output
    res = run("check", "--class", tmp_path, files["2024001"][0])
    assert res.exit_code == 2 and "not a class folder" in res.output


def test_show_answers_on_a_class_workbook_needs_the_class(term):
    _, out, manifest, _ = term
    blank = out / manifest[0]["exercise"]
    res = run("check", "--show-answers", "--json", blank, env={})
    # one line says why; the file is still checked, its expected values withheld
    assert "exercício de turma" in res.stderr
    assert res.exit_code == 1 and all("expected" not in c for c in json.loads(res.stdout)["files"][0]["cells"])
    res = run("check", "--show-answers", "--class", out, "--json", blank)
    cells = json.loads(res.stdout)["files"][0]["cells"]
    assert res.exit_code == 1 and all(isinstance(c["expected"], float) for c in cells)


# --- self-study workbooks: drawn again from their seed ---------------------------------------


def test_a_seed_workbook_is_drawn_again_from_its_seed(tmp_path):
    ex, _ = write_pair(sources.from_seed(42), tmp_path)
    filled = fill(ex, correct_answers(ex), tmp_path / "a.xlsx")
    res = run("check", "--json", filled, env={})
    one = json.loads(res.stdout)["files"][0]
    assert res.exit_code == 0 and one["flags"] == [] and one["score"]["points"] == 35
    res = run("check", "--show-answers", filled, env={})
    assert res.exit_code == 0, "a self-study workbook shows its answers as before"
    forge(filled)
    res = run("check", "--json", filled, env={})
    one = json.loads(res.stdout)["files"][0]
    assert one["score"] == {"points": 0.0, "max": 35, "carried": "full", "void": "givens_forged"}
    assert one["flags"][0]["text"].startswith("its givens are not what its seed draws: i_1 is 0 in the file")


# --- the metadata, typed ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_exercise(tmp_path_factory):
    ex, _ = write_pair(sources.from_seed(7), tmp_path_factory.mktemp("seed7"))
    return ex


@pytest.mark.parametrize("change, words", [
    (lambda d: d.update(kind="key"), "unknown kind 'key'"),
    (lambda d: d["exercise"].update(layers=[2, 2, 1]), "bad layers [2, 2, 1]"),
    (lambda d: d["exercise"].update(train_biases="yes"), "bad train_biases"),
    (lambda d: d["exercise"]["values"].update(w_1="0.1"), "bad given 'w_1'"),
    (lambda d: d["cells"].update(w_1="ZZZZ1"), "bad cell address for 'w_1'"),
    (lambda d: d.update(student={"id": 5}), "bad student"),
    (lambda d: d["origin"].update(seed=-1), "seed that is not a whole number"),
    (lambda d: d.update(sheet=""), "no usable sheet"),
    (lambda d: d.update(seal="nope"), "damaged seal"),
    (lambda d: d.update(format=99), "newer sheetprop"),
])
def test_bad_metadata_is_one_clear_line(seed_exercise, tmp_path, change, words):
    f = tmp_path / "bad.xlsx"
    f.write_bytes(seed_exercise.read_bytes())
    edit_metadata(f, change)
    with pytest.raises(Rejected) as e:
        load(f, recalculate=False)
    assert e.value.code == "bad_metadata" and words in str(e.value)
    res = run("check", f, env={})
    assert res.exit_code == 2 and words in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


@pytest.mark.parametrize("change", [lambda d: d.update(lang="xx"), lambda d: d.update(lang=5)])
def test_an_unknown_language_reads_as_english(seed_exercise, tmp_path, change):
    """The language only chooses the report's words: it never costs the student their grade."""
    f = tmp_path / "lang.xlsx"
    f.write_bytes(seed_exercise.read_bytes())
    edit_metadata(f, change)
    assert load(f, recalculate=False).meta.lang == "en"


def test_the_record_passes_unknown_description_and_origin_keys_on(seed_exercise):
    wb = openpyxl.load_workbook(seed_exercise)
    data = json.loads(next(p.value for p in wb.custom_doc_props.props if p.name == metadata.PROPERTY))
    data["exercise"]["activation"] = "tanh"
    data["origin"]["rules"] = 1
    meta = metadata.from_dict(data)
    assert meta.exercise["activation"] == "tanh" and meta.origin == {"seed": 7, "rules": 1}
    assert meta.kind == "exercise" and meta.lang == "en" and meta.student is None and meta.seal is None
    assert meta["exercise"] is meta.exercise and meta.get("student") is None  # read like the old dict


def test_the_seal_holds_only_for_what_was_written(term):
    _, out, manifest, _ = term
    key = metadata.seal_key(SECRET)
    meta = load(out / manifest[1]["exercise"], recalculate=False).meta
    assert meta.seal and metadata.seal_holds(meta, key)
    assert not metadata.seal_holds(meta, metadata.seal_key("another secret"))
    assert not metadata.seal_holds(meta, key, lang="en")
    sol = load(out / manifest[1]["solution"], recalculate=False).meta
    assert sol.kind == "solution" and metadata.seal_holds(sol, key) and not metadata.seal_holds(sol, key, kind="exercise")
    # Spacing or escapes rewritten by another program leave the seal whole.
    again = metadata.decode(json.dumps(meta.data, indent=2, ensure_ascii=True))
    assert metadata.seal_holds(again, key)


def test_a_parallel_batch_is_verified_like_one_by_one(term, tmp_path):
    """Results from worker processes cross as plain tuples: the verification must see the same."""
    from sheetprop.batch import check_many
    from sheetprop.check import Options
    from sheetprop.integrity import verify
    from sheetprop.roster import load_class

    _, out, _, files = term
    paths = sorted(p for ps in files.values() for p in ps)
    many = []
    for n in range(2):  # 18 files: past the size where check_many starts workers
        for p in paths:
            q = tmp_path / str(n) / p.name
            q.parent.mkdir(exist_ok=True)
            q.write_bytes(p.read_bytes())
            os.utime(q, (os.stat(p).st_mtime + n,) * 2)
            many.append(q)
    klass = load_class(out, SECRET)
    options = Options(recalculate=False)
    parallel = verify(check_many(many, options, jobs=2), klass)
    single = verify(check_many(many, options, jobs=1), klass)
    assert [(s.student, s.void, s.counted, [f["kind"] for f in s.flags]) for s in parallel] == \
        [(s.student, s.void, s.counted, [f["kind"] for f in s.flags]) for s in single]
    assert sum(s.counted for s in parallel if s.student == "2024001") == 1


@pytest.mark.libreoffice
def test_the_seal_survives_libreoffice_and_gnumeric(term, tmp_path):
    """A class exercise filled in and saved by LibreOffice (or Gnumeric) keeps its seal: no flag."""
    import shutil

    from sheetprop import libreoffice

    _, out, _, _ = term
    filled = _own(term, "2024002", tmp_path / "in")
    saved, = libreoffice.recalculate([filled], tmp_path / "lo")
    one = _check(out, saved)["files"][0]
    assert one["flags"] == [] and one["score"]["points"] == 35 and one["credited_to"] == "2024002"
    ods, = libreoffice.convert([filled], tmp_path / "ods", "ods")  # LibreOffice's own format keeps it too
    one = _check(out, ods)["files"][0]
    assert one["flags"] == [] and one["score"]["points"] == 35 and one["credited_to"] == "2024002"
    if shutil.which("ssconvert"):
        gnumeric = tmp_path / "gnumeric.xlsx"
        subprocess.run(["ssconvert", str(filled), str(gnumeric)], check=True, capture_output=True, timeout=120)
        one = _check(out, gnumeric)["files"][0]
        assert one["score"]["points"] == 35 and one["flags"] == []


def test_a_solution_with_its_metadata_dropped_is_told_by_its_formulas(term, tmp_path):
    _, out, manifest, _ = term
    f = tmp_path / "sheetprop-2024005-exercise.xlsx"
    f.write_bytes((out / next(m for m in manifest if m["id"] == "2024005")["solution"]).read_bytes())
    drop_metadata(f)
    one = _check(out, f)["files"][0]
    assert one["score"]["void"] == "solution_workbook" and one["credited_to"] == "2024005"
    res = run("check", "--no-recalculate", "--json", f, env={})
    assert json.loads(res.stdout)["files"][0]["score"]["void"] == "solution_workbook"


# Any JSON value, nested a little: what a student may type into the property.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def test_any_edit_of_any_field_is_a_record_or_one_clear_line(seed_exercise):
    """Every field replaced by any JSON value: the record is built, or MetadataError says why in
    one line; never another exception."""
    from hypothesis import given, settings

    wb = openpyxl.load_workbook(seed_exercise)
    good = json.loads(next(p.value for p in wb.custom_doc_props.props if p.name == metadata.PROPERTY))
    paths = [(k,) for k in good] + [("exercise", k) for k in good["exercise"]] + \
        [("exercise", "values", k) for k in list(good["exercise"]["values"])[:3]] + [("origin", "seed"), ("student",)]

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from(paths), _JSON)
    def one_edit(path, value):
        data = json.loads(json.dumps(good))
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        try:
            meta = metadata.from_dict(data)
        except metadata.MetadataError as e:
            assert str(e).strip() and "\n" not in str(e)
            return
        assert meta.kind in metadata.KINDS and meta.lang in ("en", "pt-BR") and isinstance(meta.sheet, str)
        assert all(isinstance(v, (int, float)) for v in meta.exercise["values"].values())

    one_edit()


def test_lost_metadata_without_the_class_is_a_flag_in_every_output(tmp_path):
    ex, _ = write_pair(sources.from_seed(42), tmp_path)
    filled = fill(ex, correct_answers(ex), tmp_path / "a.xlsx")
    drop_metadata(filled)
    ex7, _ = write_pair(sources.from_seed(7), tmp_path)
    other = fill(ex7, {}, tmp_path / "b.xlsx")
    book = tmp_path / "g.csv"
    doc = json.loads(run("check", "--json", "--gradebook", book, filled, other, env={}).stdout)
    assert [f["kind"] for f in doc["files"][0]["flags"]] == ["metadata_rebuilt"]
    assert doc["files"][0]["score"]["points"] == 35, "graded, not voided: an honest program may drop it"
    rows = list(csv.DictReader(open(book, encoding="utf-8-sig")))
    assert "it lost its metadata" in rows[0]["flags"]
    text = run("check", filled, env={}).stdout
    assert "Flag: it lost its metadata" in text


def test_a_student_who_writes_the_natural_formulas_is_not_taken_for_the_solution(term, tmp_path):
    """=w_1-eta*dE_dw_1 is how anyone writes it: the formulas alone never void a student's work."""
    _, out, manifest, _ = term
    m = next(m for m in manifest if m["id"] == "2024002")
    sub = load(out / m["exercise"], recalculate=False)
    formulas = {q: "=" + sub.graph[q].expr.excel() for q in sub.graph.answer_ids}
    f = fill(out / m["exercise"], formulas, tmp_path / "formulas.xlsx")
    one = _check(out, f)["files"][0]
    assert one["score"]["void"] is None and one["flags"] == [] and one["score"]["points"] == 35
    assert "solution_workbook" not in one["notes"]


def test_one_variant_under_many_ids_names_a_bounded_few(term, tmp_path):
    _, out, _, _ = term
    a = _own(term, "2024001", tmp_path, "a.xlsx")
    copies = []
    for n in range(12):
        c = tmp_path / f"c{n}.xlsx"
        c.write_bytes(a.read_bytes())
        edit_metadata(c, lambda d, n=n: d["student"].update(id=f"x{n}"))
        copies.append(c)
    doc = _check(out, a, *copies)
    for f in doc["files"]:
        same = [x for x in f["flags"] if x["kind"] == "same_variant_two_ids"]
        assert 1 <= len(same) <= 10 and len({x["other"] for x in same}) == len(same)


def test_explain_on_a_class_workbook_needs_the_class(term, tmp_path):
    """The walkthrough of a class exercise holds every answer: the teacher's, like --show-answers."""
    _, out, manifest, _ = term
    blank = out / manifest[0]["exercise"]
    res = run("explain", blank, "--out", tmp_path / "student", env={})
    assert res.exit_code == 2 and "exercício de turma" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "student").exists() or not list((tmp_path / "student").iterdir())
    res = run("explain", blank, "--class", out, "--out", tmp_path / "teacher")
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "teacher").glob("*-explain.html"))) == 1


@pytest.mark.libreoffice
def test_a_generated_xor_solution_handed_in_earns_nothing_even_with_its_kind_edited(tmp_path):
    from sheetprop import libreoffice

    res = run("generate", "--task", "xor", "--seed", "42", "--out", tmp_path / "gen", env={})
    assert res.exit_code == 0, res.output
    saved, = libreoffice.recalculate([tmp_path / "gen" / "sheetprop-xor-seed42-solution.xlsx"], tmp_path / "lo")
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(saved.read_bytes())
    edit_metadata(edited, lambda d: d.update(kind="exercise"))
    for f in (saved, edited):
        one = json.loads(run("check", "--json", f, env={}).stdout)["files"][0]
        assert one["score"]["points"] == 0 and one["status"] == 1, f
        assert [fl["kind"] for fl in one["flags"]] == ["solution_workbook"]
