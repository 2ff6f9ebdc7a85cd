#!/usr/bin/env bash
# Downloads one snapshot as a plain SQLite database file.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/cellar.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cellar.sh"

usage() {
    cat <<'EOF'
Usage: download-snapshot.sh TENANT DATABASE [VERSION|latest] [-o FILE] [--at TIME] [--force]

Downloads a snapshot as a plain SQLite database (Accept: application/vnd.sqlite3), ready to open with
sqlite3. The file is written to a temporary file next to FILE and renamed only once it is complete and its
SHA-256 matches the server's X-Snapshot-Sha256 (checked with sha256sum or shasum -a 256; without either, the
script says it could not check). The file is readable by its owner only: it holds the tenant's data.

Options:
  VERSION         a version (e.g. 20261121T093000123Z-1a2b3c4d) or latest (the default)
  -o, --output FILE
                  where to write (default: TENANT-DATABASE-VERSION.sqlite3 with the concrete version, in the
                  current directory; when FILE is a directory, that name inside it)
  --at TIME       with latest: the newest snapshot at or before TIME (ISO-8601, e.g. 2026-11-21T09:30:00Z)
  --force         overwrite FILE when it exists (refused otherwise)
  -h, --help      show this help

Examples:
  download-snapshot.sh acme app
  download-snapshot.sh acme app 20261121T093000123Z-1a2b3c4d -o /tmp/app.sqlite3
  download-snapshot.sh acme app latest --at 2026-11-21T09:30:00Z
EOF
    cellar_help_footer "server"
}

# The SHA-256 of FILE in hex, or nothing when no tool for it is installed.
sha256_of() { # FILE
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{ print $1 }'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | awk '{ print $1 }'
    fi
}

# Resolves latest (or latest at TIME) to a concrete version with a HEAD request; prints nothing when that
# fails (the download itself then reports the server's error).
resolve_version() { # URL_PATH AT
    local headers status query=()
    [[ -z $2 ]] || query=(--data-urlencode "at=$2")
    headers=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    status=$(cellar_curl -I -o /dev/null -D "$headers" -w '%{http_code}' -G ${query[@]+"${query[@]}"} \
        "$CELLAR_URL$1/latest" 2>/dev/null) || true
    if [[ $status == 200 ]]; then
        cellar_header X-Snapshot-Version "$headers"
    fi
    rm -f "$headers"
}

PARTIAL=""
HEADERS=""
cleanup() {
    rm -f ${PARTIAL:+"$PARTIAL"} ${HEADERS:+"$HEADERS"} ${CELLAR_CURL_ERRORS:+"$CELLAR_CURL_ERRORS"}
}

main() {
    local opt_output="" opt_at="" opt_force=false
    cellar_parse_args "TENANT DATABASE [VERSION]" "output=:o at= force" "$@"
    local positional=("${CELLAR_POSITIONAL[@]}") output=$opt_output at=$opt_at force=$opt_force
    local tenant=${positional[0]} database=${positional[1]} version=${positional[2]:-latest}
    cellar_check_name tenant "$tenant"
    cellar_check_name database "$database"
    if [[ $version != latest && ! $version =~ ^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$ ]]; then
        cellar_usage_error "invalid version '$version': a version looks like 20261121T093000123Z-1a2b3c4d, or use latest"
    fi
    [[ -z $at || $version == latest ]] || cellar_usage_error "--at goes with latest, not with a version"
    cellar_require_server

    local path="/api/v1/tenants/$tenant/databases/$database/snapshots"
    if [[ $version == latest && ( -z $output || -d $output ) ]]; then
        # the default file name holds the concrete version: ask for it first, then download exactly that one
        local resolved
        resolved=$(resolve_version "$path" "$at")
        if [[ -n $resolved ]]; then
            version=$resolved
            at=""
        fi
    fi
    local name="$tenant-$database-$version.sqlite3"
    if [[ -z $output ]]; then
        output=$name
    elif [[ -d $output ]]; then
        output="${output%/}/$name"
    fi
    if [[ -e $output && $force == false ]]; then
        cellar_die "$CELLAR_EXIT_FAILED" "$output exists; --force overwrites it"
    fi

    trap cleanup EXIT
    local dir base
    dir=$(dirname "$output")
    base=$(basename "$output")
    [[ -d $dir ]] || cellar_die "$CELLAR_EXIT_USAGE" "the directory $dir does not exist"
    PARTIAL=$(mktemp "$dir/.$base.partial.XXXXXX") || cellar_die "$CELLAR_EXIT_FAILED" "cannot write in $dir"
    HEADERS=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    CELLAR_CURL_ERRORS=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    local status curl_status=0 query=()
    [[ -z $at ]] || query=(--data-urlencode "at=$at")
    status=$(cellar_curl -G -H 'Accept: application/vnd.sqlite3' -D "$HEADERS" -o "$PARTIAL" -w '%{http_code}' \
        ${query[@]+"${query[@]}"} "$CELLAR_URL$path/$version") || curl_status=$?
    cellar_check_response "$curl_status" "$status" "$PARTIAL" || exit $?

    local got expected actual
    got=$(cellar_header X-Snapshot-Version "$HEADERS")
    if [[ $version != latest && $got != "$version" ]]; then
        cellar_die "$CELLAR_EXIT_FAILED" "asked for version $version, the server sent '$got'"
    fi
    expected=$(cellar_header X-Snapshot-Sha256 "$HEADERS")
    actual=$(sha256_of "$PARTIAL")
    local check="SHA-256 not checked: neither sha256sum nor shasum is installed"
    if [[ -n $actual ]]; then
        [[ -n $expected ]] || cellar_die "$CELLAR_EXIT_FAILED" "the server sent no X-Snapshot-Sha256 header"
        if [[ $actual != "$expected" ]]; then
            cellar_die "$CELLAR_EXIT_FAILED" "the download is damaged: its SHA-256 is $actual, the server's is" \
                "$expected; nothing was written"
        fi
        check="SHA-256 verified"
    fi
    if [[ -e $output && $force == false ]]; then
        cellar_die "$CELLAR_EXIT_FAILED" "$output appeared during the download; --force overwrites it"
    fi
    mv -f "$PARTIAL" "$output"
    PARTIAL=""
    printf 'downloaded %s/%s %s (%s bytes, %s) to %s\n' "$tenant" "$database" "$got" \
        "$(wc -c <"$output" | tr -d ' ')" "$check" "$output"
}

main "$@"
