"""A student's own MLP for XOR in plain Python, hand-written derivatives, writing the trace the
README documents (its last lines are the README's template). `mistake` plants one of the
common mistakes, as a student's program would make it."""

import math
import random


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def train(path, eta=3.0, epochs=500, seed=42, mistake=None, start=None, online=False):
    """online: one update per pattern (per-pattern SGD) instead of one per epoch."""
    rng = random.Random(seed)
    X = [(0, 0), (0, 1), (1, 0), (1, 1)]
    T = [0, 1, 1, 0]
    # w[0..3]: i1->h1, i2->h1, i1->h2, i2->h2; w[4], w[5]: h1->o, h2->o; b[0], b[1] hidden, b[2] output
    w = start[:6] if start else [rng.uniform(-1, 1) for _ in range(6)]
    b = start[6:] if start else [rng.uniform(-1, 1) for _ in range(3)]

    def params():
        return [repr(x) for x in w + b]

    def train_one_epoch():
        gw, gb, loss = [0.0] * 6, [0.0] * 3, 0.0
        for (x1, x2), t in zip(X, T):
            h1 = sigmoid(w[0] * x1 + w[1] * x2 + b[0])
            h2 = sigmoid(w[2] * x1 + w[3] * x2 + b[1])
            o = sigmoid(w[4] * h1 + w[5] * h2 + b[2])
            loss += 0.5 * (t - o) ** 2
            d_o = (o - t) if mistake == "M1" else (o - t) * o * (1 - o)
            d_h1 = d_o * w[4] * (1 if mistake == "M2" else h1 * (1 - h1))
            d_h2 = d_o * w[5] * (1 if mistake == "M2" else h2 * (1 - h2))
            for k, g in enumerate((d_h1 * x1, d_h1 * x2, d_h2 * x1, d_h2 * x2, d_o * h1, d_o * h2)):
                gw[k] += g
            for k, g in enumerate((d_h1, d_h2, d_o)):
                gb[k] += g
            if online:
                update(gw, gb)
                gw, gb = [0.0] * 6, [0.0] * 3
        if not online:
            update(gw, gb)
        return loss

    def update(gw, gb):
        sign = -1 if mistake == "M6" else 1
        for k in range(6):
            w[k] -= sign * eta * gw[k]
        for k in range(3):
            b[k] -= sign * eta * gb[k]

    # --- the README's template: the lines that write the trace ---
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(f"# sheetprop xor trace: layers=2-2-1 activation=sigmoid output=sigmoid loss=squared eta={eta}"
                + (" optimizer=sgd" if online else "") + "\n")
        out = csv.writer(f)
        out.writerow(["epoch", "loss", "w_1", "w_2", "w_3", "w_4", "w_5", "w_6", "b_1", "b_2", "b_3"])
        out.writerow([0, ""] + params())            # the initial parameters
        for epoch in range(1, epochs + 1):
            loss = train_one_epoch()                 # E over the 4 patterns at the epoch's start, then the update
            out.writerow([epoch, repr(loss)] + params())
    return path
