"""A stand-in for LibreOffice's soffice: it records its arguments and writes a tiny PDF where
the real one would, so downloads, the command and the archive are tested without seconds of
conversion (tests/test_pdf.py converts for real)."""

from __future__ import annotations

from pathlib import Path

FAKE_PDF = b"%PDF-1.4\n% Styrkort test\n"

SCRIPT = """#!/bin/sh
echo "$@" >> {log}
{body}
"""
WRITES_PDF = """outdir=; prev=; src=
for arg in "$@"; do
  if [ "$prev" = "--outdir" ]; then outdir=$arg; fi
  prev=$arg; src=$arg
done
mkdir -p "$outdir"
printf '%%PDF-1.4\\n%% Styrkort test\\n' > "$outdir/$(basename "$src" .docx).pdf"
"""


def fake_soffice(folder: Path, body: str = WRITES_PDF) -> tuple[Path, Path]:
    """(the script, the log of its calls, one line each)."""
    log = folder / "soffice-calls.log"
    script = folder / "soffice"
    script.write_text(SCRIPT.format(log=log, body=body))
    script.chmod(0o755)
    return script, log


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []
