#!/usr/bin/env bash
# Runs the backup agent's backup on a tenant machine, now.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/cellar.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cellar.sh"

usage() {
    cat <<'EOF'
Usage: backup-now.sh MACHINE_ID [--app APP] [--database NAME]

Runs `cellar-agent backup` on the machine over fly ssh console, prints the outcome and exits with the
remote command's exit status. The machine must be running (fly machine start MACHINE_ID wakes a stopped one).
The agent uploads a snapshot of every database (or of NAME); a database identical to its last snapshot
counts as done.

Options:
  --app APP        the machine's Fly app (default: FLY_APP, else ./fly.toml)
  --database NAME  back up only this database
  -h, --help       show this help

Examples:
  backup-now.sh 3d8d9e1c2e4f68 --app cells
  backup-now.sh 3d8d9e1c2e4f68 --app cells --database app
EOF
    cellar_help_footer "fly" \
        "other  the agent's own exit status: 1 a check or the server refused the snapshot," \
        "       4 the agent could not reach the server (see docs/agent.md); or flyctl's, when ssh failed"
}

main() {
    local opt_app="" opt_database=""
    cellar_parse_args "MACHINE_ID" "app= database=" "$@"
    local machine=${CELLAR_POSITIONAL[0]} app=$opt_app database=$opt_database
    cellar_check_name machine "$machine"
    local command="cellar-agent backup"
    if [[ -n $database ]]; then
        cellar_check_name database "$database"
        command="$command --database $database"
    fi
    cellar_app_args "$app"
    cellar_require_fly

    cellar_info "running '$command' on machine $machine"
    local status=0
    cellar_fly ssh console --machine "$machine" -C "$command" || status=$?
    local why
    case $status in
        0) printf 'backup on machine %s: done\n' "$machine"; exit 0 ;;
        1) why="the backup failed (a check or the server refused a snapshot), or flyctl did; see the output above" ;;
        2) why="the agent's configuration is wrong; see the agent's output above" ;;
        4) why="the agent could not reach the backup server" ;;
        *) why="flyctl or the agent failed; is the machine running?" ;;
    esac
    printf 'backup on machine %s: FAILED (exit status %s): %s\n' "$machine" "$status" "$why" >&2
    exit "$status"
}

main "$@"
