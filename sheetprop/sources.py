"""Where an exercise's givens come from: a seed, a named preset, or a teacher's own file."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path


from .graph import graph_for
from .network import MAX_LAYER_SIZE, Givens, GivensError, Shape
from .variants import draw

# Mazur's "A Step by Step Backpropagation Example": 2-2-2, one bias per layer, never updated.
MAZUR = {
    "layers": "2-2-2",
    "bias": "layer",
    "train_biases": False,
    "values": {
        "i_1": 0.05, "i_2": 0.10, "target_o1": 0.01, "target_o2": 0.99,
        "w_1": 0.15, "w_2": 0.20, "w_3": 0.25, "w_4": 0.30,
        "w_5": 0.40, "w_6": 0.45, "w_7": 0.50, "w_8": 0.55,
        "b_1": 0.35, "b_2": 0.60, "eta": 0.5,
    },
}
PRESETS = {"mazur": MAZUR}

# The keys of a givens file and of the metadata's description of an exercise. Workbooks
# made before activations and losses were chosen have none of the last three: defaults.
DESCRIPTION_KEYS = ("layers", "bias", "train_biases", "activation", "output", "loss", "values")

# A spreadsheet keeps 15 significant digits; more would not survive a save.
SIGNIFICANT_DIGITS = 15


def parse_layers(text) -> tuple[int, int, int]:
    if isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        parts = str(text).replace("x", "-").split("-")
    try:
        sizes = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        sizes = ()
    if len(sizes) != 3:
        raise GivensError(f"layers must be three sizes like 2-2-1 (inputs-hidden-outputs), got {text!r}")
    if not all(1 <= n <= MAX_LAYER_SIZE for n in sizes):
        raise GivensError(f"each layer size must be from 1 to {MAX_LAYER_SIZE}, got {text!r}")
    return sizes


def shape_from(layers="2-2-1", bias="neuron", train_biases=True, activation="sigmoid", output="sigmoid",
               loss="squared") -> Shape:
    if not isinstance(train_biases, bool):
        raise GivensError(f"train_biases must be true or false, got {train_biases!r}")
    for key, value in (("activation", activation), ("output", output), ("loss", loss)):
        if not isinstance(value, str):
            raise GivensError(f"{key} must be a name such as 'sigmoid', got {value!r}")
    return Shape(*parse_layers(layers), bias_mode=bias, train_biases=train_biases, activation=activation,
                 output=output, loss=loss)


def shape_of(desc: dict) -> Shape:
    """The network a description (a givens file, a workbook's metadata) names; defaults are Mazur's."""
    return shape_from(desc.get("layers", "2-2-1"), desc.get("bias", "neuron"), desc.get("train_biases", True),
                      desc.get("activation", "sigmoid"), desc.get("output", "sigmoid"), desc.get("loss", "squared"))


def from_seed(seed: int, shape: Shape = Shape(), rules: int | None = None) -> Givens:
    """The variant a seed draws; rules: the drawing rules' version a workbook recorded (default: today's)."""
    return draw(seed, shape) if rules is None else draw(seed, shape, rules=rules)


def from_description(desc: dict, origin: dict) -> Givens:
    """Givens from the plain description used by presets, givens files and workbook metadata."""
    if not isinstance(desc, dict):
        raise GivensError("the givens must be a table with layers, bias, train_biases and values")
    unknown = set(desc) - set(DESCRIPTION_KEYS) - set(CITATION_KEYS)
    if unknown:
        raise GivensError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; expected "
                          f"{', '.join(DESCRIPTION_KEYS)} (and optionally {', '.join(CITATION_KEYS)})")
    origin = {**origin, **_citation(desc)}
    shape = shape_of(desc)
    values = desc.get("values")
    if not isinstance(values, dict):
        raise GivensError("'values' must be a table of quantity ids to numbers, e.g. w_1 = 0.15")
    graph = graph_for(shape)
    need = set(graph.given_ids)
    missing = [q for q in graph.given_ids if q not in values]
    extra = sorted(set(values) - need)
    for name in extra:
        if not ID_SHAPE.fullmatch(str(name)):
            raise GivensError(_not_an_id(str(name), graph))
    if missing:
        raise GivensError(f"a {shape.label} net with bias mode '{shape.bias_mode}' needs a value for "
                          f"{', '.join(missing)}")
    if extra:
        raise GivensError(f"{', '.join(extra)} not part of a {shape.label} net with bias mode "
                          f"'{shape.bias_mode}' (its givens: {', '.join(graph.given_ids)})")
    clean = {}
    for qid in graph.given_ids:
        v = values[qid]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise GivensError(f"{qid} must be a finite number, got {v!r}")
        clean[qid] = float(f"{float(v):.{SIGNIFICANT_DIGITS}g}")
    return graph.givens_from_values(clean, origin)


# A teacher's file may say where its example comes from; shown in the workbook in place of Mazur.
CITATION_KEYS = ("title", "source")
MAX_CITATION = 200
# What an id looks like, whatever the net's size (README, "Quantity ids").
ID_SHAPE = re.compile(r"i_[0-9]+|target_o[0-9]+|w_[0-9]+|b_[0-9]+|eta")


def _citation(desc: dict) -> dict:
    out = {}
    for key in CITATION_KEYS:
        if key in desc:
            value = desc[key]
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_CITATION:
                raise GivensError(f"{key} must be text of 1 to {MAX_CITATION} characters, got {str(value)[:40]!r}")
            out[key] = " ".join(value.split())
    return out


def _not_an_id(name: str, graph) -> str:
    """A name from a textbook (w14, x1, lr) answered with the id table's pattern."""
    ids = graph.given_ids

    def family(prefix):
        members = [q for q in ids if q.startswith(prefix)]
        if len(members) <= 2:
            return ", ".join(members)
        return f"{members[0]} … {members[-1]}"

    low = name.lower()
    if low.startswith("w"):
        what = (f"weights are {family('w_')}, numbered each neuron's incoming weights in input order, "
                "hidden layer first")
    elif low.startswith("b") or low.startswith("θ") or low.startswith("theta"):
        what = f"biases are {family('b_')}, hidden layer first" if family("b_") else \
            "this net has no biases (bias = \"none\")"
    elif low.startswith(("target", "t", "y", "d")):
        what = f"targets are {family('target_o')}, one per output"
    elif low.startswith(("i", "x")):
        what = f"inputs are {family('i_')}"
    elif low in ("lr", "alpha", "η", "learning_rate", "rate", "mu"):
        what = "the learning rate is eta"
    else:
        what = f"the givens of a {graph.shape.label} net are {', '.join(ids)}"
    return f"{name} is not an id: {what}"


def describe(g: Givens) -> dict:
    """The inverse of from_description: what the metadata stores to rebuild an exercise."""
    s = g.shape
    return {
        "layers": s.label,
        "bias": s.bias_mode,
        "train_biases": s.train_biases,
        "activation": s.activation,
        "output": s.output,
        "loss": s.loss,
        "values": graph_for(s).given_values(g),
    }


def from_preset(name: str) -> Givens:
    if name not in PRESETS:
        raise GivensError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
    return from_description(PRESETS[name], {"preset": name})


def from_file(path: str | Path) -> Givens:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise GivensError(f"cannot read {path}: {e.strerror or e}") from None
    if len(raw) > 100_000:
        raise GivensError(f"{path} is too large for a givens file")
    try:
        text = raw.decode("utf-8")
        desc = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise GivensError(f"{path} is not valid {kind}: {e}") from None
    return from_description(desc, {"givens": path.name})
