#!/usr/bin/env bash
# Regenerates testdata/pocketbase-pb_data.tar.gz, the PocketBase pb_data
# that TestImportPocketBaseDataDir imports (issue #26 item 3): an
# unmodified PocketBase v0.36.8 (bench/cmd/pbpeer) run on a fresh data dir
# and filled through its HTTP API with a superuser, a user of the default
# "users" auth collection, a base collection "posts" with a relation to
# it and a file field, and one post with an uploaded file.
#
#   scripts/pbdata-fixture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=""
(cd bench && go build -o "$work/pbpeer" ./cmd/pbpeer)
data="$work/pb_data"
"$work/pbpeer" superuser upsert su@example.com password123 --dir "$data" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$work/pbpeer" serve --http "127.0.0.1:$port" --dir "$data" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "$base/api/health" >/dev/null 2>&1 && break; sleep 0.1; done

token=$(curl -fsS -X POST "$base/api/collections/_superusers/auth-with-password" \
  -H 'Content-Type: application/json' -d '{"identity":"su@example.com","password":"password123"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
api() { curl -fsS -H "Authorization: $token" "$@" >/dev/null; }

api -X POST "$base/api/collections/users/records" -H 'Content-Type: application/json' \
  -d '{"id":"u00000000000001","email":"u@example.com","password":"userpass123","passwordConfirm":"userpass123","name":"Ursula","verified":true}'
api -X POST "$base/api/collections" -H 'Content-Type: application/json' -d '{
  "id":"pbc_posts000001","name":"posts","type":"base","listRule":"","viewRule":"",
  "fields":[
    {"name":"title","type":"text","required":true},
    {"name":"author","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1},
    {"name":"attachment","type":"file","maxSelect":1,"maxSize":1000000},
    {"name":"created","type":"autodate","onCreate":true},
    {"name":"updated","type":"autodate","onCreate":true,"onUpdate":true}]}'
printf 'pocketbase file' > "$work/note.txt"
api -X POST "$base/api/collections/posts/records" -F id=p00000000000001 -F title=hello \
  -F author=u00000000000001 -F "attachment=@$work/note.txt;type=text/plain"

kill "$pid"; wait "$pid" 2>/dev/null || true
# Only what an import reads: the database and the uploaded files.
tar -C "$work" -czf "$root/testdata/pocketbase-pb_data.tar.gz" pb_data/data.db pb_data/storage
echo "wrote testdata/pocketbase-pb_data.tar.gz ($(du -h "$root/testdata/pocketbase-pb_data.tar.gz" | cut -f1))"
