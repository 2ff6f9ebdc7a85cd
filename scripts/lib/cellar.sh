# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables set here are read by the scripts that source this file
#
# Shared code of the Cellar operator scripts. Sourced by every script in scripts/, never run on its own.
#
# Written for bash 3.2 and later (the bash of macOS): no associative arrays, no mapfile, no ${var,,}.
# Tokens never reach stdout, stderr or a curl command line: curl reads the Authorization header from its
# config on stdin, and flyctl's output is passed through cellar_redact.

# Exit codes shared by the scripts (the same numbers as the agent's where they mean the same thing).
CELLAR_EXIT_FAILED=1      # the server refused a request, flyctl failed, a restore failed, a check failed
CELLAR_EXIT_USAGE=2       # usage or configuration error: unknown option, bad name, missing variable
CELLAR_EXIT_UNREACHABLE=4 # the server could not be reached
CELLAR_EXIT_TIMEOUT=5     # clone-and-restore.sh: the restore did not finish in time

CELLAR_NAME_RE='^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'
CELLAR_SCRIPT=$(basename "$0")

# ---------------------------------------------------------------------------------------------- messages

cellar_info() {
    printf '%s\n' "$*" >&2
}

cellar_die() { # CODE MESSAGE...
    local code=$1
    shift
    printf '%s: error: %s\n' "$CELLAR_SCRIPT" "$*" >&2
    exit "$code"
}

cellar_usage_error() { # MESSAGE...
    printf '%s: error: %s (see %s --help)\n' "$CELLAR_SCRIPT" "$*" "$CELLAR_SCRIPT" >&2
    exit "$CELLAR_EXIT_USAGE"
}

# --------------------------------------------------------------------------------------------- arguments

# Parses the command line of a script. NAMES are its arguments in order, optional ones in brackets
# ("TENANT [DATABASE]"); SPECS its options: "name=" takes a value, "name" is a flag, ":x" adds the short
# form -x ("output=:o"). --name=value is --name value. -h and --help run the script's usage function and
# exit 0. Each option's value goes to the variable opt_<name> (dashes become underscores; a flag gets
# true) that the caller declares with its default; the arguments go to CELLAR_POSITIONAL.
cellar_parse_args() { # NAMES SPECS ARGS...
    local names=() specs=() spec name arg matched split min=0
    read -r -a names <<<"$1"
    read -r -a specs <<<"$2"
    shift 2
    for name in ${names[@]+"${names[@]}"}; do
        [[ $name == \[* ]] || min=$((min + 1))
    done
    CELLAR_POSITIONAL=()
    while [[ $# -gt 0 ]]; do
        arg=$1
        shift
        case $arg in
            -h | --help) usage; exit 0 ;;
            --*=*) set -- "${arg#*=}" "$@"; arg=${arg%%=*}; split=true ;;
            -?*) split=false ;;
            *) CELLAR_POSITIONAL+=("$arg"); continue ;;
        esac
        matched=""
        for spec in ${specs[@]+"${specs[@]}"}; do
            name=${spec%%[=:]*}
            if [[ $arg == "--$name" || ( $spec == *:* && $arg == "-${spec##*:}" ) ]]; then
                matched=$spec
                break
            fi
        done
        [[ -n $matched ]] || cellar_unknown_option "$arg"
        if [[ $matched == *=* ]]; then
            [[ $# -ge 1 && -n $1 ]] || cellar_usage_error "$arg needs a value"
            printf -v "opt_${name//-/_}" '%s' "$1"
            shift
        else
            [[ $split == false ]] || cellar_usage_error "$arg takes no value"
            printf -v "opt_${name//-/_}" '%s' true
        fi
    done
    if [[ ${#CELLAR_POSITIONAL[@]} -lt $min ]]; then
        cellar_usage_error "missing ${names[${#CELLAR_POSITIONAL[@]}]}"
    fi
    if [[ ${#CELLAR_POSITIONAL[@]} -gt ${#names[@]} ]]; then
        cellar_unknown_option "${CELLAR_POSITIONAL[${#names[@]}]}"
    fi
}

cellar_unknown_option() { # ARG
    case $1 in
        -*) cellar_usage_error "unknown option '$1'" ;;
        *) cellar_usage_error "unexpected argument '$1'" ;;
    esac
}

# Fails unless VALUE is a valid tenant, database or machine name (the server's rule).
cellar_check_name() { # KIND VALUE
    if [[ ! $2 =~ $CELLAR_NAME_RE ]]; then
        cellar_usage_error "invalid $1 name '$2': names are 1 to 64 letters, digits, '_' or '-', starting with a letter or digit"
    fi
}

cellar_check_positive() { # OPTION VALUE
    if [[ ! $2 =~ ^[1-9][0-9]{0,8}$ ]]; then
        cellar_usage_error "$1 must be a whole number above 0, got '$2'"
    fi
}

# ------------------------------------------------------------------------------------------- environment

# Reads CELLAR_URL and CELLAR_ADMIN_TOKEN; fails with a clear message when one is missing.
cellar_require_server() {
    if [[ -z ${CELLAR_URL:-} ]]; then
        cellar_die "$CELLAR_EXIT_USAGE" "CELLAR_URL is not set: export the backup server's base URL, e.g. export CELLAR_URL=https://cellar-backup.fly.dev"
    fi
    if [[ ! $CELLAR_URL =~ ^https?://[^/] ]]; then
        cellar_die "$CELLAR_EXIT_USAGE" "CELLAR_URL must start with http:// or https://, got '$CELLAR_URL'"
    fi
    CELLAR_URL=${CELLAR_URL%/}
    if [[ -z ${CELLAR_ADMIN_TOKEN:-} ]]; then
        cellar_die "$CELLAR_EXIT_USAGE" "CELLAR_ADMIN_TOKEN is not set: export the server's admin token (BACKUP_ADMIN_TOKEN of the server; a local server keeps a generated one in data/admin-token)"
    fi
}

# Finds flyctl (prefers `fly`, then `flyctl`) into CELLAR_FLY; fails when neither is on PATH.
cellar_require_fly() {
    if command -v fly >/dev/null 2>&1; then
        CELLAR_FLY=fly
    elif command -v flyctl >/dev/null 2>&1; then
        CELLAR_FLY=flyctl
    else
        cellar_die "$CELLAR_EXIT_USAGE" "neither fly nor flyctl is on PATH: install flyctl (https://fly.io/docs/flyctl/install/)"
    fi
}

# Chooses the app of every later flyctl command (CELLAR_APP_ARGS): APP when given, else FLY_APP, else none
# (flyctl then reads fly.toml in the current directory).
CELLAR_APP_ARGS=()
cellar_app_args() { # [APP]
    local app=${1:-${FLY_APP:-}}
    CELLAR_APP_ARGS=()
    if [[ -n $app ]]; then
        cellar_check_name app "$app"
        CELLAR_APP_ARGS=(-a "$app")
    fi
}

# ------------------------------------------------------------------------------------------------- help

# The Environment and Exit codes sections of a script's --help. WHAT lists the parts the script uses:
# "server" (CELLAR_URL, CELLAR_ADMIN_TOKEN), "fly" (fly or flyctl, FLY_APP); EXTRA lines follow the
# common exit codes.
cellar_help_footer() { # "server fly" [EXTRA-EXIT-CODE-LINE...]
    local what=" $1 "
    shift
    printf '\nEnvironment:\n'
    if [[ $what == *" server "* ]]; then
        printf '  CELLAR_URL          base URL of the backup server, e.g. https://cellar-backup.fly.dev\n'
        printf '  CELLAR_ADMIN_TOKEN  the server'"'"'s admin token (never printed)\n'
    fi
    if [[ $what == *" fly "* ]]; then
        printf '  FLY_APP             the Fly app when --app is not given (else flyctl reads ./fly.toml)\n'
        printf '  PATH                must hold fly or flyctl (fly is preferred)\n'
    fi
    printf '\nExit codes:\n'
    printf '  0  done\n'
    printf '  1  failed: the server refused a request or flyctl failed (the message says which)\n'
    printf '  2  usage or configuration error: unknown option, invalid name, missing variable\n'
    if [[ $what == *" server "* ]]; then
        printf '  4  the backup server could not be reached\n'
    fi
    if [[ $# -gt 0 ]]; then
        printf '  %s\n' "$@"
    fi
}

# ----------------------------------------------------------------------------------------------- flyctl

# Runs flyctl with the arguments given and the app chosen with cellar_app_args.
cellar_fly() {
    "$CELLAR_FLY" "$@" ${CELLAR_APP_ARGS[@]+"${CELLAR_APP_ARGS[@]}"}
}

# Copies stdin to stdout with every occurrence of SECRET replaced by ***. The secret goes through the
# environment, not the command line (which other users can see in ps).
cellar_redact() { # SECRET
    CELLAR_SECRET=$1 awk '
        BEGIN { s = ENVIRON["CELLAR_SECRET"] }
        {
            line = $0; out = ""
            while (s != "" && (k = index(line, s)) > 0) {
                out = out substr(line, 1, k - 1) "***"
                line = substr(line, k + length(s))
            }
            print out line
        }'
}

# Runs flyctl with its output (stdout and stderr, on stdout) redacted of SECRET; returns flyctl's status.
cellar_fly_redacted() { # SECRET ARGS...
    local secret=$1
    shift
    cellar_fly "$@" 2>&1 | cellar_redact "$secret"
    return "${PIPESTATUS[0]}"
}

# -------------------------------------------------------------------------------------------------- HTTP

CELLAR_CURL_ERRORS=

# Runs curl against the server with the admin token, -sS and the given arguments; curl's own messages go to
# the file in CELLAR_CURL_ERRORS when set. The token goes through curl's config on stdin.
cellar_curl() {
    local config
    config="header = \"Authorization: Bearer $CELLAR_ADMIN_TOKEN\""
    if [[ -n $CELLAR_CURL_ERRORS ]]; then
        curl --config - -sS --connect-timeout 10 --user-agent cellar-scripts "$@" <<<"$config" 2>"$CELLAR_CURL_ERRORS"
    else
        curl --config - -sS --connect-timeout 10 --user-agent cellar-scripts "$@" <<<"$config"
    fi
}

# Reads the value of the HTTP header NAME (any case) from a file of response headers (the last one wins).
cellar_header() { # NAME FILE
    awk -v name="$1" '
        { sub(/\r$/, "") }
        tolower(substr($0, 1, length(name) + 1)) == tolower(name) ":" {
            value = substr($0, length(name) + 2); sub(/^[ \t]+/, "", value); sub(/[ \t]+$/, "", value)
        }
        END { print value }' "$2"
}

# Turns what came back from a request into the script's outcome. STATUS is the HTTP status curl printed,
# CURL_STATUS curl's exit status, BODY_FILE the body. Returns 0 for a 2xx; otherwise explains on stderr and
# returns CELLAR_EXIT_UNREACHABLE (no answer) or CELLAR_EXIT_FAILED (an error answer).
cellar_check_response() { # CURL_STATUS HTTP_STATUS BODY_FILE
    local curl_status=$1 status=$2 body_file=$3 code message
    if [[ $curl_status -ne 0 ]]; then
        message=$(head -n 1 "$CELLAR_CURL_ERRORS" 2>/dev/null || true)
        if [[ $status =~ ^[1-5][0-9][0-9]$ ]]; then
            message="the transfer broke off after HTTP $status: ${message:-curl exit status $curl_status}"
        fi
        printf '%s: error: cannot reach the Cellar server at %s (%s)\n' "$CELLAR_SCRIPT" "$CELLAR_URL" \
            "${message:-curl exit status $curl_status}" >&2
        return "$CELLAR_EXIT_UNREACHABLE"
    fi
    if [[ $status == 2?? ]]; then
        return 0
    fi
    code=$(cellar_json_get error <"$body_file")
    message=$(cellar_json_get message <"$body_file")
    if [[ -z $code ]]; then
        printf '%s: error: the server answered HTTP %s without a Cellar error (is CELLAR_URL=%s right?): %s\n' \
            "$CELLAR_SCRIPT" "$status" "$CELLAR_URL" "$(head -c 200 "$body_file" | tr -s '\r\n' '  ')" >&2
        return "$CELLAR_EXIT_FAILED"
    fi
    printf '%s: error: %s (HTTP %s %s)\n' "$CELLAR_SCRIPT" "${message:-no message}" "$status" "$code" >&2
    if [[ $status == 401 ]]; then
        printf '%s: hint: check CELLAR_ADMIN_TOKEN; it must be the server'"'"'s admin token\n' "$CELLAR_SCRIPT" >&2
    fi
    return "$CELLAR_EXIT_FAILED"
}

# A JSON API request: prints the body of a 2xx answer; otherwise prints the server's error message on
# stderr and returns non-zero (see cellar_check_response). METHOD is GET, POST or DELETE; a JSON BODY is
# sent with POST when given.
cellar_api() { # METHOD PATH [BODY]
    local method=$1 path=$2 body=${3-} status curl_status=0 body_file rc=0
    body_file=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    CELLAR_CURL_ERRORS=$(mktemp "${TMPDIR:-/tmp}/cellar.XXXXXX")
    local args=(-X "$method" -o "$body_file" -w '%{http_code}' -H 'Accept: application/json')
    if [[ -n $body ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    status=$(cellar_curl "${args[@]}" "$CELLAR_URL$path") || curl_status=$?
    cellar_check_response "$curl_status" "$status" "$body_file" || rc=$?
    if [[ $rc -eq 0 ]]; then
        cat "$body_file"
    fi
    rm -f "$body_file" "$CELLAR_CURL_ERRORS"
    CELLAR_CURL_ERRORS=
    return "$rc"
}

# ---------------------------------------------------------------------------------------------------- JSON
#
# The server's JSON is read without jq. cellar_json_flat prints one line per scalar, "path<TAB>value": the
# path joins object keys and array indexes with dots (databases.0.latest.version), strings are unescaped
# (\n, \r and \t become spaces, \uXXXX stays as written), null prints as an empty value, empty arrays and
# objects print nothing.

# shellcheck disable=SC2016  # an awk program: the $ are awk's fields, not shell expansions
CELLAR_JSON_AWK='
function path(   p, k) {
    p = ""
    for (k = 1; k <= depth; k++) p = p (k > 1 ? "." : "") key[k]
    return p
}
{ text = text $0 "\n" }
END {
    n = length(text); i = 1; depth = 0
    while (i <= n) {
        c = substr(text, i, 1)
        if (c == "\"") {
            s = ""; j = i + 1
            while (j <= n) {
                d = substr(text, j, 1)
                if (d == "\"") break
                if (d == "\\") {
                    e = substr(text, j + 1, 1)
                    if (e == "n" || e == "r" || e == "t") s = s " "
                    else if (e == "u") s = s "\\u"
                    else if (e != "b" && e != "f") s = s e
                    j += 2
                } else {
                    s = s d; j++
                }
            }
            i = j + 1
            if (type[depth] == "o" && wantkey[depth]) { key[depth] = s; wantkey[depth] = 0 }
            else print path() "\t" s
        } else if (c == "{" || c == "[") {
            depth++; type[depth] = (c == "{" ? "o" : "a"); wantkey[depth] = 1; key[depth] = 0; i++
        } else if (c == "}" || c == "]") {
            depth--; i++
        } else if (c == ",") {
            if (type[depth] == "a") key[depth]++
            else wantkey[depth] = 1
            i++
        } else if (c ~ /[:  \t\r\n]/) {
            i++
        } else {
            j = i
            while (j <= n && substr(text, j, 1) !~ /[],} \t\r\n]/) j++
            literal = substr(text, i, j - i); i = j
            print path() "\t" (literal == "null" ? "" : literal)
        }
    }
}'

cellar_json_flat() {
    awk "$CELLAR_JSON_AWK"
}

# Prints the value at PATH of the JSON on stdin (nothing when it is missing or null).
cellar_json_get() { # PATH
    cellar_json_flat | awk -F '\t' -v p="$1" '$1 == p { print substr($0, length(p) + 2); exit }'
}

# Prints one tab-separated line per element of the array at ARRAY in the JSON on stdin, with the values at
# the FIELD paths inside each element ("-" when missing or null).
cellar_json_rows() { # ARRAY FIELD...
    local array=$1
    shift
    local fields
    fields=$(printf '%s\n' "$@")
    cellar_json_flat | awk -F '\t' -v array="$array" -v fields="$fields" '
        BEGIN { nf = split(fields, f, "\n"); prefix = array "."; count = 0 }
        index($1, prefix) == 1 {
            rest = substr($1, length(prefix) + 1)
            dot = index(rest, ".")
            if (dot == 0) { element = rest; field = "" } else { element = substr(rest, 1, dot - 1); field = substr(rest, dot + 1) }
            if (element !~ /^[0-9]+$/) next
            if (element + 1 > count) count = element + 1
            value[element, field] = substr($0, length($1) + 2)
        }
        END {
            for (e = 0; e < count; e++) {
                line = ""
                for (k = 1; k <= nf; k++) {
                    v = ((e, f[k]) in value) ? value[e, f[k]] : ""
                    line = line (k > 1 ? "\t" : "") (v == "" ? "-" : v)
                }
                print line
            }
        }'
}

# ---------------------------------------------------------------------------------------------- tables

# Prints the tab-separated lines on stdin as a table with aligned columns (the last one is not padded).
cellar_table() {
    awk -F '\t' '
        { rows[NR] = $0; for (k = 1; k <= NF; k++) if (length($k) > width[k]) width[k] = length($k) }
        END {
            for (r = 1; r <= NR; r++) {
                n = split(rows[r], cell, "\t"); line = ""
                for (k = 1; k < n; k++) line = line sprintf("%-" width[k] "s  ", cell[k])
                print line cell[n]
            }
        }'
}

# Rewrites column COLUMN of the tab-separated lines on stdin from bytes to B, KiB, MiB, GiB (others kept).
cellar_human_bytes() { # COLUMN
    awk -F '\t' -v OFS='\t' -v c="$1" '
        $c ~ /^[0-9]+$/ {
            n = $c + 0; u = 0
            while (n >= 1024 && u < 4) { n /= 1024; u++ }
            $c = (u == 0 ? sprintf("%d B", n) : sprintf("%.1f %s", n, substr("KiBMiBGiBTiB", 3 * u - 2, 3)))
        }
        { print }'
}
