#!/bin/bash
# bench/api-list.sh: list, sort and search N packages (default 100,000)
# through the REST API (/api/v1/packages) of a dadgate on loopback, and print
# the server time per request (curl's first byte minus request sent, one
# kept-alive connection, median of REPEAT) and the catalog queries per page
# (the X-Catalog-Queries header: those of the list itself; authenticating a
# bearer token adds two). Not a test: run it by hand, copy the table into
# docs/benchmarks.md.
#   bench/api-list.sh [N]        (DAD_BUILD_DIR, REPEAT=20, KEEP=1 to keep the data)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${DAD_BUILD_DIR:-$REPO/build}
N=${1:-100000}
REPEAT=${REPEAT:-20}
DATA=$(mktemp -d /tmp/dadgate-api-bench.XXXXXX)
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID"; wait "$PID" 2>/dev/null || true
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$DATA"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DEFINES=(--define "data.dir=$DATA/data" --define "policy.dir=$DATA/policies"
         --define "plugins.dir=$BUILD/lib/dadgate/plugins" --define sftp.port=0
         --define ftp.port=0 --define ftps.port=0 --define http.port=0
         --define https.address=127.0.0.1 --define "https.port=$PORT")
CONFIG=(--config "$REPO/packaging/dadgate.properties")
mkdir -p "$DATA/policies"
echo "bench-pw-1" | "$BUILD/dadctl" "${CONFIG[@]}" "${DEFINES[@]}" user add alice >/dev/null
echo "bench-pw-1" | "$BUILD/dadctl" "${CONFIG[@]}" "${DEFINES[@]}" user add bob >/dev/null
TOKEN=$("$BUILD/dadctl" "${CONFIG[@]}" "${DEFINES[@]}" token create bench --user alice 2>/dev/null)

# N sent packages of alice to bob, each with one file, straight into the catalog.
python3 - "$DATA/data/catalog.db" "$N" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
alice = db.execute("SELECT id FROM account WHERE name = 'alice'").fetchone()[0]
bob = db.execute("SELECT id FROM account WHERE name = 'bob'").fetchone()[0]
words = ["report", "invoice", "photos", "contract", "draft", "plans", "budget", "minutes"]
random.seed(1)
with db:
    for i in range(n):
        t = 1700000000 + i * 30
        w = random.choice(words)
        root = db.execute("INSERT INTO node (parent_id, name, is_dir, mtime, owner_id) "
                          "VALUES (NULL, ?, 1, ?, ?)", ("package:b%d" % i, t, alice)).lastrowid
        db.execute("UPDATE node SET root_id = id WHERE id = ?", (root,))
        db.execute("INSERT INTO node (parent_id, root_id, name, is_dir, size, mtime, owner_id) "
                   "VALUES (?, ?, ?, 0, 10, ?, ?)", (root, root, "%s-%d.pdf" % (w, i), t, alice))
        pid = db.execute("INSERT INTO package (pid, token, sender_id, name, state, root_node, "
                         "message, notify, sent_name, created, sent_at) VALUES "
                         "(?, ?, ?, ?, 'sent', ?, ?, '', ?, ?, ?)",
                         ("bench-%08d" % i, "t%d" % i, alice, "%s %d" % (w, i), root,
                          "about the %s of week %d" % (w, i % 52), "%s %d" % (w, i), t, t)).lastrowid
        db.execute("INSERT INTO recipient (package_id, address, account_id, kind, inbox_name) "
                   "VALUES (?, 'bob', ?, 'to', ?)", (pid, bob, "%s %d" % (w, i)))
PY
"$BUILD/dadgate" "${CONFIG[@]}" "${DEFINES[@]}" >"$DATA/dadgate.out" 2>"$DATA/dadgate.log" &
PID=$!
for _ in $(seq 1 300); do grep -q "dadgate: ready" "$DATA/dadgate.out" 2>/dev/null && break; sleep 0.1; done
grep -q "dadgate: ready" "$DATA/dadgate.out" || { cat "$DATA/dadgate.log"; exit 1; }

BASE="https://127.0.0.1:$PORT/api/v1/packages"
CURSOR=$(curl -sk -H "Authorization: Bearer $TOKEN" "$BASE?limit=50" |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
# Page 1,000 of the newest-first list: a cursor taken from the middle.
DEEP=$(curl -sk -H "Authorization: Bearer $TOKEN" "$BASE?limit=500&cursor=$CURSOR" >/dev/null;
       python3 - "$BASE" "$TOKEN" <<'PY'
import json, ssl, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
ctx = ssl._create_unverified_context(); cursor = ""
for _ in range(100):  # 100 pages of 500: row 50,000
    req = urllib.request.Request(base + "?limit=500" + ("&cursor=" + cursor if cursor else ""),
                                 headers={"Authorization": "Bearer " + token})
    cursor = json.load(urllib.request.urlopen(req, context=ctx))["next_cursor"] or ""
print(cursor)
PY
)
printf "%-44s %12s %10s %8s\n" "request ($N packages, 50 a page)" "server ms" "queries" "rows"
measure() {  # measure LABEL QUERY
  local label=$1 query=$2 urls=() i
  for i in $(seq 1 "$REPEAT"); do urls+=(-o /dev/null "$BASE?$query"); done
  local times
  times=$(curl -sk -H "Authorization: Bearer $TOKEN" \
            -w '%{time_pretransfer} %{time_starttransfer}\n' "${urls[@]}" |
          awk '{printf "%.2f\n", ($2 - $1) * 1000}' | sort -n)
  local median
  median=$(echo "$times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  local head
  head=$(curl -sk -D - -o "$DATA/page.json" -H "Authorization: Bearer $TOKEN" "$BASE?$query" |
         tr -d '\r' | awk -F': ' 'tolower($1)=="x-catalog-queries" {print $2}')
  local rows
  rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$DATA/page.json")
  printf "%-44s %12s %10s %8s\n" "$label" "$median" "$head" "$rows"
}
measure "newest first (created desc)" "limit=50"
measure "second page (cursor)" "limit=50&cursor=$CURSOR"
measure "page at row 50,000 (cursor)" "limit=50&cursor=$DEEP"
measure "sorted by name" "limit=50&sort=name&order=asc"
measure "state=sent, recipient=bob" "limit=50&state=sent&recipient=bob"
measure "date range (one day)" "limit=50&from=1701000000&to=1701086400"
measure "search q=invoice (name/message/file)" "limit=50&q=invoice"
measure "search q=week 51 (message)" "limit=50&q=week%2051"
measure "search, no match (scans all)" "limit=50&q=zzzzzz"
