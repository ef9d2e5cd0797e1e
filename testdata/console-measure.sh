#!/bin/sh
# console-measure.sh — drive the console in tmux and time it as an
# operator sees it: the first rows, the scan's completion, the peak
# resident memory, and key → screen for sort, filter keystrokes and G.
#
#   testdata/console-measure.sh BINARY DIR [extra mxaudit flags]
#
# Prints one "name seconds" line per figure and "vmhwm_mib N". Key
# latencies are measured by polling tmux capture-pane every 5 ms, so they
# carry up to ~10 ms of polling error; run it several times and quote
# min/median/max. The same path costs something with any program behind
# it: key_baseline is a key echoed by cat in a pane of the same size,
# to subtract from the console's figures.
set -eu
bin=$1 dir=$2
shift 2
sess=mxm$$
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.3f", $1-$2}'; }
screen() { tmux capture-pane -p -t "$sess"; }
# waitfor PATTERN [SECONDS]: poll the screen every SECONDS (default
# 0.005) until PATTERN (grep -E) shows, for at most 20 minutes. Each poll
# starts a tmux client, a few milliseconds of CPU: polling every 5 ms for
# the whole scan took a third of a core from the console and made a
# 100,000-message scan look 6 s slower, so the scan's end is polled every
# 100 ms (its figure carries up to 100 ms more error).
waitfor() {
	every=${2:-0.005}
	max=$(echo "$every" | awk '{printf "%d", 1200 / $1}')
	i=0
	until screen | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -gt "$max" ] && { echo "timeout waiting for $1" >&2; tmux kill-session -t "$sess"; exit 1; }
		sleep "$every"
	done
}
tmux kill-session -t "$sess" 2>/dev/null || true
# The terminal path alone: tmux, send-keys and capture-pane around cat.
tmux new-session -d -s "$sess" -x 160 -y 48 cat
sleep 0.3
base=""
for _ in 1 2 3 4 5; do
	before=$(screen)
	t=$(now)
	tmux send-keys -t "$sess" x
	until [ "$(screen)" != "$before" ]; do sleep 0.005; done
	base="$base $(since "$t")"
done
echo "key_baseline $(echo $base | tr ' ' '\n' | sort -n | sed -n 3p)"
tmux kill-session -t "$sess"
t0=$(now)
tmux new-session -d -s "$sess" -x 160 -y 48 "$bin $dir $* ; sleep 600"
pid=""
while [ -z "$pid" ]; do pid=$(pgrep -n -f "^$bin $dir" || true); done
waitfor '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}'
echo "first_rows $(since "$t0")"
waitfor 'scan complete' 0.1
echo "scan_complete $(since "$t0")"
# key → screen: send a key, wait until the screen differs. Update
# handles the whole key (sort, filter) before the frame is drawn, so the
# first changed frame is the key's result.
waitchange() {
	i=0
	while [ "$(screen)" = "$1" ]; do
		i=$((i + 1))
		[ $i -gt 24000 ] && { echo "timeout after a key" >&2; tmux kill-session -t "$sess"; exit 1; }
		sleep 0.005
	done
}
key() {
	before=$(screen)
	t=$(now)
	tmux send-keys -t "$sess" "$2"
	waitchange "$before"
	echo "$1 $(since "$t")"
}
key key_s s
key key_s2 s
key key_S S
tmux send-keys -t "$sess" /
sleep 0.3
key key_filter_e e
key key_filter_x x
key key_filter_a a
key key_filter_bs BSpace
key key_filter_bs2 BSpace
tmux send-keys -t "$sess" Enter
sleep 0.3
key key_G G
key key_g g
awk '/VmHWM/{printf "vmhwm_mib %.0f\n", $2/1024} /VmRSS/{printf "vmrss_mib %.0f\n", $2/1024}' /proc/"$pid"/status
awk '{printf "cpu_s %.1f\n", ($14+$15)/100}' /proc/"$pid"/stat
tmux kill-session -t "$sess"
