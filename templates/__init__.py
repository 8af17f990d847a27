# The text a teacher edits lives in the .toml files beside this one; this file only
# lets the folder be installed with the package and found with importlib.resources.
