"""Drawing the AI-by-Hand sheet (byhand.py says where everything goes) with openpyxl.

The exercise shows the grids with the answer cells empty; the solution puts in each the
graph's own rule for that quantity, rendered over this sheet's cell addresses, so clicking
a cell shows (and LibreOffice colours) the row and the column it reads. The defined names,
the metadata and the styles are those of the row layout: check, feedback and the class
tools cannot tell the two apart.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from . import __version__, metadata
from .byhand import LAYOUT, Sheet, coord, lay_out
from .graph import graph_for
from .network import Givens
from .sources import describe
from .text import Text, loss_rule, origin_text, text, title
from .write import GIVEN_OPEN_STYLE, hint, named_styles

MIRROR_FILL = PatternFill("solid", fgColor="F2F2F2")
BAND_FILL = PatternFill("solid", fgColor="1F4E78")


def _byhand_styles() -> dict[str, NamedStyle]:
    styles = named_styles()
    # General, not a fixed 9 decimals: the grid's narrow columns show as many digits as fit.
    for name in ("given", "given_open", "answer"):
        styles[name].number_format = "General"
        styles[name].alignment = Alignment(horizontal="right")
    styles["mirror"] = NamedStyle("sheetprop copy", font=Font(italic=True, color="595959"), fill=MIRROR_FILL,
                                  number_format="General")
    styles["label"] = NamedStyle("sheetprop label", font=Font(bold=True, color="404040"),
                                 alignment=Alignment(horizontal="center"))
    styles["rowlabel"] = NamedStyle("sheetprop row label", font=Font(bold=True, color="404040"),
                                    alignment=Alignment(horizontal="right"))
    styles["marker"] = NamedStyle("sheetprop activation", font=Font(bold=True, italic=True, color="C00000"),
                                  alignment=Alignment(horizontal="center"))
    styles["aside"] = NamedStyle("sheetprop aside", font=Font(italic=True, color="7F7F7F"),
                                 alignment=Alignment(horizontal="center"))
    styles["layer"] = NamedStyle("sheetprop layer", font=Font(bold=True, size=12))
    styles["band"] = NamedStyle("sheetprop band", font=Font(bold=True, color="FFFFFF"), fill=BAND_FILL)
    return styles


def label_text(t: Text, key: str) -> str:
    return key[1:] if key.startswith("=") else t(f"byhand.{key}")


def instruction_lines(t: Text, kind: str, shape) -> list[str]:
    # the digits asked for: the same default as the row layout's (the metadata's options say it)
    return [line.format(loss_rule=loss_rule(t, shape), min_digits=3) for line in t.lines(f"byhand.{kind}")]


class ByHandWorkbook:
    """The exercise, which becomes its solution by rewriting the answer cells (one build, two saves)."""

    def __init__(self, g: Givens, lang: str, student: dict | None):
        self.g, self.student = g, student
        self.t = t = text(lang)
        self.graph = graph_for(g.shape)
        height = max(len(t.lines("byhand.exercise")), len(t.lines("byhand.solution")))
        self.layout: Sheet = lay_out(self.graph, height, t("sheet.sheet_name"))
        self.styles = _byhand_styles()
        self.wb = Workbook()
        for style in self.styles.values():
            self.wb.add_named_style(style)
        self.ws = self.wb.active
        self._draw()
        self._write_texts("exercise")

    @property
    def cell_of(self) -> dict:
        return self.layout.cell_of

    def _draw(self):
        ws, lay, t, st = self.ws, self.layout, self.t, self.styles
        ws.title = lay.sheet
        for col, width in lay.widths.items():
            ws.column_dimensions[ws.cell(1, col).column_letter].width = width
        ws.cell(lay.title_row, 1).style = st["title"].name
        variant = ws.cell(lay.variant_row, 1, t("sheet.variant", origin=origin_text(t, self.g.origin), lang=t.lang,
                                                 version=__version__))
        variant.style = st["note"].name
        for row in lay.instruction_rows:
            ws.cell(row, 1).style = st["note"].name
        for label in lay.labels:
            cell = ws.cell(label.row, label.col, label_text(t, label.key))
            cell.style = st[label.style].name
            if label.span > 1:  # a band's title across its band (LibreOffice clips text in a filled cell)
                for col in range(label.col + 1, label.col + label.span):
                    ws.cell(label.row, col).style = st[label.style].name
                ws.merge_cells(start_row=label.row, start_column=label.col, end_row=label.row,
                               end_column=label.col + label.span - 1)
        givens = self.graph.given_values(self.g)
        for qid, (row, col) in lay.place.items():
            cell = ws.cell(row, col)
            if self.graph[qid].is_given:
                cell.value = givens[qid]
                cell.style = st["given"].name
            else:
                cell.style = st["answer"].name
                # The staircase has no room for the row layout's Rule column: each answer cell
                # carries its rule as a note, shown when the pointer rests on it (never printed).
                cell.comment = Comment(hint(t, self.graph, qid), "sheetprop", width=380, height=90)
        for m in lay.mirrors:
            cell = ws.cell(m.row, m.col)
            cell.style = st["mirror"].name
            cell.value = 1 if m.source is None else self._mirror(m.source, "exercise")
        for qid in lay.cell_of:
            self.wb.defined_names[qid] = DefinedName(qid, attr_text=lay.address(qid))
        ws.protection.sheet = True
        ws.sheet_view.zoomScale = 100
        ws.sheet_view.showGridLines = False  # the grids are drawn by their borders, as on paper
        # One A4 landscape page: the whole staircase at a glance, as a handout.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_area = f"A1:{coord(lay.last_row, lay.last_col)}"
        ws.print_options.horizontalCentered = True
        ws.print_options.verticalCentered = True
        for side in ("left", "right"):
            setattr(ws.page_margins, side, 0.4)
        self.wb.properties.creator = f"sheetprop {__version__}"

    def _mirror(self, source: str, kind: str) -> str:
        ref = self.cell_of[source]
        if kind == "exercise" and not self.graph[source].is_given:
            # A copy of a cell the student has not filled in yet stays empty, not 0.
            return f'=IF(ISBLANK({ref}),"",{ref})'
        return f"={ref}"

    def _write_texts(self, kind: str):
        ws, lay, t, shape = self.ws, self.layout, self.t, self.g.shape
        heading = title(t, kind, shape)
        ws.cell(lay.title_row, 1).value = heading
        lines = instruction_lines(t, kind, shape)
        for i, row in enumerate(lay.instruction_rows):
            ws.cell(row, 1).value = lines[i] if i < len(lines) else None
        self.wb.properties.title = heading
        props = self.wb.custom_doc_props
        props.props = [p for p in props.props if p.name != metadata.PROPERTY]
        props.append(StringProperty(name=metadata.PROPERTY, value=metadata.encode(
            kind=kind, description=describe(self.g), origin=dict(self.g.origin), lang=t.lang, sheet=lay.sheet,
            cells=lay.cell_of, student=self.student, layout=LAYOUT)))

    def become_solution(self):
        self._write_texts("solution")
        resolve = self.cell_of.__getitem__
        for qid, (row, col) in self.layout.place.items():
            q = self.graph[qid]
            cell = self.ws.cell(row, col)
            if q.is_given:
                cell.style = GIVEN_OPEN_STYLE  # in the solution, changing a given is the point
            else:
                cell.value = f"={q.expr.render('excel', resolve)}"
        for m in self.layout.mirrors:
            if m.source is not None:
                self.ws.cell(m.row, m.col).value = self._mirror(m.source, "solution")


def build(g: Givens, kind: str, lang: str = "en", student: dict | None = None) -> Workbook:
    if kind not in ("exercise", "solution"):
        raise ValueError(kind)
    book = ByHandWorkbook(g, lang, student)
    if kind == "solution":
        book.become_solution()
    return book.wb
