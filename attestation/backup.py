"""A consistent backup of everything an exam leaves behind, and its restore.

One ``.tar`` archive holds:

- ``manifest.json`` — engine, date, Django app version of the schema (the latest migrations);
- ``database.dump`` — PostgreSQL: ``pg_dump -Fc`` (one snapshot transaction, so consistent while
  the application runs), or ``database.sqlite3`` — SQLite: the ``sqlite3`` online backup API
  (a consistent page-by-page copy while others write);
- ``media.tar`` — ``MEDIA_ROOT/private`` (tickets' and answers' files), when they are on this
  machine's disk; with S3-compatible storage the bucket keeps them (turn on its versioning).

Usage::

    python manage.py backup /var/backups/attestation-$(date +%F-%H%M).tar
    python manage.py restore /var/backups/attestation-2026-12-01-1000.tar --yes

Restore replaces the database's content and the private files with the archive's. PostgreSQL
needs ``pg_dump``/``pg_restore`` of the server's major version on the PATH.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar"


class BackupError(Exception):
    pass


def _private_root() -> Path | None:
    from attestation.files import private_root

    return private_root()


def _pg_env_and_args(alias):
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    args = []
    if conf.get("HOST"):
        args += ["-h", conf["HOST"]]
    if conf.get("PORT"):
        args += ["-p", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["-U", conf["USER"]]
    return env, args, conf["NAME"]


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _sqlite_path(alias) -> str:
    return str(connections[alias].settings_dict["NAME"])


def backup(target: str | os.PathLike, alias: str = "default") -> Path:
    """Write the archive to ``target`` (written to a temporary name first, then renamed)."""
    target = Path(target)
    vendor = connections[alias].vendor
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if vendor == "postgresql":
            env, args, name = _pg_env_and_args(alias)
            db_file = tmp / PG_DUMP
            _run(["pg_dump", "-Fc", "--no-owner", "-f", str(db_file), *args, name], env)
        elif vendor == "sqlite":
            db_file = tmp / SQLITE_COPY
            source = sqlite3.connect(_sqlite_path(alias))
            dest = sqlite3.connect(db_file)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        else:
            raise BackupError(f"No backup method for the {vendor} database.")
        media_file = tmp / MEDIA
        root = _private_root()
        with tarfile.open(media_file, "w") as media:
            if root is not None and root.exists():
                media.add(root, arcname="private")
        manifest = {
            "engine": vendor,
            "created_at": timezone.now().isoformat(),
            "database": db_file.name,
            # With object storage the bucket keeps the files (enable its versioning); not in here.
            "files": "archive" if root is not None else "object storage",
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(db_file, arcname=db_file.name)
            archive.add(media_file, arcname=MEDIA)
        partial.replace(target)
    return target


def _safe_extract(archive: tarfile.TarFile, destination: Path) -> None:
    archive.extractall(destination, filter="data")


def restore(source: str | os.PathLike, alias: str = "default") -> dict:
    """Replace the database and the private files with the archive's content."""
    vendor = connections[alias].vendor
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with tarfile.open(source, "r") as archive:
            _safe_extract(archive, tmp)
        manifest = json.loads((tmp / MANIFEST).read_text())
        if manifest["engine"] != vendor:
            raise BackupError(f"The archive holds a {manifest['engine']} database, this is {vendor}.")
        connections[alias].close()
        if vendor == "postgresql":
            env, args, name = _pg_env_and_args(alias)
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "-d", name, *args, str(tmp / PG_DUMP)],
                env,
            )  # fmt: skip
        else:
            source_db = sqlite3.connect(tmp / SQLITE_COPY)
            dest = sqlite3.connect(_sqlite_path(alias))
            try:
                source_db.backup(dest)
            finally:
                dest.close()
                source_db.close()
        media_dir = tmp / "media"
        media_dir.mkdir()
        with tarfile.open(tmp / MEDIA, "r") as media:
            _safe_extract(media, media_dir)
        private = _private_root()
        if private is None:
            return manifest  # object storage: the files never left the bucket
        if private.exists():
            shutil.rmtree(private)
        if (media_dir / "private").exists():
            private.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media_dir / "private", private)
    return manifest
