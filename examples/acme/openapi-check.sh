#!/usr/bin/env bash
# Checks acme's and the tutorial's OpenAPI documents with tools nobody here
# wrote, installed from PyPI into a virtual environment (versions pinned):
#   - openapi-spec-validator validates both documents (OpenAPI 3.1);
#   - schemathesis runs against a live acme (a new database, loopback only,
#     calvin's credentials, a bounded number of examples, a fixed seed) and
#     must find no 5xx, no undocumented status code, no answer that
#     contradicts the documented schema, no valid request refused.
# Needs Python 3 (python3-venv installed from Debian's packages when
# missing); stops only the acme it started.
#
#   bash examples/acme/openapi-check.sh        # EXAMPLES=100 by default
set -euo pipefail
cd "$(dirname "$0")/../.."

EXAMPLES=${EXAMPLES:-100}
VENV=${OPENAPI_VENV:-target/openapi-venv}
source examples/servers.sh

if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "== installing openapi-spec-validator and schemathesis (PyPI) into $VENV"
  python3 -c 'import ensurepip' 2>/dev/null || install_package python3-venv
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    openapi-spec-validator==0.9.0 schemathesis==4.32.5
fi

echo "== building acme and the tutorial"
cargo build -q -p acme -p tutorial

echo "== the tutorial's document"
target/debug/tutorial 6 --openapi >"$work/tutorial.json"
"$VENV/bin/openapi-spec-validator" "$work/tutorial.json"

SECRET="openapi check secret, a long random string!"
serve acme env ACME_SECRET="$SECRET" ACME_DB="$work/acme.db" ACME_BIND=127.0.0.1:0 RUST_LOG=warn \
  target/debug/acme
echo "== acme's document, from $url/openapi.json (authz AUTH: calvin)"
curl -sS --fail -u calvin:hobbes-rules "$url/openapi.json" >"$work/acme.json"
"$VENV/bin/openapi-spec-validator" "$work/acme.json"

echo "== schemathesis against acme, $EXAMPLES examples per operation"
# run from the temporary folder: schemathesis writes its cache there
venv=$(cd "$VENV" && pwd)
cd "$work"
"$venv/bin/schemathesis" run "$work/acme.json" --url "$url" \
  -H "Authorization: Basic $(printf calvin:hobbes-rules | base64)" \
  --max-examples "$EXAMPLES" --seed 20261201 --checks all --no-color
echo "openapi check passed"
