#!/usr/bin/env bash
# figures.sh — the scan figures, as ratios to the I/O floor, in one paired
# run on this machine.
#
#   bash docs/figures.sh [-n MESSAGES] [-r RUNS] [-k DIR] [-b BINARY]
#
# It builds mxaudit, generates a quarantine (go run ./mailsrc/demo/gen,
# default 20,000 messages; -k DIR keeps it between calls), and times, with
# a warm page cache, each command RUNS times (default 5), alternating with
# the floor — `find DIR -type f -print0 | xargs -0 cat >/dev/null` — so that
# each ratio pairs runs made under the same machine load. Where installed,
# mblaze (`mlist | mscan`), `notmuch new` and `mu index` are timed the same
# way for comparison (each on a fresh database). It prints, per command,
# the median ratio of wall time to the floor with min–max, the median CPU
# time (user + system) per message in microseconds with min–max — the
# figure to compare between sizes for linearity, steadier than wall time
# on a shared machine — and the median peak RSS (GNU time). Nothing here is asserted: the figures are for notes
# and for deciding, on a machine that may be noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

n=20000 runs=5 keep="" given=""
while getopts "n:r:k:b:" opt; do
  case $opt in
    n) n=$OPTARG ;;
    r) runs=$OPTARG ;;
    k) keep=$OPTARG ;;
    b) given=$OPTARG ;; # an mxaudit binary to measure instead of building one (another version)
    *) echo "usage: $0 [-n MESSAGES] [-r RUNS] [-k DIR] [-b BINARY]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "figures: GNU time is needed (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=$work/mxaudit
if [ -n "$given" ]; then
  cp "$given" "$bin"
else
  go build -o "$bin" .
fi
q=${keep:-$work/quarantine}
if [ ! -d "$q/cur" ]; then
  go run ./mailsrc/demo/gen -out "$q" -n "$n" >/dev/null
fi
export XDG_CACHE_HOME=$work/cache XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
mkdir -p "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"

floor() { find "$q" -type f -print0 | xargs -0 cat >/dev/null; }

# timed LABEL PREPARE COMMAND...: runs PREPARE (a function name, or :)
# before each timed run, then COMMAND under GNU time, then the floor; and
# prints the row.
timed() {
  local label=$1 prepare=$2; shift 2
  local ratios=() rss=() cpus=()
  floor # warm the page cache
  for _ in $(seq "$runs"); do
    $prepare
    /usr/bin/time -f '%e %M %U %S' -o "$work/t" "$@" >/dev/null 2>>"$work/stderr" || true
    # GNU time writes "Command exited with non-zero status N" first when
    # the command fails: the figures are on the last line.
    read -r wall kib user sys < <(tail -n 1 "$work/t")
    local t0 t1
    t0=$(date +%s.%N); floor; t1=$(date +%s.%N)
    ratios+=("$(echo "$wall / ($t1 - $t0)" | bc -l)")
    rss+=("$kib")
    cpus+=("$(echo "($user + $sys) * 1000000 / $count" | bc -l)")
  done
  local sorted med lo hi mrss
  sorted=$(printf '%s\n' "${ratios[@]}" | sort -g)
  med=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
  lo=$(echo "$sorted" | sed -n 1p)
  hi=$(echo "$sorted" | sed -n '$p')
  mrss=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  local csorted
  csorted=$(printf '%s\n' "${cpus[@]}" | sort -g)
  printf '| %-58s | %5.2f× (%.2f–%.2f) | %5.0f µs (%.0f–%.0f) | %4d MiB |\n' "$label" "$med" "$lo" "$hi" \
    "$(echo "$csorted" | sed -n "$(((runs + 1) / 2))p")" "$(echo "$csorted" | sed -n 1p)" "$(echo "$csorted" | sed -n '$p')" "$((mrss / 1024))"
}

nocache() { :; }
fresh_cache() { rm -rf "$XDG_CACHE_HOME/mxaudit"; }
fresh_notmuch() {
  rm -rf "$work/notmuch"
  mkdir -p "$work/notmuch"
  printf '[database]\npath=%s\nmail_root=%s\n' "$work/notmuch" "$q" >"$work/notmuch-config"
}
fresh_mu() { rm -rf "$work/mu"; mu init --quiet --muhome="$work/mu" --maildir="$q" >/dev/null; }
mscan_all() { mlist "$q" | mscan >/dev/null; }

count=$(find "$q" -type f | wc -l)
echo "$count messages, $(du -sh "$q" | cut -f1), $runs runs each, $(nproc) cores"
echo
echo "| command | wall ÷ floor, median (min–max) | CPU per message | peak RSS |"
echo "|---|---|---|---|"
timed "scan --json --offline --no-cache --no-ppap" nocache "$bin" scan --json --offline --no-cache --no-ppap "$q"
timed "scan --json --offline --no-cache (PPAP on)" nocache "$bin" scan --json --offline --no-cache "$q"
"$bin" scan --json --offline "$q" >/dev/null 2>&1 # fill the cache
timed "scan --json --offline, cache warm, PPAP on" nocache "$bin" scan --json --offline "$q"
timed "scan --json --offline, cache warm, --no-ppap" nocache "$bin" scan --json --offline --no-ppap "$q"
timed "scan --json --offline, cache cold (filled by the run)" fresh_cache "$bin" scan --json --offline "$q"
if command -v mlist >/dev/null && command -v mscan >/dev/null; then
  export -f mscan_all; export q
  timed "mblaze mlist | mscan (headers only)" nocache bash -c mscan_all
fi
if command -v notmuch >/dev/null; then
  timed "notmuch new (fresh database)" fresh_notmuch env NOTMUCH_CONFIG="$work/notmuch-config" notmuch new --quiet
fi
if command -v mu >/dev/null; then
  timed "mu index (fresh)" fresh_mu mu index --quiet --muhome="$work/mu"
fi
