#!/usr/bin/env bash
# Mints a tenant token and hands it to the tenant's agent on Fly.io.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/cellar.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cellar.sh"

usage() {
    cat <<'EOF'
Usage: provision-tenant.sh TENANT --machine ID [--app APP]
       provision-tenant.sh TENANT --app APP

Mints a token for TENANT on the backup server (POST /api/v1/tenants/TENANT/tokens) and gives the tenant's
backup agent BACKUP_TENANT=TENANT and BACKUP_TOKEN=<token>:

  --machine ID   as environment of that machine (fly machine update ID --env ... --yes): one machine per
                 tenant in a shared app. The machine restarts with the new environment.
  --app APP      without --machine: as secrets of the app (fly secrets import -a APP): one app per tenant.
                 The app's machines restart with the new secrets. With --machine: the machine's app.

BACKUP_TENANT is always set explicitly: the agent's default is FLY_MACHINE_ID, which `fly machine clone`
changes, so a clone would back up and restore as another tenant.

The token is never printed: it goes to flyctl only, and flyctl's output is shown with it masked as ***.
Older tokens of the tenant keep working (revoke them all with DELETE /api/v1/tenants/TENANT/tokens).
The agent also needs BACKUP_SERVER_URL, set once for the app (fly secrets set BACKUP_SERVER_URL=...).

Options:
  --machine ID   the tenant's machine
  --app APP      the Fly app (see above)
  -h, --help     show this help

Examples:
  provision-tenant.sh acme --machine 3d8d9e1c2e4f68 --app cells
  provision-tenant.sh acme --app acme-cell
EOF
    cellar_help_footer "server fly"
}

main() {
    local opt_machine="" opt_app=""
    cellar_parse_args "TENANT" "machine= app=" "$@"
    local tenant=${CELLAR_POSITIONAL[0]} machine=$opt_machine app=$opt_app
    cellar_check_name tenant "$tenant"
    if [[ -n $machine ]]; then
        cellar_check_name machine "$machine"
        cellar_app_args "$app"
    elif [[ -n $app ]]; then
        cellar_app_args "$app"
    else
        cellar_usage_error "give --machine ID (a machine per tenant) or --app APP (an app per tenant)"
    fi
    cellar_require_fly
    cellar_require_server

    local answer token
    answer=$(cellar_api POST "/api/v1/tenants/$tenant/tokens") || exit $?
    token=$(cellar_json_get token <<<"$answer")
    [[ -n $token ]] || cellar_die "$CELLAR_EXIT_FAILED" "the server's answer to the token request holds no token"
    cellar_info "minted a token for tenant $tenant"

    local status=0
    if [[ -n $machine ]]; then
        cellar_fly_redacted "$token" machine update "$machine" --env "BACKUP_TENANT=$tenant" \
            --env "BACKUP_TOKEN=$token" --yes || status=$?
    else
        # secrets import reads NAME=VALUE lines on stdin: the token stays off every command line
        printf 'BACKUP_TENANT=%s\nBACKUP_TOKEN=%s\n' "$tenant" "$token" \
            | cellar_fly_redacted "$token" secrets import || status=$?
    fi
    if [[ $status -ne 0 ]]; then
        cellar_die "$CELLAR_EXIT_FAILED" "flyctl failed (exit status $status); the new token was not stored and" \
            "was never shown, so nothing needs cleaning up: run the script again once flyctl works"
    fi
    if [[ -n $machine ]]; then
        printf 'tenant %s: BACKUP_TENANT and BACKUP_TOKEN set on machine %s\n' "$tenant" "$machine"
    else
        printf 'tenant %s: BACKUP_TENANT and BACKUP_TOKEN set as secrets of app %s\n' "$tenant" "$app"
    fi
}

main "$@"
