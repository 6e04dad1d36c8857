"""The unchanged copy of a delivered file under ``data/raw/``: written safely, verified, never trusted by name.

A copy is written to a temporary name in the same folder (``.<final name>.tmp-<pid>``), hashed while it is
copied, compared with the sha256 the load computed, flushed to disk and only then renamed to its final name
``<sha256[:12]>_<file name>``. A copy that already exists is checked (size and sha256) before it is used, and
replaced when it differs: a copy cut short by a full disk is never trusted because of its name. Free space is
checked first (same rule as the database copy, :func:`etl.db.check_free_space`).

The caller removes the copy with :func:`remove` when the load fails and ``store`` reported that this load
created it. A process killed while copying leaves its temporary file; :func:`cleanup` removes those of dead
processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from etl.db import OnvoldoendeRuimte, check_free_space, fsync_path, is_disk_full, stale_pid

CHUNK = 1024 * 1024
_TMP = re.compile(r"\..+\.tmp-(\d+)")


class KopieMislukt(Exception):
    """The delivered file could not be copied faithfully (it changed while being copied). Dutch message."""


def raw_name(src: Path, digest: str) -> str:
    return f"{digest[:12]}_{src.name}"


def store(src: Path, digest: str, raw_dir: Path) -> tuple[Path, bool]:
    """Copy ``src`` (whose sha256 is ``digest``) into ``raw_dir``; return ``(path, created)``.

    ``created`` is True only when no file of that name existed before: then the copy belongs to this load and
    the caller removes it (:func:`remove`) if the load fails. A damaged copy that already existed is replaced
    and reported as not created, since an earlier load of the same content may refer to it.
    Raises :class:`~etl.db.OnvoldoendeRuimte` when the disk is too full (before copying, or when it fills
    up during the copy) and :class:`KopieMislukt` when the file changed while it was copied; in both cases
    no file is left behind.
    """
    src, raw_dir = Path(src), Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    final = raw_dir / raw_name(src, digest)
    existed = final.exists()
    if existed and verify(final, digest, src.stat().st_size):
        return final, False
    check_free_space(raw_dir, src.stat().st_size)
    tmp = raw_dir / f".{final.name}.tmp-{os.getpid()}"
    try:
        _copy_hashed(src, tmp, digest)
        os.replace(tmp, final)
        fsync_path(raw_dir)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(exc, OSError) and is_disk_full(exc):
            raise OnvoldoendeRuimte(raw_dir) from exc
        raise
    return final, not existed


def _copy_hashed(src: Path, tmp: Path, digest: str) -> None:
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(tmp, "xb") as fout:
        while chunk := fin.read(CHUNK):
            h.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    if h.hexdigest() != digest:
        raise KopieMislukt(
            f"{src.name}: het bestand is veranderd tijdens het kopiëren naar {tmp.parent}; er is niets "
            "gewijzigd. Laad het opnieuw wanneer de aanlevering compleet is."
        )


def verify(path: Path, digest: str, size: int | None = None) -> bool:
    """Whether ``path`` holds exactly the content with sha256 ``digest`` (and ``size`` bytes, checked first)."""
    try:
        if size is not None and path.stat().st_size != size:
            return False
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
    except FileNotFoundError:
        return False
    return h.hexdigest() == digest


def remove(path: Path) -> None:
    """Remove a copy made by :func:`store` (a failed load); no error when it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()


def cleanup(raw_dir: Path) -> list[Path]:
    """Remove the temporary files of dead processes (``.<name>.tmp-<pid>``) from ``raw_dir``; return them."""
    removed: list[Path] = []
    try:
        entries = sorted(Path(raw_dir).iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        m = _TMP.fullmatch(entry.name)
        if m and entry.is_file() and stale_pid(int(m.group(1))):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed.append(entry)
    return removed
