#!/usr/bin/env bash
# Runs every acme route with curl against a running server, checks each
# status, and exits 1 if any is not the expected one.
#
#   cargo run --release -p acme &        # in another terminal
#   examples/acme/demo.sh [URL]          # default: $ACME_URL, else http://127.0.0.1:8080
#
# It adds products to stores 1 and 3: run it on a database you can spare.
set -uo pipefail

URL=${1:-${ACME_URL:-http://127.0.0.1:8080}}
URL=${URL%/}
CALVIN=calvin:hobbes-rules   # employee, manager of store 1
HOBBES=hobbes:tiger-power    # employee, manager of store 2
SUSIE=susie:derkins-123      # not an employee, manager of store 3
JSON="Content-Type: application/json"

body=$(mktemp)
headers=$(mktemp)
trap 'rm -f "$body" "$headers"' EXIT
failures=0
checks=0

# check EXPECTED REQUEST WHO CURL-ARGUMENTS...: one request, its status
# compared with EXPECTED; prints the status, the request, who sends it, and
# the beginning of the answer.
check() {
  local expected=$1 what status answer
  what=$(printf '%-26s %s' "$2" "$3")
  shift 3
  status=$(curl -sS -o "$body" -D "$headers" -w '%{http_code}' "$@") || true
  answer=$(head -c 120 "$body" | tr '\r\n' '  ')
  checks=$((checks + 1))
  if [ "$status" = "$expected" ]; then
    printf 'ok   %s  %-56s %s\n' "$status" "$what" "$answer"
  else
    printf 'FAIL %s  %-56s %s  (expected %s)\n' "$status" "$what" "$answer" "$expected"
    failures=$((failures + 1))
  fi
}

# header NAME: a header of the last answer
header() {
  tr -d '\r' < "$headers" | sed -n "s/^$1: //Ip" | head -n 1
}

echo "acme demo against $URL"
echo
echo "# GET /store: employees only"
check 200 "GET /store" "calvin (basic)" -u "$CALVIN" "$URL/store"
echo "     FSA-Request: $(header FSA-Request) | FSA-User: $(header FSA-User) | FSA-Delay: $(header FSA-Delay)"
check 200 "GET /store?pattern=%town" "hobbes" -u "$HOBBES" "$URL/store?pattern=%25town"
check 401 "GET /store" "no credentials" "$URL/store"
echo "     WWW-Authenticate: $(header WWW-Authenticate)"
check 401 "GET /store" "calvin, wrong password" -u calvin:tiger-power "$URL/store"
check 401 "GET /store" "unknown user" -u moe:hobbes-rules "$URL/store"
check 403 "GET /store" "susie, not an employee" -u "$SUSIE" "$URL/store"
check 400 "GET /store?colour=red" "unexpected parameter" -u "$CALVIN" "$URL/store?colour=red"

echo
echo "# POST /store/<sid>/product: managers of store sid"
check 201 "POST /store/1/product" "calvin, pen 3 (form)" -u "$CALVIN" -d product=pen -d quantity=3 "$URL/store/1/product"
check 201 "POST /store/1/product" "calvin, pen 0x11 (query)" -u "$CALVIN" -X POST "$URL/store/1/product?product=pen&quantity=0x11"
check 201 "POST /store/1/product" "calvin, ink 2 (JSON)" -u "$CALVIN" -H "$JSON" -d '{"product": "ink", "quantity": 2}' "$URL/store/1/product"
check 201 "POST /store/3/product" "susie, manager of 3, rope 1" -u "$SUSIE" -d product=rope -d quantity=1 "$URL/store/3/product"
check 401 "POST /store/1/product" "no credentials" -d product=pen -d quantity=1 "$URL/store/1/product"
check 403 "POST /store/1/product" "hobbes, not its manager" -u "$HOBBES" -d product=pen -d quantity=1 "$URL/store/1/product"
check 404 "POST /store/9/product" "no store 9" -u "$CALVIN" -d product=pen -d quantity=1 "$URL/store/9/product"
check 400 "POST /store/1/product" "no quantity" -u "$CALVIN" -d product=pen "$URL/store/1/product"
check 400 "POST /store/1/product" "quantity=ten" -u "$CALVIN" -d product=pen -d quantity=ten "$URL/store/1/product"
check 400 "POST /store/1/product" "JSON quantity \"17\"" -u "$CALVIN" -H "$JSON" -d '{"product": "pen", "quantity": "17"}' "$URL/store/1/product"
check 400 "POST /store/1/product" "unexpected colour" -u "$CALVIN" -d product=pen -d quantity=1 -d colour=red "$URL/store/1/product"
check 404 "POST /store/one/product" "sid not an integer" -u "$CALVIN" -d product=pen -d quantity=1 "$URL/store/one/product"

echo
echo "# GET /store/<sid>/product: managers of store sid"
check 200 "GET /store/1/product" "calvin" -u "$CALVIN" "$URL/store/1/product"
check 200 "GET /store/3/product" "susie" -u "$SUSIE" "$URL/store/3/product"
check 403 "GET /store/1/product" "hobbes, not its manager" -u "$HOBBES" "$URL/store/1/product"
check 404 "GET /store/9/product" "no store 9" -u "$CALVIN" "$URL/store/9/product"

echo
echo "# GET /login: a JWT for a password; then the token instead of the password"
check 200 "GET /login" "hobbes (basic)" -u "$HOBBES" "$URL/login"
TOKEN=$(tr -d '"' < "$body")
check 200 "GET /store/2/product" "hobbes (token)" -H "Authorization: Bearer $TOKEN" "$URL/store/2/product"
echo "     FSA-User: $(header FSA-User)"
check 201 "POST /store/2/product" "hobbes (token), tea 5 (JSON)" -H "Authorization: Bearer $TOKEN" -H "$JSON" -d '{"product": "tea", "quantity": 5}' "$URL/store/2/product"
check 200 "GET /store?pattern=Up%" "hobbes (token)" -H "Authorization: Bearer $TOKEN" "$URL/store?pattern=Up%25"
check 401 "GET /login" "token (a password is needed)" -H "Authorization: Bearer $TOKEN" "$URL/login"
SIGNATURE=${TOKEN##*.}
if [ "${SIGNATURE:0:1}" = A ]; then FIRST=B; else FIRST=A; fi
TAMPERED="${TOKEN%.*}.$FIRST${SIGNATURE:1}"
check 401 "GET /store" "tampered token" -H "Authorization: Bearer $TAMPERED" "$URL/store"
check 401 "GET /store" "not a token" -H "Authorization: Bearer hello" "$URL/store"
check 401 "GET /login" "no credentials" "$URL/login"

echo
if [ "$failures" -ne 0 ]; then
  echo "$failures of $checks checks FAILED"
  exit 1
fi
echo "all $checks checks passed"
