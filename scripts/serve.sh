#!/usr/bin/env bash
# Production server (`make serve`): gunicorn with whitenoise's compressed, hashed static files.
# Settings come from the environment (README, "Drift"); DEBUG is always off here.
#   WORKERS  gunicorn worker processes (default: the number of CPUs)
#   BIND     address to listen on (default 127.0.0.1:8000, behind a TLS-terminating proxy)
#   TIMEOUT  seconds a request may take before gunicorn restarts its worker (default: the PDF
#            conversion's limit STYRKORT_PDF_TIMEOUT plus 30; gunicorn's own 30 s would kill a
#            worker in the middle of a PDF that LibreOffice is still allowed to convert)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}

fail() { echo "make serve: $*" >&2; exit 2; }

[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL saknas. Produktion kör på PostgreSQL, till exempel DATABASE_URL=postgres://styrkort:LÖSENORD@localhost:5432/styrkort (se README, Drift)."
[ -n "${SECRET_KEY:-}" ] || fail "SECRET_KEY saknas. Skapa en med: $PY -c 'import secrets; print(secrets.token_urlsafe(64))'"
[ -n "${ALLOWED_HOSTS:-}" ] || fail "ALLOWED_HOSTS saknas: ange tjänstens värdnamn, till exempel ALLOWED_HOSTS=styrkort.linkoping.se"

export DEBUG=false

# Warnings are shown; errors (a bad setting) stop the start.
"$PY" manage.py check --deploy
if ! out=$("$PY" manage.py migrate --check 2>&1); then
    if grep -q "Error" <<<"$out"; then
        tail -n 3 <<<"$out" >&2
        fail "kunde inte läsa databasen (se felet ovan). Kontrollera DATABASE_URL."
    fi
    fail "databasen har migreringar som inte körts. Ta en säkerhetskopia (make backup) och kör sedan: DEBUG=false $PY manage.py migrate"
fi
# Hashed and compressed (gzip, brotli) copies for whitenoise; takes a while for plotly.min.js.
"$PY" manage.py collectstatic --noinput --verbosity 0

exec "$GUNICORN" config.wsgi \
    --workers "${WORKERS:-$(nproc)}" \
    --bind "${BIND:-127.0.0.1:8000}" \
    --timeout "${TIMEOUT:-$((${STYRKORT_PDF_TIMEOUT:-120} + 30))}" \
    --access-logfile - \
    --error-logfile -
