"""What a workbook carries about itself, so that it can be checked with no other input.

Stored as a custom document property (docProps/custom.xml): invisible on the sheet,
kept by Excel and by LibreOffice when they save (a test makes sure), and holding
no answer, only what is needed to rebuild the exercise.
"""

from __future__ import annotations

import json

from . import __version__

PROPERTY = "sheetprop"
FORMAT = 1


class MetadataError(ValueError):
    pass


# What the exercise asks of the student when the workbook does not say (made before it could).
DEFAULT_OPTIONS = {"min_digits": 3}


def encode(*, kind: str, description: dict, origin: dict, lang: str, sheet: str, cells: dict,
           student: dict | None = None, layout: str = "rows", options: dict | None = None) -> str:
    data = {
        "format": FORMAT,
        "sheetprop": __version__,
        "kind": kind,
        "origin": origin,
        "lang": lang,
        "exercise": description,
        "sheet": sheet,
        "cells": cells,
    }
    if student:
        data["student"] = student
    if layout != "rows":  # which drawing of the step; the cells above say where each quantity is
        data["layout"] = layout
    data["options"] = {**DEFAULT_OPTIONS, **(options or {})}
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def decode(raw: str) -> dict:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        raise MetadataError("its sheetprop metadata is damaged") from None
    if not isinstance(data, dict) or not isinstance(data.get("format"), int):
        raise MetadataError("its sheetprop metadata is damaged")
    if data["format"] > FORMAT:
        raise MetadataError(f"it was made by a newer sheetprop ({data.get('sheetprop')}); upgrade sheetprop")
    for key, kind in (("exercise", dict), ("cells", dict), ("sheet", str), ("origin", dict)):
        if not isinstance(data.get(key), kind):
            raise MetadataError("its sheetprop metadata is incomplete")
    return data


def min_digits(meta: dict) -> int:
    """The significant digits the exercise asked for, as its instructions stated them."""
    options = meta.get("options")
    n = options.get("min_digits") if isinstance(options, dict) else None
    return n if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 15 else DEFAULT_OPTIONS["min_digits"]
