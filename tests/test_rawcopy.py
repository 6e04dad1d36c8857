"""etl.rawcopy: the unchanged copy of a delivery under data/raw is written safely and never trusted by name."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl import rawcopy
from etl.db import OnvoldoendeRuimte


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "levering" / "corporatie 2024.csv"
    path.parent.mkdir()
    path.write_bytes(b"bron;gebied_code;periode;variabele;waarde\n" + b"x;BU09990101;2024;v;1\n" * 50_000)
    return path


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    return tmp_path / "raw"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_store_writes_a_verified_copy_under_its_digest_name(src: Path, raw_dir: Path) -> None:
    digest = _digest(src)
    path, created = rawcopy.store(src, digest, raw_dir)
    assert created
    assert path == raw_dir / f"{digest[:12]}_corporatie 2024.csv"
    assert path.read_bytes() == src.read_bytes()
    assert _listing(raw_dir) == [path.name]  # no temporary file left


def test_an_intact_existing_copy_is_reused(src: Path, raw_dir: Path) -> None:
    digest = _digest(src)
    path, _ = rawcopy.store(src, digest, raw_dir)
    inode = path.stat().st_ino
    again, created = rawcopy.store(src, digest, raw_dir)
    assert (again, created) == (path, False)
    assert path.stat().st_ino == inode  # not rewritten


@pytest.mark.parametrize("damage", ["truncated", "same_size"])
def test_a_damaged_existing_copy_is_replaced(src: Path, raw_dir: Path, damage: str) -> None:
    digest = _digest(src)
    path, _ = rawcopy.store(src, digest, raw_dir)
    data = src.read_bytes()
    if damage == "truncated":  # what a full disk leaves
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(data[:-2] + b"9\n")
    again, created = rawcopy.store(src, digest, raw_dir)
    assert again == path
    assert not created  # an earlier load of the same content may refer to it: keep it when this load fails
    assert path.read_bytes() == data
    assert _listing(raw_dir) == [path.name]


def test_a_file_that_changed_while_copied_is_refused_in_dutch(src: Path, raw_dir: Path) -> None:
    digest = _digest(src)
    src.write_bytes(src.read_bytes() + b"x;BU09990102;2024;v;2\n")  # the partner was still writing it
    with pytest.raises(rawcopy.KopieMislukt) as info:
        rawcopy.store(src, digest, raw_dir)
    assert str(info.value).startswith("corporatie 2024.csv: het bestand is veranderd tijdens het kopiëren")
    assert "er is niets gewijzigd" in str(info.value)
    assert _listing(raw_dir) == []


def test_not_enough_space_is_refused_before_copying(
    src: Path, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir.mkdir()
    usage = shutil.disk_usage(raw_dir)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage._replace(free=10 * 1024 * 1024))
    with pytest.raises(OnvoldoendeRuimte) as info:
        rawcopy.store(src, _digest(src), raw_dir)
    assert str(info.value).startswith(
        f"Onvoldoende schijfruimte in {raw_dir}: nodig ongeveer 66 MB, vrij 10 MB"
    )
    assert _listing(raw_dir) == []


@pytest.mark.parametrize(
    "failure",
    [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
    ids=["enospc", "ctrl-c"],
)
def test_a_copy_interrupted_halfway_leaves_no_file(
    src: Path, raw_dir: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    monkeypatch.setattr(rawcopy, "CHUNK", 64 * 1024)
    written = []

    def fsync(fd: int) -> None:  # called once the data is written: the disk fills up / Ctrl-C right then
        written.append(_listing(raw_dir))
        raise failure

    monkeypatch.setattr(os, "fsync", fsync)
    expected = OnvoldoendeRuimte if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        rawcopy.store(src, _digest(src), raw_dir)
    assert written == [[f".{_digest(src)[:12]}_corporatie 2024.csv.tmp-{os.getpid()}"]]  # it was there
    assert _listing(raw_dir) == []


def test_remove_and_remove_again(src: Path, raw_dir: Path) -> None:
    path, created = rawcopy.store(src, _digest(src), raw_dir)
    assert created
    rawcopy.remove(path)
    rawcopy.remove(path)  # already gone: no error
    assert _listing(raw_dir) == []


def test_cleanup_removes_temporary_files_of_dead_processes_only(raw_dir: Path) -> None:
    raw_dir.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = [raw_dir / f".abc_x.csv.tmp-{proc.pid}", raw_dir / f".abc_y.csv.tmp-{os.getpid()}"]
        alive = raw_dir / f".abc_z.csv.tmp-{sleeper.pid}"
        final = raw_dir / "0123456789ab_x.csv"
        for p in [*dead, alive, final]:
            p.write_bytes(b"1")
        assert rawcopy.cleanup(raw_dir) == sorted(dead)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert _listing(raw_dir) == sorted([alive.name, final.name])
    assert rawcopy.cleanup(raw_dir) == [alive]  # its process has died now
    assert rawcopy.cleanup(raw_dir / "bestaat-niet") == []
