"""The words of sheetprop in each language, read from the templates a teacher can edit."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LANGS = ("en", "pt-BR")


class Text:
    def __init__(self, lang: str, data: dict):
        self.lang = lang
        self.data = data

    def __call__(self, dotted: str, **fields) -> str:
        node = self.data
        for part in dotted.split("."):
            node = node[part]
        return node.format(**fields) if fields else node

    def lines(self, dotted: str) -> list[str]:
        node = self.data
        for part in dotted.split("."):
            node = node[part]
        return list(node)


def normalize_lang(lang: str | None) -> str:
    """'pt', 'pt_BR', 'PT-br' all mean Brazilian Portuguese; anything else unknown is refused."""
    if not lang:
        return "en"
    key = lang.replace("_", "-").lower()
    if key in ("en", "en-us", "en-gb"):
        return "en"
    if key in ("pt", "pt-br"):
        return "pt-BR"
    raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")


def _templates() -> Path:
    """The installed templates (sheetprop/templates), or the checkout's templates/ when run
    from a source tree. (A plain path: importlib.resources costs start-up time.)"""
    installed = Path(__file__).resolve().parent / "templates"
    return installed if installed.is_dir() else installed.parent.parent / "templates"


@lru_cache(maxsize=None)
def text(lang: str = "en") -> Text:
    lang = normalize_lang(lang)
    raw = _templates().joinpath(f"{lang}.toml").read_text(encoding="utf-8")
    return Text(lang, tomllib.loads(raw))


def origin_text(t: Text, origin: dict) -> str:
    """How an exercise was made, in words: seed, preset, givens file or student. The words come
    from a workbook's metadata, which a student can edit: control characters are shown escaped."""
    from .inert import terminal as escape

    def field(key):
        return escape(str(origin[key]), 120)

    parts = []
    if "student" in origin:
        parts.append(t("sheet.origin_student", student=field("student")))
        if origin.get("name"):
            parts[-1] += f" ({field('name')})"
    if "seed" in origin:
        parts.append(t("sheet.origin_seed", seed=field("seed")))
    elif "preset" in origin:
        parts.append(t("sheet.origin_preset", preset=field("preset")))
    elif "givens" in origin:
        parts.append(t("sheet.origin_givens", file=field("givens")))
    elif "rebuilt" in origin:
        parts.append(t("sheet.origin_rebuilt"))
    if origin.get("title"):
        parts.append(field("title"))
    return ", ".join(parts)


def network_words(t: Text, shape) -> str:
    """The kind of network in a title: "sigmoid network", or its activations and loss."""
    if shape.is_mazur_kind:
        return t("network.mazur", layers=shape.label)
    return t("network.other", layers=shape.label, activation=t(f"activations.{shape.activation}.name"),
             output=t(f"activations.{shape.output}.name"), loss=t(f"losses.{shape.loss}.name"))


def loss_rule(t: Text, shape) -> str:
    """The loss as a formula, for the instructions."""
    words = t.data["losses"][shape.loss]
    return words.get(f"rule_{shape.output}", words["rule"])


def instructions(t: Text, kind: str, shape, origin: dict | None = None, min_digits: int = 3) -> list[str]:
    """The instruction lines of the exercise or the solution, for this network; "as in {source}"
    names Mazur's walkthrough, or the source a teacher's givens file gives."""
    from .graph import graph_for

    fields = {
        "loss_rule": loss_rule(t, shape),
        # the first formula a student writes, as they type it in their office's language
        "example": typed_formula(t, "=" + graph_for(shape)["out_h1"].expr.excel()),
        "source": (origin or {}).get("source") or t("source.default"),
        "min_digits": str(min_digits),  # stated where the student reads it; checked from the metadata
    }
    # replace, not format: a teacher's source text may hold braces
    out = []
    for line in t.lines(f"instructions.{kind}"):
        for key, value in fields.items():
            line = line.replace("{" + key + "}", value)
        out.append(line)
    return out


def title(t: Text, kind: str, shape) -> str:
    return t(f"sheet.{kind}_title", network=network_words(t, shape))


def typed_formula(t: Text, formula: str) -> str:
    """A formula as a person types it in an office in this language: function names and the
    argument separator are translated (a Portuguese Calc or Excel takes MÁXIMO(0;x), and
    shows #NOME? for MAX(0,x)); the file stores it in English either way."""
    import re

    words = t.data["formula"]
    names = words["functions"]
    out = re.sub(r"\b([A-Z]+)\(", lambda m: names.get(m.group(1), m.group(1)) + "(", formula)
    return out.replace(",", words["separator"])
