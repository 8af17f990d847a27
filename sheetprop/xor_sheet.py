"""The XOR training workbook: where everything goes, and writing it (openpyxl).

One sheet. At the top the givens (the four patterns, η), the outputs after training
against their targets, the first epoch with E < 0.01, a chart of the loss per epoch on a
log scale and a drawing of the trained network, all live. Below, the training block: a blue row "epoch 0" holding the
initial parameters under the "parameters after the epoch" columns, then one row per
epoch. Every epoch reads its parameters from the row above, so every row has the same
formulas with relative references: a student writes epoch 1 and fills it down.

The solution's formulas are the epoch row's rules (epoch_row.py, from the graph's
rules) rendered with a resolver that turns each id into the cell that holds it: a
column of this row, a parameter column of the row above, a named data cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import NamedStyle, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from . import __version__, metadata
from .epoch_row import PATTERNS, Row, data_values, substitute
from .expr import Ref
from .keys import Key
from .text import Text, loss_rule, network_words, origin_text, text
from .write import ANSWER_FILL, BOX, GIVEN_OPEN_STYLE, OutputExists, named_styles
from .xor_task import TASK, Run, default_epochs, describe

BLOCK_FORMAT = "0.000000"
SHEET_PART = "xl/worksheets/sheet1.xml"  # openpyxl's name for a workbook's only sheet
DIAGRAM_COL = 20  # T: right of the loss chart
EPOCH_COL, LOSS_COL = 1, 2
FIRST_CELL_COL = 3
INSTRUCTION_ROW = 4
HEIGHT = 5  # instruction lines kept for both kinds, so both sheets share every address
RULE_LINE = 3  # the exercise's instruction line with the rules
TARGET = 0.01  # the course's bar for the loss


class Layout(NamedTuple):
    sheet: str
    columns: dict  # row id -> column number, in the training block
    new_of: dict  # parameter id -> column number of its update (row 0 holds the initial value)
    helper: int  # column of "epoch if E < 0.01"
    data: dict  # data id -> (row, column)
    eta: tuple  # (row, column)
    beta: tuple | None  # momentum's β: (row, column)
    summary_row: int  # first row of the final outputs table
    header_row: int  # the training block's group header
    zero: int  # the row of epoch 0 (initial parameters)
    epochs: int

    @property
    def first(self) -> int:
        return self.zero + 1

    @property
    def last(self) -> int:
        return self.zero + self.epochs

    def given_cells(self) -> dict:
        """The given numbers' cells outside the block (the patterns, η, β)."""
        return {**self.data, "eta": self.eta, **({"beta": self.beta} if self.beta else {})}

    def cell_of(self, qid: str, epoch: int) -> str:
        return f"{get_column_letter(self.columns[qid])}{self.zero + epoch}"

    def describe(self) -> dict:
        """What the metadata keeps, so the checker finds every cell even without the names."""
        return {"zero": self.zero, "epochs": self.epochs,
                "columns": {q: get_column_letter(c) for q, c in self.columns.items()},
                "givens": {q: _coord(*rc) for q, rc in self.given_cells().items()}
                | {p: f"{get_column_letter(c)}{self.zero}" for p, c in self.new_of.items()}}


def _coord(r: int, c: int) -> str:
    return f"{get_column_letter(c)}{r}"


def _abs(r: int, c: int) -> str:
    return f"${get_column_letter(c)}${r}"


def lay_out(row: Row, epochs: int, t: Text) -> Layout:
    columns = {"E_total": LOSS_COL}
    col = FIRST_CELL_COL
    per_pattern = [c for c in row.cells if c.pattern is not None]
    new_of = {}  # each state id (w_1, v_w_1) -> the column of the cell holding it after an epoch
    for p in range(1, PATTERNS + 1):
        for c in per_pattern:
            if c.pattern == p:
                columns[c.id] = col
                if c.key.kind == "new":  # sgd: the last pattern's update ends the epoch
                    new_of[c.key.of.id] = col
                col += 1
    for c in row.cells:
        if c.key.kind == "grad" and c.pattern is None:
            columns[c.id] = col
            col += 1
    for c in row.cells:
        if c.key.kind == "new" and c.pattern is None:  # velocities (momentum) first, then the parameters
            columns[c.id] = col
            new_of[c.key.of.id] = col
            col += 1
    given_row = INSTRUCTION_ROW + HEIGHT + 1
    data = {}
    for p in range(PATTERNS):
        for k, qid in enumerate(_data_ids(p + 1)):
            data[qid] = (given_row + 2 + p, 2 + k)
    eta = (given_row + 3 + PATTERNS, 4)
    beta = (eta[0] + 1, 4) if row.velocities else None
    header = eta[0] + 13  # room for the charts beside the givens (10 cm)
    return Layout(t("xor.sheet_name"), columns, new_of, col, data, eta, beta, given_row + 2, header, header + 2,
                  epochs)


def _data_ids(p: int) -> tuple[str, str, str]:
    return (Key("i", n=1, example=p).id, Key("i", n=2, example=p).id, Key("target", neuron="o1", example=p).id)


class _Writer:
    def __init__(self, run: Run, lang: str, student: dict | None):
        self.run, self.t, self.student = run, text(lang), student
        self.row = run.row
        self.layout = lay_out(self.row, run.epochs, self.t)
        self.wb = Workbook()
        self.styles = named_styles()
        # Six decimals fit the block's narrow columns (nine, the step sheet's, show as ###).
        self.styles["answer"] = NamedStyle("sheetprop training answer", fill=ANSWER_FILL, border=BOX,
                                           number_format=BLOCK_FORMAT, protection=Protection(locked=False))
        for style in self.styles.values():
            self.wb.add_named_style(style)
        self.ws = self.wb.active
        self.ws.title = self.layout.sheet

    # -- the exercise ------------------------------------------------------
    def exercise(self):
        t, ws, L, st = self.t, self.ws, self.layout, self.styles
        ws.cell(2, 1, t("sheet.variant", origin=origin_text(t, self.run.origin), lang=t.lang, version=__version__))
        ws.cell(2, 1).style = st["note"].name
        ws.cell(1, 1).style = st["title"].name
        ws.column_dimensions["A"].width = 9
        for c in range(2, L.helper + 1):
            ws.column_dimensions[get_column_letter(c)].width = 11
        self._givens()
        self._block()
        self._summary()
        self._chart()
        self._names()
        self._diagram()
        # The printed page is the summary: givens, outcome, loss chart and network drawing
        # (the training block is thousands of cells; print it by clearing the print area).
        ws.print_area = f"A1:{get_column_letter(DIAGRAM_COL + 7)}{L.header_row - 1}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4  # as the step exercise prints (paper.py)
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
        ws.protection.sheet = True  # guides without a password, like the step exercise
        ws.sheet_view.zoomScale = 100
        self.wb.properties.creator = f"sheetprop {__version__}"
        self._texts("exercise")

    def _givens(self):
        t, ws, L, st = self.t, self.ws, self.layout, self.styles
        top = L.summary_row - 2
        ws.cell(top, 1, t("xor.data")).style = st["header"].name
        for k, head in enumerate((t("xor.pattern"), "i₁", "i₂", "target_o1")):
            ws.cell(top + 1, 1 + k, head).style = st["header"].name
        values = data_values()
        for p in range(PATTERNS):
            ws.cell(top + 2 + p, 1, p + 1)
            for qid in _data_ids(p + 1):
                r, c = L.data[qid]
                cell = ws.cell(r, c, values[qid])
                cell.style = st["given"].name
        r, c = L.eta
        ws.cell(r, 1, t("xor.eta")).style = st["header"].name
        ws.cell(r, c, self.run.eta).style = st["given"].name
        if L.beta:
            r, c = L.beta
            ws.cell(r, 1, t("xor.beta")).style = st["header"].name
            ws.cell(r, c, self.run.beta).style = st["given"].name

    def _block(self):
        t, ws, L, st, row = self.t, self.ws, self.layout, self.styles, self.row
        h = L.header_row
        values = data_values()
        for p in range(1, PATTERNS + 1):
            first = min(c for q, c in L.columns.items() if q.endswith(f"_p{p}"))
            x1, x2, target = (values[q] for q in _data_ids(p))
            group = t("xor.group_pattern", p=p, x1=f"{x1:g}", x2=f"{x2:g}", t=f"{target:g}")
            if row.optimizer == "sgd":
                group += t("xor.group_sgd")
            ws.cell(h, first, group)
        summed = [c for c in row.cells if c.pattern is None]
        grads = [c for c in summed if c.key.kind == "grad"]
        news = [c for c in summed if c.key.kind == "new" and c.key.of.kind != "v"]
        velocities = [c for c in summed if c.key.kind == "new" and c.key.of.kind == "v"]
        if grads:  # (with sgd, every gradient and update belongs to its pattern)
            ws.cell(h, L.columns[grads[0].id], t("xor.group_grad"))
            ws.cell(h, L.columns[news[0].id], t("xor.group_new"))
        if velocities:
            ws.cell(h, L.columns[velocities[0].id], t("xor.group_velocity"))
        for c in range(1, L.helper + 1):
            ws.cell(h, c).style = st["section"].name
        ws.cell(h + 1, EPOCH_COL, t("xor.epoch")).style = st["header"].name
        ws.cell(h + 1, LOSS_COL, t("xor.loss")).style = st["header"].name
        for cell in row.cells:
            if cell.id != "E_total":
                ws.cell(h + 1, L.columns[cell.id], _symbol(cell.key)).style = st["header"].name
        ws.cell(h + 1, L.helper, t("xor.helper")).style = st["header"].name
        # Epoch 0: the initial parameters, where every row finds its starting parameters.
        ws.cell(L.zero, EPOCH_COL, 0)
        ws.cell(L.zero, LOSS_COL, t("xor.initial")).style = st["note"].name
        given = self.run.values()
        for p, c in L.new_of.items():
            ws.cell(L.zero, c, given[p]).style = st["given"].name
        first = ws.cell(L.first, LOSS_COL)
        first.style = st["answer"].name
        # Named once, then copied: assigning a style by name costs more than the cell itself.
        answer = first._style
        columns = list(L.columns.values())
        # Epoch 1 only: the rows after it are the same with other row numbers, written
        # straight into the sheet's XML when the file is saved (save), which openpyxl would
        # take seconds to do for a run's tens of thousands of cells.
        r = L.first
        ws.cell(r, EPOCH_COL, 1)
        for c in columns:
            ws.cell(r, c)._style = copy(answer)
        ws.cell(r, L.helper, in_row(self.helper_formula(), L, 1))

    def helper_formula(self) -> str:
        """Epoch e's helper: e where the student's loss is below 0.01 (a blank is not)."""
        loss = get_column_letter(LOSS_COL) + _HERE
        return f'=IF(AND(ISNUMBER({loss}),{loss}<{TARGET}),A{_HERE},"")'

    def _summary(self):
        t, ws, L, st = self.t, self.ws, self.layout, self.styles
        top = L.summary_row - 2
        ws.cell(top, 6, t("xor.summary")).style = st["header"].name
        for k, head in enumerate((t("xor.pattern"), t("xor.target"), t("xor.output"), t("xor.right"))):
            ws.cell(top + 1, 6 + k, head).style = st["header"].name
        out = final_output_expr(self.row)
        # Empty until the last epoch's parameters are all numbers (an exercise not yet filled in).
        finals = ",".join(f"final_{p}" for p in self.row.params)
        for p in range(1, PATTERNS + 1):
            r = top + 1 + p
            ws.cell(r, 6, p)
            target = _data_ids(p)[2]
            ws.cell(r, 7, f"={target}")
            formula = on_final(out, p).excel()
            ws.cell(r, 8, f'=IF(COUNT({finals})<{len(self.row.params)},"",{formula})').number_format = BLOCK_FORMAT
            ws.cell(r, 9, f'=IF(ISNUMBER(H{r}),IF((H{r}>0.5)=(G{r}>0.5),"{t("xor.yes")}","{t("xor.no")}"),"")')
        helper = get_column_letter(L.helper)
        span = f"${helper}${L.first}:${helper}${L.last}"
        r = top + 2 + PATTERNS
        ws.cell(r, 6, t("xor.reached")).style = st["header"].name
        ws.cell(r, 9, f'=IF(COUNT({span})=0,"{t("xor.not_reached")}",MIN({span}))')
        ws.cell(r + 1, 6, t("xor.final_loss")).style = st["header"].name
        last = f"{get_column_letter(LOSS_COL)}{L.last}"
        ws.cell(r + 1, 9, f'=IF(ISNUMBER({last}),{last},"")').number_format = BLOCK_FORMAT

    def _chart(self):
        t, L = self.t, self.layout
        chart = ScatterChart()
        chart.title = t("xor.chart_title")
        chart.style = 13
        chart.legend = None
        xs = Reference(self.ws, min_col=EPOCH_COL, min_row=L.first, max_row=L.last)
        ys = Reference(self.ws, min_col=LOSS_COL, min_row=L.first, max_row=L.last)
        series = Series(ys, xs)
        series.marker.symbol = "none"
        series.smooth = False
        chart.series.append(series)
        chart.y_axis.scaling.logBase = 10
        chart.x_axis.title = t("xor.chart_x")
        chart.y_axis.title = t("xor.chart_y")
        chart.x_axis.scaling.min = 0
        chart.x_axis.scaling.max = L.epochs
        # openpyxl 3.1 writes hidden axes unless told otherwise, and Excel honours that.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = "General"
        chart.x_axis.number_format = "0"
        chart.x_axis.majorGridlines = None
        chart.width, chart.height = 17, 10
        self.ws.add_chart(chart, f"K{L.summary_row - 2}")

    def _diagram(self):
        """The network drawn as a scatter chart: a node per neuron (labelled with its bias after
        the last epoch), a line per connection labelled with its weight after the last epoch.
        The labels are formulas over final_w_k and final_b_k, so the drawing follows the run.
        Its coordinates sit in a small table right of the training block. (Gnumeric draws the
        lines and nodes but not the labels.)"""
        from openpyxl.chart.label import DataLabel, DataLabelList
        from openpyxl.chart.marker import Marker
        from openpyxl.chart.series import SeriesLabel, StrRef
        from openpyxl.chart.shapes import GraphicalProperties

        ws, L, st, graph = self.ws, self.layout, self.styles, self.row.graph
        n_h = self.run.shape.n_hidden

        def level(n, k):  # the k-th of n neurons, top to bottom, centred on 0
            return (n - 1) / 2 - k

        nodes = [(f"i{k + 1}", 0.0, level(2, k)) for k in range(2)] + \
            [(f"h{j + 1}", 1.0, level(n_h, j)) for j in range(n_h)] + [("o1", 2.0, 0.0)]
        at = {name: (x, y) for name, x, y in nodes}
        bias_of = {q.about["neuron"]: q.id for q in graph if q.key.kind == "b"}

        def label_off(d):
            for flag in ("showVal", "showSerName", "showCatName", "showLegendKey", "showPercent"):
                setattr(d, flag, False)
            return d

        def name_label(idx, position=None):
            d = label_off(DataLabel(idx=idx))
            d.showSerName = True
            if position:
                d.dLblPos = position
            return label_off(DataLabelList(dLbl=[d]))

        col, r = L.helper + 2, L.summary_row - 2
        ws.cell(r, col, self.t("xor.diagram_table")).style = st["note"].name
        r += 1
        chart = ScatterChart()
        chart.legend = None
        chart.style = 13

        # One row per line or node, its points across the row (x in three cells, then y in three,
        # then the label): the table stays above the training block, whose rows are spliced in
        # whole when the file is saved.
        def series(n, name_col):
            s = Series(Reference(ws, min_col=col + n, max_col=col + 2 * n - 1, min_row=r),
                       Reference(ws, min_col=col, max_col=col + n - 1, min_row=r))
            s.tx = SeriesLabel(strRef=StrRef(f"'{L.sheet}'!{_abs(r, name_col)}"))
            chart.series.append(s)
            return s

        for q in graph:
            if q.key.kind != "w":
                continue
            (x0, y0), (x1, y1) = at[q.about["src"]], at[q.about["dst"]]
            # The label sits on a point 70 % of the way along, so crossing lines keep theirs apart.
            points = ((x0, y0), (x0 + 0.7 * (x1 - x0), y0 + 0.7 * (y1 - y0)), (x1, y1))
            for k, (x, y) in enumerate(points):
                ws.cell(r, col + k, x)
                ws.cell(r, col + 3 + k, y)
            ws.cell(r, col + 6, f'="{q.symbol} "&ROUND(final_{q.id},2)')
            s = series(3, col + 6)
            s.marker.symbol = "none"
            s.graphicalProperties.line.solidFill = "8C8C8C"
            s.dLbls = name_label(1, "t")
            r += 1
        for name, x, y in nodes:
            ws.cell(r, col, x)
            ws.cell(r, col + 1, y)
            symbol = name[0] + name[1:].translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
            bias = bias_of.get(name)
            ws.cell(r, col + 6, f'="{symbol}  b "&ROUND(final_{bias},2)' if bias else symbol)
            s = series(1, col + 6)
            s.marker = Marker(symbol="circle", size=18)
            s.marker.graphicalProperties = GraphicalProperties(solidFill="9BC2E6")
            s.marker.graphicalProperties.line.solidFill = "1F4E78"
            s.graphicalProperties.line.noFill = True
            s.dLbls = name_label(0, "b" if name.startswith("h") else "t")
            r += 1
        chart.x_axis.scaling.min, chart.x_axis.scaling.max = -0.3, 2.3
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = -(n_h - 1) / 2 - 0.6, (n_h - 1) / 2 + 0.6
        chart.x_axis.delete = True  # a drawing: no axes, no grid
        chart.y_axis.delete = True
        chart.x_axis.majorGridlines = None
        chart.y_axis.majorGridlines = None
        chart.title = self.t("xor.diagram_title")
        chart.width, chart.height = 15, 10
        ws.add_chart(chart, f"{get_column_letter(DIAGRAM_COL)}{L.summary_row - 2}")

    def _names(self):
        L, wb, sheet = self.layout, self.wb, self.layout.sheet

        def name(n, ref):
            wb.defined_names[n] = DefinedName(n, attr_text=f"'{sheet}'!{ref}")

        for qid, (r, c) in L.given_cells().items():
            name(qid, _abs(r, c))
        for p, c in L.new_of.items():
            name(p, _abs(L.zero, c))
            if not p.startswith("v_"):
                name(f"final_{p}", _abs(L.last, c))
        name("loss", f"{_abs(L.first, LOSS_COL)}:{_abs(L.last, LOSS_COL)}")
        for p in range(1, PATTERNS + 1):
            name(f"final_out_{p}", _abs(L.summary_row - 1 + p, 8))
        name("reached_epoch", _abs(L.summary_row + PATTERNS, 9))
        name("final_loss", _abs(L.summary_row + PATTERNS + 1, 9))

    def _texts(self, kind: str):
        t, ws, shape = self.t, self.ws, self.run.shape
        heading = t(f"xor.{kind}_title", layers=shape.label, network=network_words(t, shape))
        ws.cell(1, 1).value = heading
        lines = [line.format(loss_rule=loss_rule(t, shape)) for line in t.lines(f"xor.{kind}")]
        if kind == "exercise" and self.run.optimizer != "gd":  # the rule line says how this optimizer steps
            lines[RULE_LINE] = t(f"xor.rule_{self.run.optimizer}", loss_rule=loss_rule(t, shape))
        for i in range(HEIGHT):
            ws.cell(INSTRUCTION_ROW + i, 1).value = lines[i] if i < len(lines) else None
        self.wb.properties.title = heading
        self.wb.custom_doc_props.props = [p for p in self.wb.custom_doc_props.props if p.name != metadata.PROPERTY]
        meta = metadata.encode(kind=kind, description=describe(self.run), origin=dict(self.run.origin),
                               lang=t.lang, sheet=self.layout.sheet, cells=self.layout.describe(),
                               student=self.student)
        self.wb.custom_doc_props.append(StringProperty(name=metadata.PROPERTY, value=_with_task(meta)))

    # -- the solution ------------------------------------------------------
    def solution(self):
        L, ws = self.layout, self.ws
        self._texts("solution")
        for qid, (r, c) in L.given_cells().items():
            if qid in ("eta", "beta"):
                ws.cell(r, c).style = GIVEN_OPEN_STYLE  # changing η and retraining is the point
        for c in L.new_of.values():
            ws.cell(L.zero, c).style = GIVEN_OPEN_STYLE
        for c, body in row_formulas(self.row, L):
            ws.cell(L.first, c).value = in_row(body, L, 1)
        self.kind = "solution"

    def save(self, path: Path):
        """The workbook with every epoch's row: openpyxl writes epoch 1, the rest is spliced in."""
        buffer = io.BytesIO()
        self.wb.save(buffer)
        with zipfile.ZipFile(buffer) as z:
            parts = [(info, z.read(info.filename)) for info in z.infolist()]
        # Level 1: a training sheet's XML is repetitive enough that it still shrinks tenfold,
        # in a third of the default level's time.
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            for info, data in parts:
                if info.filename == SHEET_PART:
                    data = self._with_rows(data)
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)

    def _with_rows(self, sheet: bytes) -> bytes:
        L = self.layout
        loss = f'<c r="{get_column_letter(LOSS_COL)}{L.first}" s="'.encode()
        at = sheet.find(loss)
        end = sheet.rfind(b"</sheetData>")
        # Epoch 1's row must be the sheet's last: the rows spliced in come after it.
        if at < 0 or end < 0 or sheet.rfind(b'<row r="', 0, end) != sheet.find(f'<row r="{L.first}"'.encode()):
            raise RuntimeError("the training block must end the sheet")
        style = sheet[at + len(loss): sheet.index(b'"', at + len(loss))].decode()
        cells = sorted((c, None) for c in L.columns.values())
        if getattr(self, "kind", "exercise") == "solution":
            cells = sorted(row_formulas(self.row, L))
        helper = get_column_letter(L.helper)
        helper_f = escape(self.helper_formula()[1:])
        parts = []
        for e in range(2, L.epochs + 1):
            r, above = str(L.zero + e), str(L.zero + e - 1)
            parts.append(f'<row r="{r}"><c r="A{r}" t="n"><v>{e}</v></c>')
            for c, body in cells:
                ref = f"{get_column_letter(c)}{r}"
                if body is None:
                    parts.append(f'<c r="{ref}" s="{style}"/>')
                else:
                    f = escape(body[1:]).replace(_HERE, r).replace(_ABOVE, above)
                    parts.append(f'<c r="{ref}" s="{style}"><f>{f}</f><v></v></c>')
            parts.append(f'<c r="{helper}{r}"><f>{helper_f.replace(_HERE, r)}</f><v></v></c></row>')
        sheet = sheet[:end] + "".join(parts).encode() + sheet[end:]
        # The sheet's used range now ends at the last epoch.
        return re.sub(rb'<dimension ref="([A-Z]+[0-9]+):([A-Z]+)[0-9]+"\s*/>',
                      lambda m: b'<dimension ref="' + m.group(1) + b":" + m.group(2) + str(L.last).encode() + b'"/>',
                      sheet, count=1)


# Row-number placeholders: each formula is rendered once and given its row numbers per epoch.
_HERE, _ABOVE = "\x00", "\x01"


def resolver(L: Layout):
    """Row ids to cells: this row's columns, the row above's parameters, named data and η."""
    def resolve(qid: str) -> str:
        if qid in L.columns:
            return get_column_letter(L.columns[qid]) + _HERE
        if qid in L.new_of:
            return get_column_letter(L.new_of[qid]) + _ABOVE
        return qid  # data and eta: their defined names, the same in every row
    return resolve


def row_formulas(row: Row, L: Layout) -> list[tuple[int, str]]:
    """Each block column with its formula, rows left as placeholders."""
    resolve = resolver(L)
    return [(L.columns[c.id], "=" + c.expr.excel(resolve)) for c in row.cells]


def in_row(formula: str, L: Layout, epoch: int) -> str:
    """A rendered row formula given the row numbers of one epoch."""
    return formula.replace(_HERE, str(L.zero + epoch)).replace(_ABOVE, str(L.zero + epoch - 1))


def final_output_expr(row: Row):
    """The output of the trained net as one rule over the parameters and the inputs."""
    graph = row.graph
    folded = {q.id: q.expr for q in graph.answers if q.section == "forward"}

    def inline(e):
        return substitute(e, lambda qid: inline(folded[qid]) if qid in folded else None)
    return inline(graph["out_o1"].expr)


def on_final(e, p: int):
    """A rule over the trained parameters (final_w_1 …) and pattern p's inputs."""
    def swap(qid):
        if qid.startswith(("w_", "b_")):
            return Ref(f"final_{qid}")
        if qid.startswith("i_"):
            return Ref(Key("i", n=int(qid[2:]), example=p).id)
        return None
    return substitute(e, swap)


def _symbol(key: Key) -> str:
    return key._replace(example=None).symbol.replace("E_total", "E")


def _with_task(meta_json: str) -> str:
    """The metadata with the kind of task, which check dispatches on."""
    import json

    data = json.loads(meta_json)
    data["task"] = TASK
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def file_stem(run: Run, lang: str) -> str:
    s = run.shape
    base = f"sheetprop-xor-seed{run.origin.get('seed', 'custom')}"
    if s.label != "2-2-1":
        base += f"-{s.label}"
    if not s.is_mazur_kind:
        base += f"-{s.activation}-{s.output}-{s.loss}"
    if run.epochs != default_epochs(s):
        base += f"-{run.epochs}epochs"
    if run.optimizer != "gd":
        base += f"-{run.optimizer}"
    return base if lang == "en" else f"{base}-{lang}"


def write_pair(run: Run, out_dir: Path, lang: str = "en", force: bool = False) -> tuple[Path, Path]:
    stem = file_stem(run, lang)
    exercise = Path(out_dir) / f"{stem}-exercise.xlsx"
    solution = Path(out_dir) / f"{stem}-solution.xlsx"
    if not force:
        for p in (exercise, solution):
            if p.exists():
                raise OutputExists(f"{p} already exists; use --force to overwrite it")
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    w = _Writer(run, lang, None)
    w.exercise()
    w.save(exercise)
    w.solution()
    w.save(solution)
    return exercise, solution
