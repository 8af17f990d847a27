"""Writing the exercise and solution workbooks with openpyxl.

Both come from one graph and one layout. The exercise gets empty answer cells;
the solution gets a live formula over the defined names in each of them. openpyxl
stores formulas without a cached result, so the exercise carries no answer at
all, and the solution's numbers appear when a spreadsheet application opens it.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName

from . import __version__, metadata
from .graph import Graph, graph_for
from .layout import COLUMN_NUMBERS, LAYOUTS, WIDTHS, lay_out
from .network import Givens
from .paper import fit_rows, set_page_title, set_up_pages
from .precision import MIN_DIGITS
from .sources import describe
from .text import Text, instructions, origin_text, text, title

GIVEN_FILL = PatternFill("solid", fgColor="DDEBF7")
ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
SECTION_FILL = PatternFill("solid", fgColor="1F4E78")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Enough decimals for the smallest first-layer gradients to show 6 significant digits.
ANSWER_FORMAT = "0.000000000"
GIVEN_FORMAT = "General"
GIVEN_OPEN_STYLE = "sheetprop given (editable)"


def named_styles() -> dict[str, NamedStyle]:
    """Named cell styles: set once per workbook, cheap per cell, and visible by name in the
    spreadsheet's style list (a teacher can restyle every answer cell at once)."""
    return {
        "title": NamedStyle("sheetprop title", font=Font(bold=True, size=14)),
        "note": NamedStyle("sheetprop note", font=Font(italic=True, color="595959")),
        "header": NamedStyle("sheetprop header", font=Font(bold=True)),
        "section": NamedStyle("sheetprop section", font=Font(bold=True, color="FFFFFF"), fill=SECTION_FILL),
        "id": NamedStyle("sheetprop name", font=Font(name="Consolas", color="595959")),
        "given": NamedStyle("sheetprop given", font=Font(bold=True), fill=GIVEN_FILL, border=BOX,
                            number_format=GIVEN_FORMAT, protection=Protection(locked=True)),
        "given_open": NamedStyle(GIVEN_OPEN_STYLE, font=Font(bold=True), fill=GIVEN_FILL, border=BOX,
                                 number_format=GIVEN_FORMAT, protection=Protection(locked=False)),
        "answer": NamedStyle("sheetprop answer", fill=ANSWER_FILL, border=BOX, number_format=ANSWER_FORMAT,
                             protection=Protection(locked=False)),
    }


def hint(t: Text, graph: Graph, qid: str) -> str:
    q = graph[qid]
    fields = dict(q.about)
    if q.is_given:
        fields.setdefault("name", q.symbol)
    else:
        fields["rule"] = f"{q.symbol} = {q.expr.text(graph.symbols)}"
        fields["alt"] = " = ".join(alt.text(graph.symbols) for alt in q.alts)  # an equivalent right form
    for key in ("weight", "bias", "param"):
        if key in fields:
            fields[key] = graph.symbols.get(fields[key], fields[key])
    return t(q.rule if "." in q.rule else f"hints.{q.rule}", **fields)


def build(g: Givens, kind: str, lang: str = "en", student: dict | None = None, layout: str = "rows",
          min_digits: int = MIN_DIGITS, seal_key: bytes | None = None) -> Workbook:
    """The exercise (kind='exercise') or the solution (kind='solution') as an openpyxl Workbook."""
    if kind not in ("exercise", "solution"):
        raise ValueError(kind)
    if layout != "rows":
        return _byhand().build(g, kind, lang, student)
    wb, sheet = _exercise(g, lang, student, min_digits, seal_key)
    if kind == "solution":
        sheet.become_solution()
    return wb


class _Sheet:
    """What turning the exercise into its solution needs to know: the two share everything
    but the title, the instructions, the answer cells and the givens' lock, so the solution
    is the exercise with those rewritten (one build, two saves)."""

    def __init__(self, wb, ws, g, graph, layout, t, student, min_digits=MIN_DIGITS, seal_key=None):
        self.wb, self.ws, self.g, self.graph, self.layout, self.t, self.student = wb, ws, g, graph, layout, t, student
        self.min_digits = min_digits
        self.seal_key = seal_key  # a class's workbooks are sealed under its secret (metadata.seal)

    def metadata(self, kind: str) -> str:
        return metadata.encode(kind=kind, description=describe(self.g), origin=dict(self.g.origin), lang=self.t.lang,
                               sheet=self.layout.sheet, cells=self.layout.cell_of, student=self.student,
                               options={"min_digits": self.min_digits}, seal_key=self.seal_key)

    def write_texts(self, kind: str):
        t, ws = self.t, self.ws
        shape = self.g.shape
        # The digits asked for are stated where the student reads them, and checked from the metadata.
        lines = instructions(t, kind, shape, self.g.origin, self.min_digits)
        heading = title(t, kind, shape)
        for row in self.layout.rows:
            # .value, not ws.cell(r, c, value): openpyxl ignores a value of None there, and the
            # solution has fewer instruction lines than the exercise it is made from.
            if row.kind == "title":
                ws.cell(row.number, 1).value = heading
            elif row.kind == "instruction":
                i = int(row.key)
                ws.cell(row.number, 1).value = lines[i] if i < len(lines) else None
        self.wb.properties.title = heading
        set_page_title(ws, heading)
        self.wb.custom_doc_props.props = [p for p in self.wb.custom_doc_props.props if p.name != metadata.PROPERTY]
        self.wb.custom_doc_props.append(StringProperty(name=metadata.PROPERTY, value=self.metadata(kind)))

    def become_solution(self):
        self.write_texts("solution")
        for qid, coord in self.layout.cell_of.items():
            q = self.graph[qid]
            cell = self.ws[coord]
            if q.is_given:
                cell.style = GIVEN_OPEN_STYLE  # in the solution, changing a given is the point
            else:
                cell.value = f"={q.expr.excel()}"
        fit_rows(self.ws, self.layout)  # the solution needs no room to write


def _exercise(g: Givens, lang: str, student: dict | None, min_digits: int = MIN_DIGITS,
              seal_key: bytes | None = None) -> tuple[Workbook, _Sheet]:
    t = text(lang)
    graph = graph_for(g.shape)
    layout = lay_out(graph, t)
    givens = graph.given_values(g)

    wb = Workbook()
    styles = named_styles()
    for style in styles.values():
        wb.add_named_style(style)
    ws = wb.active
    ws.title = layout.sheet
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width

    for row in layout.rows:
        r = row.number
        if row.kind == "title":
            ws.cell(r, 1).style = styles["title"].name
        elif row.kind == "variant":
            ws.cell(r, 1, t("sheet.variant", origin=origin_text(t, g.origin), lang=t.lang, version=__version__))
            ws.cell(r, 1).style = styles["note"].name
        elif row.kind == "header":
            for name, col in COLUMN_NUMBERS.items():
                c = ws.cell(r, col)
                c.value = t(f"sheet.header_{name}")
                c.style = styles["header"].name
        elif row.kind == "section":
            for col in COLUMN_NUMBERS.values():
                ws.cell(r, col).style = styles["section"].name
            ws.cell(r, COLUMN_NUMBERS["symbol"], t(f"sections.{row.key}"))
        elif row.kind == "quantity":
            _write_quantity(ws, r, graph, row.key, givens, t, styles)

    for qid in layout.cell_of:
        wb.defined_names[qid] = DefinedName(qid, attr_text=layout.address(qid))

    # Protected without a password: it guides (only the answer cells take input) and
    # anyone can lift it from the menu.
    ws.protection.sheet = True
    ws.freeze_panes = ws[f"A{next(r.number for r in layout.rows if r.kind == 'header') + 1}"]
    ws.sheet_view.zoomScale = 110
    wb.properties.creator = f"sheetprop {__version__}"
    sheet = _Sheet(wb, ws, g, graph, layout, t, student, min_digits, seal_key)
    sheet.write_texts("exercise")
    set_up_pages(ws, layout)
    return wb, sheet


def _write_quantity(ws, r, graph: Graph, qid: str, givens: dict, t: Text, styles: dict):
    q = graph[qid]
    # Cells by number, not by "C12": openpyxl parses every coordinate string it is given.
    ws.cell(r, COLUMN_NUMBERS["symbol"], q.symbol)
    ws.cell(r, COLUMN_NUMBERS["id"], qid).style = styles["id"].name
    ws.cell(r, COLUMN_NUMBERS["hint"], hint(t, graph, qid))
    cell = ws.cell(r, COLUMN_NUMBERS["value"])
    if q.is_given:
        cell.value = givens[qid]
        cell.style = styles["given"].name
    else:
        cell.style = styles["answer"].name


def _byhand():
    from . import write_byhand  # imported on demand: it imports this module

    return write_byhand


def file_stem(g: Givens, lang: str, layout: str = "rows") -> str:
    o = g.origin
    if "seed" in o:
        base = f"sheetprop-seed{o['seed']}"
        s = g.shape
        if s.label != "2-2-1" or s.bias_mode != "neuron" or not s.train_biases:
            base += f"-{s.label}-{s.bias_mode.replace('/', '+')}{'' if s.train_biases else '-frozen'}"
        if not s.is_mazur_kind:
            base += f"-{s.activation}-{s.output}-{s.loss}"
    elif "preset" in o:
        base = f"sheetprop-{o['preset']}"
    else:
        base = f"sheetprop-{Path(o.get('givens', 'custom')).stem}"
    if layout != "rows":
        base += f"-{layout}"
    return base if lang == "en" else f"{base}-{lang}"


class OutputExists(FileExistsError):
    pass


def write_pair(g: Givens, out_dir: Path, lang: str = "en", force: bool = False,
               solution_dir: Path | None = None, student: dict | None = None,
               stem: str | None = None, layout: str = "rows", min_digits: int = MIN_DIGITS,
               seal_key: bytes | None = None) -> tuple[Path, Path]:
    """Write the exercise and its solution; refuse to overwrite unless force."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    stem = stem or file_stem(g, lang, layout)
    exercise = Path(out_dir) / f"{stem}-exercise.xlsx"
    solution = Path(solution_dir or out_dir) / f"{stem}-solution.xlsx"
    if not force:
        for p in (exercise, solution):
            if p.exists():
                raise OutputExists(f"{p} already exists; use --force to overwrite it")
    for p in (exercise, solution):
        p.parent.mkdir(parents=True, exist_ok=True)
    if layout == "rows":
        wb, sheet = _exercise(g, lang, student, min_digits, seal_key)
    else:
        sheet = _byhand().ByHandWorkbook(g, lang, student)
        wb = sheet.wb
    wb.save(exercise)
    sheet.become_solution()
    wb.save(solution)
    return exercise, solution
