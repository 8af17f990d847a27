"""Where everything goes on Tom Yeh's "AI by Hand" sheet: one training step as a staircase of matrices.

The forward pass runs down and to the right. Each layer's [W | b] grid sits on the left of
its rows; the vector it multiplies (the inputs, then the hidden outputs, each with a 1
appended for the bias) stands above the result column, so every net input sits at the
intersection of its weight row and its input column; the activation is marked between
the net and the out column.

The backward pass runs back up and to the left: in each layer's rows, δ = ∂E/∂out · ∂out/∂net;
the hidden ∂E/∂out is the output δ row (above) against the output weights transposed (Wᵀ, a
copy); each gradient grid ∂E/∂W = δ · [input; 1]ᵀ is an outer product beside the weights it
updates (δ on its left, the input vector laid on its side above it), and the new weights
W⁺ = W − η·∂E/∂W form a grid of the same shape further left.

Every quantity of the graph has exactly one cell here (its defined name is its id, so
checking, feedback and the class tools read this sheet as they read the row layout);
the other cells are copies (mirrors) that put a number where the eye needs it, labels,
and the constant 1s of the bias. Nothing here knows openpyxl: write_byhand.py draws it.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from . import keys
from .graph import Graph, b_hidden_key, b_out_key, input_id, target_id, w_hidden_key, w_out_key
from .keys import Key

LAYOUT = "byhand"
# Column widths, in characters: numbers in General format need about 10.
WIDTH = 9.5
LABEL_WIDTH = 16
GAP_WIDTH = 1.5


class Label(NamedTuple):
    row: int
    col: int
    key: str  # a key under [byhand] in the templates, or "=literal" for text shown as is
    style: str = "label"  # label, band, layer, marker, rowlabel, aside
    span: int = 1  # columns it covers (a band's title spans its band)


class Mirror(NamedTuple):
    """A copy of another cell (or the constant 1 of a bias), shown where a product needs it."""

    row: int
    col: int
    source: str | None  # the quantity id copied; None for the constant 1


class _Layer(NamedTuple):
    rows: list  # one per neuron
    above: int  # the row just above them, where the input vector lies on its side
    inputs: list  # the ids this layer multiplies by its weights (before the 1 of the bias)
    w_col: int  # where its [W | b] grid starts
    weight: Callable[[int, int], Key]  # (neuron, input) -> the weight's key
    bias: Callable[[int], Key]  # stored bias number -> its key
    biases: int  # how many bias numbers the layer has


class Sheet(NamedTuple):
    sheet: str
    cell_of: dict  # quantity id -> "C12"
    place: dict  # quantity id -> (row, col)
    mirrors: tuple[Mirror, ...]
    labels: tuple[Label, ...]
    title_row: int
    variant_row: int
    instruction_rows: tuple[int, ...]
    widths: dict  # column number -> width
    last_row: int
    last_col: int

    def address(self, qid: str) -> str:
        row, col = self.place[qid]
        return f"'{self.sheet}'!${column_letter(col)}${row}"


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def coord(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def lay_out(graph: Graph, instruction_lines: int, sheet_name: str) -> Sheet:
    s = graph.shape
    n, h, o = s.n_in, s.n_hidden, s.n_out
    one = 1 if s.has_biases else 0  # the appended 1 and the bias column
    nb_h, nb_o = s.bias_counts()
    present = set(graph.ids)

    # --- columns, left to right --------------------------------------------------
    grid = max(n, h) + one  # the widest [W | b] grid
    label_col = 1
    new_col = 2  # W⁺ grids
    wt_col = new_col + grid + 1  # the output weights transposed (hidden rows)
    dout_col, dnet_col, delta_col = wt_col + o, wt_col + o + 1, wt_col + o + 2
    grad_col = delta_col + 1  # ∂E/∂W grids, δ on their left
    # The forward staircase: W1 ends just left of the input column x, W2 just left of out_h.
    x = grad_col + grid + 1 + max(n + one, h + one - 1)
    w1_col = x - (n + one)
    w2_col = x + 1 - (h + one)
    net_h, out_h = x, x + 1
    net_o, out_o = x + 1, x + 2
    target_col, error_col = x + 3, x + 4
    gaps = {new_col + grid, grad_col + grid} | set(range(grad_col + grid, min(w1_col, w2_col)))

    # --- rows, top to bottom ------------------------------------------------------
    title_row, variant_row = 1, 2
    instruction_rows = tuple(range(3, 3 + instruction_lines))
    eta_row = 3 + instruction_lines + 1
    band_row = eta_row + 2
    hidden_title = band_row + 1
    x_rows = list(range(hidden_title + 1, hidden_title + 1 + n + one))
    above_hidden = x_rows[-1]  # the row just above the hidden layer: vectors laid on their side
    h_rows = list(range(above_hidden + 1, above_hidden + 1 + h))
    above_output = h_rows[-1] + 1  # holds the 1 under out_h
    o_rows = list(range(above_output + 1, above_output + 1 + o))
    total_row = o_rows[-1] + 1

    place: dict[str, tuple[int, int]] = {}
    mirrors: list[Mirror] = []
    labels: list[Label] = []

    def put(key: Key, row: int, col: int):
        if key.id in present:
            place[key.id] = (row, col)

    def neuron(kind: str, name: str) -> Key:
        return keys.of_neuron(kind, name)

    hidden = [f"h{j + 1}" for j in range(h)]
    outputs = [f"o{k + 1}" for k in range(o)]

    # Givens and the forward pass
    place["eta"] = (eta_row, new_col + 1)
    labels.append(Label(eta_row, new_col, "eta"))
    for i in range(n):
        place[input_id(i)] = (x_rows[i], x)
    if one:
        mirrors.append(Mirror(x_rows[-1], x, None))
        mirrors.append(Mirror(above_output, out_h, None))
    # Each layer: its rows, the row above them, what it reads, where its [W | b] grid starts.
    layers = (
        _Layer(h_rows, above_hidden, [input_id(i) for i in range(n)], w1_col,
               lambda j, i: w_hidden_key(s, j, i), lambda j: b_hidden_key(s, j), nb_h),
        _Layer(o_rows, above_output, [neuron("out", name).id for name in hidden], w2_col,
               lambda k, j: w_out_key(s, k, j), lambda k: b_out_key(s, k), nb_o),
    )
    for layer in layers:
        for r, row in enumerate(layer.rows):
            for i in range(len(layer.inputs)):
                put(layer.weight(r, i), row, layer.w_col + i)
            if layer.biases:
                b = layer.bias(r if layer.biases > 1 else 0)
                if r == 0 or layer.biases > 1:
                    put(b, row, layer.w_col + len(layer.inputs))
                else:  # one bias shared by the layer: the same number in every row of the grid
                    mirrors.append(Mirror(row, layer.w_col + len(layer.inputs), b.id))
    for j, name in enumerate(hidden):
        put(neuron("net", name), h_rows[j], net_h)
        put(neuron("out", name), h_rows[j], out_h)
    for k, name in enumerate(outputs):
        put(neuron("net", name), o_rows[k], net_o)
        put(neuron("out", name), o_rows[k], out_o)
        place[target_id(k)] = (o_rows[k], target_col)
        put(neuron("E", name), o_rows[k], error_col)
    put(keys.E_TOTAL, total_row, error_col)

    # The backward pass: the chain rule per neuron, in its own row
    for rows, names in ((h_rows, hidden), (o_rows, outputs)):
        for row, name in zip(rows, names):
            put(neuron("dE_dout", name), row, dout_col)
            put(neuron("dout_dnet", name), row, dnet_col)
            put(neuron("delta", name), row, delta_col)
            if neuron("dout_dnet", name).id not in present:  # a softmax: its Jacobian is inside δ
                labels.append(Label(row, dnet_col, "inside_delta", "aside"))
    # The output deltas, laid on their side above the transposed output weights
    for k, name in enumerate(outputs):
        mirrors.append(Mirror(above_hidden, wt_col + k, neuron("delta", name).id))
        for j in range(h):
            mirrors.append(Mirror(h_rows[j], wt_col + k, w_out_key(s, k, j).id))

    # Gradients (outer products) and updates, in the rows of the weights they belong to
    for layer in layers:
        width = len(layer.inputs)
        for i, source in enumerate(layer.inputs):
            mirrors.append(Mirror(layer.above, grad_col + i, source))
        if one:
            mirrors.append(Mirror(layer.above, grad_col + width, None))
        for r, row in enumerate(layer.rows):
            for i in range(width):
                w = layer.weight(r, i)
                put(keys.grad(w), row, grad_col + i)
                put(keys.new(w), row, new_col + i)
            if layer.biases and (layer.biases > 1 or r == 0):  # a shared bias: one gradient, one update
                b = layer.bias(r if layer.biases > 1 else 0)
                put(keys.grad(b), row, grad_col + width)
                put(keys.new(b), row, new_col + width)

    # Labels: the bands, the layers, the activations, the chain rule's columns
    forward_col = min(w1_col, w2_col)
    # The update and gradient bands take in the gap column after their grids: room for the title.
    labels += [Label(band_row, new_col, "band_update", "band", grid + 1),
               Label(band_row, wt_col, "band_backward", "band", delta_col - wt_col + 1),
               Label(band_row, grad_col, "band_gradients", "band", grid + 1),
               Label(band_row, forward_col, "band_forward", "band", error_col - forward_col + 1)]
    labels.append(Label(hidden_title, label_col, "layer_hidden", "layer"))
    labels.append(Label(hidden_title, x, "input_vector" if one else "input_vector_plain"))
    for i in range(n):  # the inputs are named just left of their column
        labels.append(Label(x_rows[i], x - 1, "=" + keys.inp(i + 1).symbol, "rowlabel"))
    for j, name in enumerate(hidden):
        labels.append(Label(h_rows[j], label_col, f"={name}"))
    for k, name in enumerate(outputs):
        labels.append(Label(o_rows[k], label_col, f"={name}"))
    labels.append(Label(above_hidden, out_h, f"act.{s.activation}", "marker"))
    labels.append(Label(above_output, out_o, f"act.{s.output}", "marker"))
    labels += [Label(above_output, target_col, "target"), Label(above_output, error_col, "error"),
               Label(total_row, target_col, "error_total")]
    for row in (above_hidden, above_output):
        labels += [Label(row, dout_col, "dE_dout"), Label(row, dnet_col, "dout_dnet"), Label(row, delta_col, "delta")]
    labels += [Label(hidden_title, new_col, "new_hidden"), Label(hidden_title, grad_col, "grad_hidden"),
               Label(hidden_title, w1_col, "weights_hidden"), Label(hidden_title, wt_col, "transposed")]
    labels += [Label(above_output, new_col, "new_output"), Label(above_output, label_col, "layer_output", "layer")]
    # The output weights' own title goes above their grid, where the hidden rows leave room.
    labels.append(Label(above_output, w2_col, "weights_output"))

    last_col = error_col
    widths = {label_col: LABEL_WIDTH}
    for col in range(2, last_col + 1):
        widths[col] = GAP_WIDTH if col in gaps else WIDTH
    cell_of = {qid: coord(*rc) for qid, rc in place.items()}
    missing = set(graph.ids) - set(cell_of)
    if missing:  # every quantity must have its cell, or check could not find it
        raise AssertionError(f"no place on the by-hand sheet for {sorted(missing)}")
    return Sheet(sheet_name, cell_of, place, tuple(mirrors), tuple(labels), title_row, variant_row,
                 instruction_rows, widths, total_row, last_col)

