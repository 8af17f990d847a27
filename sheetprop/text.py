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
    from .values import escape

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
