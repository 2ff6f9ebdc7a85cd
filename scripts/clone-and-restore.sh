#!/usr/bin/env bash
# Clones a tenant machine and has the clone restore the tenant's databases from the backup server.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/cellar.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cellar.sh"

usage() {
    cat <<'EOF'
Usage: clone-and-restore.sh MACHINE_ID [--tenant T] [--database D [--version V]] [--region R] [--app APP]
                            [--timeout SECONDS]

Makes a new machine from MACHINE_ID that comes up with the tenant's data from the backup server:

  1. for every database of the tenant (or only D), a restore request for version V or latest, with
     onlyIfMissing=true: only a machine whose database file is missing applies it, so the running original
     never rolls back. The server resolves latest to a concrete version at once; it is printed.
  2. fly machine clone MACHINE_ID [--region R]: the clone boots with an empty volume, and its agent claims
     the requests and restores before the app starts. If the clone fails, the requests are cancelled.
  3. waits until every request is completed or failed, or SECONDS pass, and prints the results.

It looks at the requests every CELLAR_POLL_INTERVAL seconds (environment; default 2).

The source machine keeps running: two machines uploading for one tenant fork its history (the server then
warns forked_history). Stop or destroy the source once the clone is checked.

Options:
  --tenant T         the tenant (default: MACHINE_ID, the agent's default BACKUP_TENANT; give the tenant
                     when the machine was provisioned with another name)
  --database D       restore only this database (default: every database of the tenant with a snapshot)
  --version V        restore this version instead of the latest (needs --database)
  --region R         create the clone in region R (default: the source's)
  --app APP          the machine's Fly app (default: FLY_APP, else ./fly.toml)
  --timeout SECONDS  how long to wait for the restores (default 600); the requests stay pending after it
  -h, --help         show this help

Examples:
  clone-and-restore.sh 3d8d9e1c2e4f68 --tenant acme --app cells
  clone-and-restore.sh 3d8d9e1c2e4f68 --tenant acme --app cells --region ams
  clone-and-restore.sh 3d8d9e1c2e4f68 --tenant acme --app cells --database app \
      --version 20261121T093000123Z-1a2b3c4d
EOF
    cellar_help_footer "server fly" \
        "1  also: a restore failed or was cancelled" \
        "5  the restores did not finish within --timeout (they stay pending or running)"
}

# The requests made, by index: id, database, version, state, claimedBy, message ("-" for null).
IDS=()
DATABASES=()
VERSIONS=()
STATES=()
CLAIMED=()
MESSAGES=()
TENANT=""

# Prints the databases of TENANT that have a snapshot, one a line.
tenant_databases() {
    local answer status=0
    answer=$(cellar_api GET "/api/v1/tenants/$TENANT") || status=$?
    if [[ $status -ne 0 ]]; then
        cellar_info "(the tenant is --tenant, or MACHINE_ID when not given: the agent's BACKUP_TENANT)"
        return "$status"
    fi
    cellar_json_rows databases database latest.version <<<"$answer" | awk -F '\t' '$2 != "-" { print $1 }'
}

# Remembers the RestoreRequest JSON in ANSWER as request INDEX.
remember() { # INDEX ANSWER
    local fields
    fields=$(printf '{"r":[%s]}' "$2" | cellar_json_rows r id database version state claimedBy message)
    IFS=$'\t' read -r "IDS[$1]" "DATABASES[$1]" "VERSIONS[$1]" "STATES[$1]" "CLAIMED[$1]" "MESSAGES[$1]" \
        <<<"$fields"
}

cancel_path() { # INDEX
    printf '/api/v1/tenants/%s/restores/%s' "$TENANT" "${IDS[$1]}"
}

# Cancels every request still pending; says which it could not cancel.
cancel_all() {
    local i answer
    [[ ${#IDS[@]} -gt 0 ]] || return 0
    for i in "${!IDS[@]}"; do
        if answer=$(cellar_api DELETE "$(cancel_path "$i")"); then
            remember "$i" "$answer"
            cellar_info "cancelled restore request ${IDS[$i]} (${DATABASES[$i]})"
        else
            cellar_info "could not cancel restore request ${IDS[$i]} (${DATABASES[$i]}): see above"
        fi
    done
}

unfinished_hint() {
    local i
    [[ ${#IDS[@]} -gt 0 ]] || return 0
    for i in "${!IDS[@]}"; do
        case ${STATES[$i]} in
            pending)
                cellar_info "restore request ${IDS[$i]} (${DATABASES[$i]}) stays pending: the next machine of tenant" \
                    "$TENANT whose database is missing will apply it. To cancel it:"
                # shellcheck disable=SC2016  # the operator's shell expands $CELLAR_ADMIN_TOKEN, not this one
                cellar_info '  curl -X DELETE -H "Authorization: Bearer $CELLAR_ADMIN_TOKEN"' "$CELLAR_URL$(cancel_path "$i")"
                ;;
            running)
                cellar_info "restore request ${IDS[$i]} (${DATABASES[$i]}) is running on ${CLAIMED[$i]}; see" \
                    "GET $(cancel_path "$i") or that machine's logs"
                ;;
        esac
    done
}

# shellcheck disable=SC2317  # run by the INT and TERM trap, which shellcheck does not follow
interrupted() {
    trap - INT TERM
    cellar_info "interrupted"
    unfinished_hint
    exit 130
}

create_requests() { # VERSION DATABASE...
    local version=$1 database answer i=0
    shift
    for database in "$@"; do
        if ! answer=$(cellar_api POST "/api/v1/tenants/$TENANT/databases/$database/restores" \
            "{\"version\":\"$version\",\"onlyIfMissing\":true}"); then
            cancel_all
            exit "$CELLAR_EXIT_FAILED"
        fi
        remember "$i" "$answer"
        printf 'restore request %s: %s/%s version %s (asked for %s)\n' "${IDS[$i]}" "$TENANT" "$database" \
            "${VERSIONS[$i]}" "$version"
        i=$((i + 1))
    done
}

# Clones MACHINE (REGION optional); prints the new machine's id when flyctl names it.
clone_machine() { # MACHINE REGION OUTPUT_FILE
    local args=(machine clone "$1") status=0
    [[ -z $2 ]] || args+=(--region "$2")
    cellar_info "fly ${args[*]}"
    cellar_fly "${args[@]}" 2>&1 | tee "$3" >&2 || status=$?
    return "$status"
}

# Polls the requests until all are finished or SECONDS passed; returns 0, or CELLAR_EXIT_TIMEOUT.
wait_for_requests() { # SECONDS
    local deadline=$((SECONDS + $1)) interval=${CELLAR_POLL_INTERVAL:-2} i answer before open
    while :; do
        open=0
        for i in "${!IDS[@]}"; do
            case ${STATES[$i]} in
                completed | failed | cancelled) continue ;;
            esac
            before="${STATES[$i]} ${CLAIMED[$i]}"
            if answer=$(cellar_api GET "$(cancel_path "$i")"); then
                remember "$i" "$answer"
            fi
            if [[ "${STATES[$i]} ${CLAIMED[$i]}" != "$before" ]]; then
                cellar_info "${DATABASES[$i]}: ${STATES[$i]} (machine ${CLAIMED[$i]})"
            fi
            case ${STATES[$i]} in
                completed | failed | cancelled) ;;
                *) open=$((open + 1)) ;;
            esac
        done
        [[ $open -gt 0 ]] || return 0
        if [[ $SECONDS -ge $deadline ]]; then
            return "$CELLAR_EXIT_TIMEOUT"
        fi
        sleep "$interval"
    done
}

print_results() {
    local i
    {
        printf 'DATABASE\tVERSION\tSTATE\tCLAIMED BY\tMESSAGE\n'
        for i in "${!IDS[@]}"; do
            printf '%s\t%s\t%s\t%s\t%s\n' "${DATABASES[$i]}" "${VERSIONS[$i]}" "${STATES[$i]}" "${CLAIMED[$i]}" \
                "${MESSAGES[$i]}"
        done
    } | cellar_table
}

main() {
    local opt_version="" opt_region="" opt_app="" opt_tenant="" opt_database="" opt_timeout=600
    cellar_parse_args "MACHINE_ID" "version= region= app= tenant= database= timeout=" "$@"
    local machine=${CELLAR_POSITIONAL[0]} version=$opt_version region=$opt_region app=$opt_app \
        database=$opt_database timeout=$opt_timeout
    TENANT=$opt_tenant
    cellar_check_name machine "$machine"
    TENANT=${TENANT:-$machine}
    cellar_check_name tenant "$TENANT"
    [[ -z $database ]] || cellar_check_name database "$database"
    if [[ -n $version ]]; then
        [[ -n $database ]] || cellar_usage_error "--version needs --database: versions differ between databases"
        [[ $version =~ ^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$ || $version == latest ]] ||
            cellar_usage_error "invalid version '$version': a version looks like 20261121T093000123Z-1a2b3c4d"
    fi
    [[ -z $region ]] || cellar_check_name region "$region"
    cellar_check_positive --timeout "$timeout"
    cellar_app_args "$app"
    cellar_require_fly
    cellar_require_server

    local databases=()
    if [[ -n $database ]]; then
        databases=("$database")
    else
        local list
        list=$(tenant_databases) || exit $?
        [[ -n $list ]] || cellar_die "$CELLAR_EXIT_FAILED" "tenant $TENANT has no snapshot: there is nothing to restore"
        while IFS= read -r database; do
            databases+=("$database")
        done <<<"$list"
    fi

    trap interrupted INT TERM
    create_requests "${version:-latest}" "${databases[@]}"

    local clone_output new_machine="" status=0
    clone_output=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    clone_machine "$machine" "$region" "$clone_output" || status=$?
    new_machine=$(sed -n 's/.*Machine \([A-Za-z0-9_-]*\) has been created.*/\1/p' "$clone_output" | head -n 1)
    rm -f "$clone_output"
    if [[ $status -ne 0 && -z $new_machine ]]; then
        cellar_info "fly machine clone failed (exit status $status): cancelling the restore requests"
        cancel_all
        print_results
        cellar_die "$CELLAR_EXIT_FAILED" "fly machine clone failed; no machine was made and no restore request is left"
    fi
    if [[ $status -ne 0 ]]; then
        cellar_info "fly machine clone failed (exit status $status) after creating machine $new_machine: waiting" \
            "for its restores anyway; check it with: fly machine status $new_machine"
    fi
    cellar_info "clone: ${new_machine:-(flyctl did not name it)}; waiting up to $timeout s for the restores"

    local outcome=0
    wait_for_requests "$timeout" || outcome=$?
    trap - INT TERM
    print_results
    local i
    for i in "${!IDS[@]}"; do
        if [[ -n $new_machine && ${CLAIMED[$i]} != - && ${CLAIMED[$i]} != "$new_machine" ]]; then
            cellar_info "warning: ${DATABASES[$i]} was restored by machine ${CLAIMED[$i]}, not by the clone $new_machine"
        fi
        if [[ $outcome -eq 0 && ${STATES[$i]} != completed ]]; then
            outcome=$CELLAR_EXIT_FAILED
        fi
    done
    if [[ $outcome -eq $CELLAR_EXIT_TIMEOUT ]]; then
        cellar_info "timed out after $timeout s waiting for the restores"
        unfinished_hint
    fi
    printf '\nThe source machine %s still runs. Two machines uploading for tenant %s fork its history (the\n' \
        "$machine" "$TENANT"
    printf 'server then warns forked_history): stop or destroy %s once the clone is checked:\n' "$machine"
    printf '  fly machine stop %s    or    fly machine destroy %s\n' "$machine" "$machine"
    exit "$outcome"
}

main "$@"
