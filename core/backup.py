"""Backup and restore of the whole database (`make backup`, `make restore FILE=…`).

PostgreSQL: `pg_dump --format=custom` into var/backups/styrkort-<time>.dump. A restore replaces
the database with exactly what the dump holds, in ONE transaction: the public schema is
dropped and recreated and the dump's SQL is applied by psql with --single-transaction and
ON_ERROR_STOP, so a failed restore leaves the database as it was.

SQLite: a consistent copy through SQLite's online backup API (safe while the app runs), and
the same API copies a backup back over the database.

A backup is written to a temporary name and renamed when complete, so a half-written file
never looks like a backup, and it is readable by its owner only (it holds password hashes).
The PostgreSQL client programs must be the server's major version (15); PGBIN names their
directory (as in CI), else they are looked up on PATH.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

POSTGRES_ENGINES = {"django.db.backends.postgresql"}
SQLITE_ENGINES = {"django.db.backends.sqlite3"}

ERROR_UNSUPPORTED = "Säkerhetskopiering stöds bara för PostgreSQL och SQLite, inte {engine}."
ERROR_NO_PROGRAM = (
    "Hittar inte {program}. Installera PostgreSQL-klienten i samma huvudversion som servern "
    "eller ange katalogen med PGBIN=/usr/lib/postgresql/15/bin."
)
ERROR_PROGRAM_FAILED = "{program} misslyckades (kod {code}): {stderr}"
ERROR_NO_FILE = "Filen {file} finns inte."
ERROR_NOT_A_DUMP = "{file} är inte en säkerhetskopia från pg_dump: {stderr}"
ERROR_NOT_SQLITE = "{file} är inte en SQLite-databas."
ERROR_MEMORY_DB = "En SQLite-databas i minnet kan inte säkerhetskopieras."
ERROR_WRONG_KIND = (
    "{file} passar inte databasen: en {expected}-databas återställs från en {suffix}-fil."
)


class BackupError(Exception):
    """A backup or restore that could not be done; the message is for the operator."""


def default_directory() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "backups"


def _kind(settings_dict: Mapping[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if engine in POSTGRES_ENGINES:
        return "postgresql"
    if engine in SQLITE_ENGINES:
        return "sqlite"
    raise BackupError(ERROR_UNSUPPORTED.format(engine=engine))


def backup_database(settings_dict: Mapping[str, Any], directory: Path | None = None) -> Path:
    """Write a backup of the database into `directory`; return the file's path."""
    kind = _kind(settings_dict)
    directory = Path(directory or default_directory())
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    suffix = ".dump" if kind == "postgresql" else ".sqlite3"
    target = _free_name(directory, suffix)
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == "postgresql":
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                settings_dict,
            )
        else:
            _sqlite_copy(Path(_sqlite_path(settings_dict)), partial)
        partial.chmod(0o600)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore_database(settings_dict: Mapping[str, Any], file: Path) -> None:
    """Replace the database's whole content with the backup in `file`."""
    kind = _kind(settings_dict)
    file = Path(file)
    if not file.is_file():
        raise BackupError(ERROR_NO_FILE.format(file=file))
    if kind == "postgresql":
        if file.suffix == ".sqlite3":
            raise BackupError(
                ERROR_WRONG_KIND.format(file=file, expected="PostgreSQL", suffix=".dump")
            )
        _restore_postgresql(settings_dict, file)
    else:
        if file.suffix == ".dump":
            raise BackupError(
                ERROR_WRONG_KIND.format(file=file, expected="SQLite", suffix=".sqlite3")
            )
        _check_sqlite_file(file)
        _sqlite_copy(file, Path(_sqlite_path(settings_dict)))


def describe(settings_dict: Mapping[str, Any]) -> str:
    """The database in words, for confirmations: never includes the password."""
    if _kind(settings_dict) == "sqlite":
        return f"SQLite-databasen {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "lokalt"
    return f"PostgreSQL-databasen {settings_dict['NAME']} på {host}"


# --- PostgreSQL -------------------------------------------------------------------------------


def _program(name: str) -> str:
    pgbin = os.environ.get("PGBIN")
    if pgbin:
        candidate = Path(pgbin) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(ERROR_NO_PROGRAM.format(program=name))
    return found


def _libpq_env(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """Connection settings as libpq variables, so no password appears in a process list."""
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(
    program: str,
    args: list[str],
    settings_dict: Mapping[str, Any],
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> None:
    result = subprocess.run(
        [_program(program), *args],
        env=_libpq_env(settings_dict),
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            ERROR_PROGRAM_FAILED.format(
                program=program,
                code=result.returncode,
                stderr=result.stderr.decode(errors="replace").strip()[-2000:],
            )
        )


def _restore_postgresql(settings_dict: Mapping[str, Any], file: Path) -> None:
    # Read the archive's table of contents first: a damaged or foreign file stops here.
    listing = subprocess.run(
        [_program("pg_restore"), "--list", str(file)],
        env=_libpq_env(settings_dict),
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError(
            ERROR_NOT_A_DUMP.format(
                file=file, stderr=listing.stderr.decode(errors="replace").strip()[-2000:]
            )
        )
    # The dump as SQL in a private temporary file (not a pipe: psql must never commit a
    # script that pg_restore did not finish), then applied in one transaction.
    with tempfile.TemporaryFile(prefix="styrkort-restore-") as script:
        _run(
            "pg_restore",
            ["--no-owner", "--no-privileges", "--file=-", str(file)],
            settings_dict,
            stdout=script,
        )
        script.seek(0)
        _run(
            "psql",
            [
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                "--command=DROP SCHEMA IF EXISTS public CASCADE",
                "--command=CREATE SCHEMA public",
                "--file=-",
            ],
            settings_dict,
            stdin=script,
        )


# --- SQLite -------------------------------------------------------------------------------------


def _sqlite_path(settings_dict: Mapping[str, Any]) -> str:
    name = str(settings_dict["NAME"])
    if name in {"", ":memory:"} or name.startswith("file::memory:") or "mode=memory" in name:
        raise BackupError(ERROR_MEMORY_DB)
    return name


def _check_sqlite_file(file: Path) -> None:
    with file.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(ERROR_NOT_SQLITE.format(file=file))
    check = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        healthy = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        healthy = False
    finally:
        check.close()
    if not healthy:
        raise BackupError(ERROR_NOT_SQLITE.format(file=file))


def _sqlite_copy(source: Path, destination: Path) -> None:
    """Copy with the online backup API: consistent even while others write to the source."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _free_name(directory: Path, suffix: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    candidate = directory / f"styrkort-{stamp}{suffix}"
    counter = 1
    while candidate.exists() or candidate.with_name(candidate.name + ".partial").exists():
        candidate = directory / f"styrkort-{stamp}-{counter}{suffix}"
        counter += 1
    return candidate
