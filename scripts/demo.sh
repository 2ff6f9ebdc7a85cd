#!/usr/bin/env bash
# The first five minutes: with the server from the README's "Run it" running, back up the example database with
# the agent, change it, list the versions and restore the first one, printing each step.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    cat <<'EOF2'
Usage: scripts/demo.sh            (from the repository root, with the server of "Run it" running)

Mints a token for tenant "demo", backs up examples/data/app-v1.sqlite3 with the agent, replaces it by a changed
database (app-v2) and backs up again, lists the versions, restores the first one into a new file and checks
that it is exactly the first backup (its SHA-256). Works in a temporary folder; the examples stay untouched.

Environment:
  CELLAR_URL          the server (default http://localhost:8080)
  CELLAR_ADMIN_TOKEN  its admin token (default: the content of data/admin-token)
  CELLAR_AGENT        how to run the agent (default: java -jar backup-agent/target/cellar-agent.jar)
EOF2
    exit 0
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
url=${CELLAR_URL:-http://localhost:8080}
admin=${CELLAR_ADMIN_TOKEN:-$(cat "$root/data/admin-token")}
read -r -a agent <<< "${CELLAR_AGENT:-java -jar $root/backup-agent/target/cellar-agent.jar}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n==> %s\n' "$*"; }

step "mint a token for tenant demo (POST $url/api/v1/tenants/demo/tokens, admin)"
answer=$(curl -sf -X POST -H @- "$url/api/v1/tenants/demo/tokens" <<< "Authorization: Bearer $admin")
token=$(sed -E 's/.*"token":"([^"]+)".*/\1/' <<< "$answer")
echo "token minted (not shown)"

export BACKUP_SERVER_URL="$url" BACKUP_TENANT=demo BACKUP_TOKEN="$token" BACKUP_DATABASES="app=$work/app.sqlite3"
unset BACKUP_MACHINE_ID FLY_MACHINE_ID

step "back up examples/data/app-v1.sqlite3 as database app: cellar-agent backup"
cp "$root/examples/data/app-v1.sqlite3" "$work/app.sqlite3"
first_backup=$("${agent[@]}" backup --json)
echo "$first_backup"
first_sha=$(sed -nE 's/.*"sha256" : "([0-9a-f]{64})".*/\1/p' <<< "$first_backup")

step "change the database (here: replaced by app-v2) and back up again: a new version"
cp "$root/examples/data/app-v2.sqlite3" "$work/app.sqlite3"
"${agent[@]}" backup

step "list the versions, newest first: cellar-agent snapshots"
"${agent[@]}" snapshots --database app

first=$("${agent[@]}" snapshots --database app --json | sed -nE 's/.*"version" : "([^"]+)".*/\1/p' | tail -n 1)
step "restore the first version ($first) into a new file: cellar-agent restore --version $first --output ..."
"${agent[@]}" restore --database app --version "$first" --output "$work/restored.sqlite3"

sha256() { if command -v sha256sum > /dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }
restored_sha=$(sha256 "$work/restored.sqlite3")
if [ -n "$first_sha" ] && [ "$restored_sha" = "$first_sha" ]; then
    step "the restored file is exactly the first backup of app-v1 (SHA-256 $restored_sha)"
else
    echo "demo: the restored file (SHA-256 $restored_sha) is not the first backup ($first_sha)" >&2
    exit 1
fi
