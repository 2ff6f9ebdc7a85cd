#!/usr/bin/env bash
# Lists a tenant's databases, or one database's snapshots.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/cellar.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cellar.sh"

usage() {
    cat <<'EOF'
Usage: list-snapshots.sh TENANT [DATABASE] [--limit N] [--all]

Without DATABASE: the tenant's databases with their latest snapshot, its machines and any warning
(GET /api/v1/tenants/TENANT). With DATABASE: its snapshots, newest first
(GET /api/v1/tenants/TENANT/databases/DATABASE/snapshots), as a table of version, created, size, machine.

Options:
  --limit N   with DATABASE: show the newest N snapshots (1 to 1000, default 100); with --all, the page size
  --all       with DATABASE: show every snapshot (follows the server's next cursor)
  -h, --help  show this help

Examples:
  list-snapshots.sh acme
  list-snapshots.sh acme app --limit 10
  list-snapshots.sh acme app --all
EOF
    cellar_help_footer "server"
}

tenant_overview() { # TENANT
    local answer
    answer=$(cellar_api GET "/api/v1/tenants/$1") || exit $?
    printf 'tenant %s: status %s, last snapshot %s, last heartbeat %s\n\n' "$1" \
        "$(cellar_json_get status <<<"$answer")" "$(cellar_json_get lastSnapshotAt <<<"$answer" | sed 's/^$/-/')" \
        "$(cellar_json_get lastHeartbeatAt <<<"$answer" | sed 's/^$/-/')"
    {
        printf 'DATABASE\tLATEST VERSION\tCREATED\tSIZE\tMACHINE\n'
        cellar_json_rows databases database latest.version latest.createdAt latest.sizeBytes latest.machineId \
            <<<"$answer" | cellar_human_bytes 4
    } | cellar_table
    local machines
    machines=$(cellar_json_rows machines machineId region agentVersion lastSeenAt lastUploadAt <<<"$answer")
    if [[ -n $machines ]]; then
        printf '\n'
        { printf 'MACHINE\tREGION\tAGENT\tLAST SEEN\tLAST UPLOAD\n'; printf '%s\n' "$machines"; } | cellar_table
    fi
    local code message
    while IFS=$'\t' read -r code message; do
        printf '\nwarning: %s: %s\n' "$code" "$message"
    done < <(cellar_json_rows warnings code message <<<"$answer")
}

database_snapshots() { # TENANT DATABASE LIMIT ALL
    local path="/api/v1/tenants/$1/databases/$2/snapshots" limit=$3 all=$4 answer rows="" page next=""
    while :; do
        answer=$(cellar_api GET "$path?limit=$limit${next:+&before=$next}") || exit $?
        page=$(cellar_json_rows snapshots version createdAt sizeBytes machineId <<<"$answer")
        rows="$rows${page:+$page
}"
        next=$(cellar_json_get next <<<"$answer")
        [[ $all == true && -n $next ]] || break
    done
    if [[ -z $rows ]]; then
        cellar_info "no snapshots of $1/$2"
        return 0
    fi
    { printf 'VERSION\tCREATED\tSIZE\tMACHINE\n'; printf '%s' "$rows"; } | cellar_human_bytes 3 | cellar_table
    if [[ -n $next ]]; then
        cellar_info "(more snapshots are older: --all lists them all)"
    fi
}

main() {
    local opt_limit="" opt_all=false
    cellar_parse_args "TENANT [DATABASE]" "limit= all" "$@"
    local positional=("${CELLAR_POSITIONAL[@]}") limit=$opt_limit all=$opt_all
    cellar_check_name tenant "${positional[0]}"
    if [[ ${#positional[@]} -eq 1 ]]; then
        [[ -z $limit && $all == false ]] || cellar_usage_error "--limit and --all need a DATABASE"
        cellar_require_server
        tenant_overview "${positional[0]}"
        return
    fi
    cellar_check_name database "${positional[1]}"
    if [[ -n $limit ]]; then
        cellar_check_positive --limit "$limit"
        [[ $limit -le 1000 ]] || cellar_usage_error "--limit must be at most 1000, got $limit"
    fi
    if [[ -z $limit && $all == true ]]; then
        limit=1000
    fi
    cellar_require_server
    database_snapshots "${positional[0]}" "${positional[1]}" "${limit:-100}" "$all"
}

main "$@"
