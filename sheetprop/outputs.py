"""Writing a file for the teacher (feedback, gradebook) where a student's folder may hold anything.

Written beside the target under a private temporary name, then renamed onto it: a symlink
already at the target is replaced, never written through (it could point at another file),
and a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def replace_with(out: Path, write: Callable[[Path], None]) -> Path:
    """Call write(temporary path) and move the result onto out."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sheetprop-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; these files are to be shared
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
