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
# The scan's end is read from the pane's output stream (tmux pipe-pane),
# not by polling the screen: a tmux client every 100 ms still took about
# a second of CPU from a 100,000-message scan on two cores. The stream
# has no line ends to speak of (the console moves the cursor), so perl
# reads it in chunks; without perl the screen is polled as before.
done_at=$(mktemp)
tmux new-session -d -s "$sess" -x 160 -y 48 "sleep 0.2; exec $bin $dir $* ; sleep 600"
if command -v perl >/dev/null; then
	# No "%" in the command: tmux expands strftime escapes in it.
	tmux pipe-pane -t "$sess" "perl -MTime::HiRes -e '
		my \$a = \"\";
		while (sysread(STDIN, my \$b, 65536)) {
			\$a .= \$b;
			if (\$a =~ /scan complete/) {
				open(my \$f, \">\", \"$done_at\"); print \$f Time::HiRes::time(), \"\\n\"; close \$f;
				1 while sysread(STDIN, \$b, 65536);
				exit;
			}
			\$a = substr(\$a, -64);
		}'"
fi
# Polled every 10 ms, not in a busy loop, which took a core from the
# console starting beside it.
pid="" i=0
until pid=$(pgrep -n -f "^$bin $dir"); do
	i=$((i + 1))
	[ $i -gt 1000 ] && { echo "the console did not start" >&2; tmux kill-session -t "$sess"; exit 1; }
	sleep 0.01
done
t0=$(now) # the console's own start, after the pane's shell
waitfor '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}'
echo "first_rows $(since "$t0")"
if command -v perl >/dev/null; then
	until [ -s "$done_at" ]; do sleep 0.05; done
	echo "scan_complete $(echo "$(cat "$done_at") $t0" | awk '{printf "%.3f", $1-$2}')"
else
	waitfor 'scan complete' 0.1
	echo "scan_complete $(since "$t0")"
fi
rm -f "$done_at"
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
