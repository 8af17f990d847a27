"""The generated workbooks, read statically: names, layout, metadata, no answers in the exercise."""

import json
import re
import zipfile

import numpy as np
import openpyxl
import pytest

from sheetprop import metadata, sources
from sheetprop.answers import reference_values
from sheetprop.graph import Graph
from sheetprop.mistakes import mutations
from sheetprop.network import Shape
from sheetprop.variants import ETAS, why_rejected
from sheetprop.write import build, write_pair

# Names Excel refuses or LibreOffice silently reads as cells: A1-style addresses up to XFD, R1C1 forms.
def looks_like_a_cell(name: str) -> bool:
    m = re.fullmatch(r"([A-Za-z]{1,3})(\d+)", name)
    if m:
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        if col <= 16384:
            return True
    return bool(re.fullmatch(r"[RrCc]|[Rr]\d*[Cc]\d*", name))


SHAPES = [Shape(), Shape(2, 2, 2, "layer", False), Shape(3, 2, 2, "none"), Shape(1, 3, 1, "layer", True),
          Shape(4, 4, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s.label}-{s.bias_mode}")
def test_every_id_is_a_safe_defined_name(shape):
    for qid in Graph(shape).ids:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", qid), qid
        assert not looks_like_a_cell(qid), qid


def test_default_ids_are_the_product_table():
    ids = set(Graph(Shape()).ids)
    expected = {"i_1", "i_2", "target_o1", "eta", "net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "out_o1",
                "E_o1", "E_total", "dE_dout_o1", "dout_dnet_o1", "delta_o1", "dE_dw_5", "dE_dw_6", "dE_db_3",
                "dE_dout_h1", "dout_dnet_h1", "delta_h1", "dE_dout_h2", "dout_dnet_h2", "delta_h2"}
    expected |= {f"w_{n}" for n in range(1, 7)} | {f"b_{n}" for n in range(1, 4)}
    expected |= {f"dE_dw_{n}" for n in range(1, 5)} | {"dE_db_1", "dE_db_2"}
    expected |= {f"new_w_{n}" for n in range(1, 7)} | {f"new_b_{n}" for n in range(1, 4)}
    assert ids == expected


def test_same_seed_same_numbers_and_different_seeds_differ():
    a, b = sources.from_seed(42), sources.from_seed(42)
    assert sources.describe(a) == sources.describe(b)
    assert sources.describe(sources.from_seed(43)) != sources.describe(a)


def test_variants_are_good_exercises():
    graph = Graph(Shape())
    for seed in range(200):
        g = sources.from_seed(seed)
        assert why_rejected(g, graph) is None
        assert g.eta in ETAS and g.eta != 1
        for v in graph.given_values(g).values():
            assert abs(round(v, 2) - v) < 1e-12, "hand-friendly: at most two decimals"


def test_rejection_catches_a_mistake_close_to_the_truth():
    graph = Graph(Shape())
    reasons = []
    for seed in range(40):
        g = sources.from_seed(seed)
        # With w_5 = 1, leaving the weight out of the hidden delta (M9) changes nothing.
        w_out = np.array(g.w_out, copy=True)
        w_out[0, 0] = 1.0
        reason = why_rejected(g.with_values(w_out=w_out), graph)
        assert reason is not None
        reasons.append(reason)
        # With eta = 1, forgetting eta (M8) changes nothing. (Other mistakes may come close
        # to each other first with eta = 1: look at the updates alone.)
        updates = {q: ms for q, ms in mutations(graph).items() if q.startswith("new_")}
        assert why_rejected(g.with_values(eta=1.0), graph) is not None
        assert "M8" in why_rejected(g.with_values(eta=1.0), graph, updates)
    assert any("M9" in r for r in reasons)


def _cells(path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    names = {n: list(dn.destinations)[0][1].replace("$", "") for n, dn in wb.defined_names.items()}
    return wb, ws, names


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_exercise_and_solution_share_layout_and_names(tmp_path, lang):
    g = sources.from_seed(42)
    ex, sol = write_pair(g, tmp_path, lang=lang)
    assert "exercise" in ex.name and "solution" in sol.name and "42" in ex.name
    graph = Graph(g.shape)
    wb_e, ws_e, names_e = _cells(ex)
    wb_s, ws_s, names_s = _cells(sol)
    assert names_e == names_s and set(names_e) == set(graph.ids)
    givens = graph.given_values(g)
    for qid in graph.ids:
        e, s = ws_e[names_e[qid]], ws_s[names_s[qid]]
        if qid in givens:
            assert e.value == s.value == givens[qid]
            assert e.protection.locked
        else:
            assert e.value is None and not e.protection.locked
            expected = "=" + graph[qid].expr.excel()
            assert s.value == expected
            # every name a formula reads is a defined name, never a cell address
            for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", s.value):
                assert token in names_s or token == "EXP", (qid, token)
    assert ws_e.protection.sheet and not ws_e.protection.password


def test_exercise_contains_no_answer_anywhere(tmp_path):
    g = sources.from_seed(7)
    ex, _ = write_pair(g, tmp_path)
    answers = reference_values(Graph(g.shape), g)
    givens = Graph(g.shape).given_values(g)
    with zipfile.ZipFile(ex) as z:
        blob = "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
        assert not any("chartsheet" in n or "comments" in n for n in z.namelist())
    assert "<f>" not in blob, "no formula, so no cached result either"
    for qid, v in answers.items():
        if qid in givens:
            continue
        for text in {repr(v), f"{v:.15g}", f"{v:.9f}", f"{v:.6g}"}:
            assert text not in blob, (qid, text)
    wb = openpyxl.load_workbook(ex)
    assert len(wb.worksheets) == 1 and wb.worksheets[0].sheet_state == "visible"
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in wb.worksheets[0].iter_rows()
                   for c in row)


def test_constants_fit_in_15_significant_digits(tmp_path):
    for g in (sources.from_seed(5), sources.from_preset("mazur")):
        _, sol = write_pair(g, tmp_path / str(g.origin))
        wb = openpyxl.load_workbook(sol)
        for row in wb.worksheets[0].iter_rows():
            for c in row:
                if isinstance(c.value, float):
                    assert float(f"{c.value:.15g}") == c.value
                if isinstance(c.value, str) and c.value.startswith("="):
                    for num in re.findall(r"(?<![A-Za-z_0-9])\d+\.?\d*", c.value):
                        assert len(num.replace(".", "").lstrip("0")) <= 15


def test_metadata_rebuilds_the_exercise(tmp_path):
    g = sources.from_seed(11)
    ex, _ = write_pair(g, tmp_path, lang="pt-BR")
    wb = openpyxl.load_workbook(ex)
    raw = next(p.value for p in wb.custom_doc_props if p.name == metadata.PROPERTY)
    meta = metadata.decode(raw)
    assert meta["origin"] == {"seed": 11, "rules": 2} and meta["lang"] == "pt-BR" and meta["kind"] == "exercise"
    rebuilt = sources.from_description(meta["exercise"], meta["origin"])
    assert sources.describe(rebuilt) == sources.describe(g)
    assert set(meta["cells"]) == set(Graph(g.shape).ids)


def test_portuguese_workbook_speaks_portuguese(tmp_path):
    ex, _ = write_pair(sources.from_seed(42), tmp_path, lang="pt-BR")
    wb = openpyxl.load_workbook(ex)
    ws = wb.worksheets[0]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "Propagação direta" in text and "Retropropagação" in text and "Taxa de aprendizado" in text
    assert "Forward pass" not in text


def test_givens_file_rebuilds_a_textbook_example(tmp_path):
    f = tmp_path / "course.toml"
    f.write_text('layers = "2-2-1"\nbias = "layer"\ntrain_biases = false\n[values]\n'
                 'i_1 = 0.05\ni_2 = 0.1\ntarget_o1 = 0.01\nw_1 = 0.15\nw_2 = 0.2\nw_3 = 0.25\nw_4 = 0.3\n'
                 'w_5 = 0.4\nw_6 = 0.45\nb_1 = 0.35\nb_2 = 0.6\neta = 0.5\n')
    g = sources.from_file(f)
    mazur = reference_values(Graph(Shape(2, 2, 2, "layer", False)), sources.from_preset("mazur"))
    ours = reference_values(Graph(g.shape), g)
    # Dropping o2 leaves h1, h2, o1 and the o1 weights' gradients unchanged (anchor notes).
    for qid in ("out_h1", "out_h2", "out_o1", "dE_dw_5", "dE_dw_6", "new_w_5", "new_w_6"):
        assert ours[qid] == pytest.approx(mazur[qid], rel=1e-12)


@pytest.mark.parametrize("content, message", [
    ('layers = "2-2-1"\n[values]\ni_1 = 0.1\n', "needs a value for"),
    ('layers = "2-9-1"\n[values]\n', "from 1 to"),
    ('bias = "sometimes"\n[values]\n', "bias must be one of"),
    ('[values]\ni_1 = "x"\n', "needs a value"),
    ('this is not toml', "not valid TOML"),
])
def test_bad_givens_files_get_a_clear_message(tmp_path, content, message):
    f = tmp_path / "bad.toml"
    f.write_text(content)
    with pytest.raises(ValueError, match=message):
        sources.from_file(f)


def test_givens_json_with_wrong_types_and_extra_ids(tmp_path):
    desc = sources.describe(sources.from_seed(3))
    desc["values"]["w_9"] = 0.1
    f = tmp_path / "g.json"
    f.write_text(json.dumps(desc))
    with pytest.raises(ValueError, match="w_9 not part"):
        sources.from_file(f)
    desc["values"].pop("w_9")
    desc["values"]["eta"] = True
    f.write_text(json.dumps(desc))
    with pytest.raises(ValueError, match="eta must be a finite number"):
        sources.from_file(f)


def test_build_is_deterministic(tmp_path):
    g = sources.from_seed(99)
    a = build(g, "solution")
    b = build(g, "solution")
    va = [c.value for row in a.worksheets[0].iter_rows() for c in row]
    vb = [c.value for row in b.worksheets[0].iter_rows() for c in row]
    assert va == vb


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_each_workbook_carries_its_own_instructions_only(tmp_path, lang):
    from sheetprop.text import instructions, text, title

    t = text(lang)
    g = sources.from_seed(4)
    ex, sol = write_pair(g, tmp_path, lang=lang)
    for path, kind, other in ((ex, "exercise", "solution"), (sol, "solution", "exercise")):
        ws = openpyxl.load_workbook(path).worksheets[0]
        cells = [c.value for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
        assert all(line in cells for line in instructions(t, kind, g.shape))
        assert not any(line in cells for line in instructions(t, other, g.shape)), (kind, lang)
        assert title(t, kind, g.shape) in cells
