"""sheetprop: one training step of a tiny neural network as a spreadsheet exercise, graded."""

__version__ = "0.1.0"
