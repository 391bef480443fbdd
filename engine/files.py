"""Writing outputs safely: one file or one folder at a time, all of it or nothing.

Every output is first written to a hidden scratch sibling of its target,
``.<name>.<kind>-<pid>-<hex>``, then renamed into place, so a killed run never leaves a
half-written target. Scratch names carry the writing process's id: a later run removes those
whose process is gone (``remove_stale``). Every failure to write (missing folder, read-only
file system, disk full, no permission) becomes an ``OutputError`` naming the path, and
``check_file_output`` finds most of them before any long work starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from engine.errors import OutputError

_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.ENAMETOOLONG: "the name is too long",
}


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """``exc`` (raised while writing ``path``) in a planner's words."""
    why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
    return OutputError(f"cannot write {path}: {why}")


def scratch_path(target: Path, kind: str) -> Path:
    """A new hidden sibling of ``target`` for this process: ``.<name>.<kind>-<pid>-<hex>``."""
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def stale_scratch(target: Path, kind: str) -> list[Path]:
    """Scratch siblings of ``target`` of ``kind`` left by processes that no longer run."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.{kind}-(\d+)-[0-9a-f]+$")
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    found = [(p, pattern.match(p.name)) for p in entries]
    return [p for p, m in found if m and int(m.group(1)) != os.getpid()
            and not _alive(int(m.group(1)))]


def remove_path(path: Path) -> None:
    """Remove a file or a folder tree; what cannot be removed stays (never raises)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def remove_stale(target: Path, kinds: Iterable[str] = ("tmp",)) -> None:
    """Remove the scratch siblings of ``target`` that killed runs left behind."""
    for kind in kinds:
        for path in stale_scratch(target, kind):
            remove_path(path)


def _refuse_inputs(target: Path, inputs: Iterable[str | Path], what: str) -> None:
    resolved = target.resolve()
    for given in inputs:
        if Path(given).resolve() == resolved:
            raise OutputError(f"{what} {target} is an input of this command; choose another file")


def probe_writable(folder: Path, label: str | Path) -> None:
    """Create and remove a scratch file in ``folder``; raise ``OutputError`` naming ``label``
    when that fails (missing folder, read-only, no permission, disk full)."""
    if not folder.is_dir():
        raise OutputError(f"cannot write {label}: folder {folder} does not exist")
    probe = scratch_path(folder / "probe", "tmp")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"quarterplan")
        finally:
            os.close(fd)
    except OSError as exc:
        raise output_error(label, exc) from None
    finally:
        remove_path(probe)


def check_file_output(path: str | Path, inputs: Iterable[str | Path] = (),
                      what: str = "output file") -> Path:
    """Check, before the long work, that one output file can be written at ``path``: its
    folder exists and takes a file, it is no folder and none of ``inputs``."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{what} {target} is a folder; give a file name")
    _refuse_inputs(target, inputs, what)
    probe_writable(target.parent, target)
    return target


def _write_bytes(tmp: Path, payload: bytes) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write(path: str | Path, data: str | bytes, make_parents: bool = False) -> Path:
    """Write ``data`` to ``path`` through a scratch file in the same folder and a rename.

    The folder must exist unless ``make_parents``. Raises ``OutputError`` naming ``path`` when
    it cannot be written; nothing is left behind then.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if make_parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        elif not target.parent.is_dir():
            raise OutputError(f"cannot write {target}: folder {target.parent} does not exist")
    except OSError as exc:
        raise output_error(target, exc) from None
    remove_stale(target)
    tmp = scratch_path(target, "tmp")
    try:
        _write_bytes(tmp, payload)
        os.replace(tmp, target)
    except OSError as exc:
        remove_path(tmp)
        raise output_error(target, exc) from None
    except BaseException:
        remove_path(tmp)
        raise
    return target
