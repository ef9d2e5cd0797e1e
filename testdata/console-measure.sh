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
#
# DELIVER=1 in the environment first delivers one mail into the Maildir
# DIR (a copy of the first in cur/, under a new name in new/), so that
# the console starts on a quarantine changed since its last start, as
# after new mail arrived: for generated quarantines only. DELIVER=news
# delivers instead a plain notice, dated now, from a domain no other
# message is from: mail that PPAP pairing leaves alone wherever the
# copy's sender is one whose pairings it could change; DELIVER=news:N
# delivers N of them, as after a busy day (a snapshot is recorded again
# past 512 new messages; past 4,096, or 1,024 no scan has seen, none is
# held; everything is paired again past a quarter of the listing, or an
# eighth no scan has seen). DELIVER=zip
# delivers a copy of the first mail in cur/ (of its first 400) that
# carries a ZIP archive: mail that pairing reads, as when a PPAP
# partner's ZIP mail arrives.
#
# REMOVE=N in the environment first takes the N-th message of the
# Maildir DIR's cur/ (in name order) out of it, into DIR.removed/, as a
# release or a delete does: the console then starts on a listing with
# an entry missing in the middle (REMOVE=middle: the middle one).
set -eu
bin=$1 dir=$2
shift 2
sess=mxm$$
# A tmux server of its own (-L): a session started on a server already
# running (the operator's, or a run left over) gets that server's
# environment, not this script's, so that XDG_CACHE_HOME and the like
# given to the script would not reach the console.
tm() { tmux -L "$sess" "$@"; }
# Whatever ends the script (a timeout, a closed pipe) ends the console:
# one left running would hold its cache and share the machine.
trap 'tm kill-server 2>/dev/null; true' EXIT
trap 'exit 1' INT TERM HUP PIPE
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.3f", $1-$2}'; }
screen() { tm capture-pane -p -t "$sess"; }
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
		[ $i -gt "$max" ] && { echo "timeout waiting for $1" >&2; tm kill-session -t "$sess"; exit 1; }
		sleep "$every"
	done
}
tm kill-session -t "$sess" 2>/dev/null || true
# The mail is named as delivered now, or after the last name of the
# Maildir should a name be dated later (the generated million runs into
# the next year): a Maildir lists in the names' order, and mail listed
# among the rest is not new mail after the last scan's listing.
stamp() {
	ls -f "$dir/new" "$dir/cur" | awk -v now="$(date +%s)" -F. \
		'$1 ~ /^[0-9]+$/ && $1 + 0 > m { m = $1 + 0 } END { printf "%d", (m >= now ? m + 1 : now) }'
}
if [ -n "${REMOVE:-}" ]; then
	n=$REMOVE
	[ "$n" = middle ] && n=$(($(ls "$dir/cur" | wc -l) / 2))
	victim=$(ls "$dir/cur" | sed -n "${n}p")
	[ -n "$victim" ] || { echo "no message $n in $dir/cur" >&2; exit 1; }
	mkdir -p "$dir.removed"
	mv "$dir/cur/$victim" "$dir.removed/"
	echo "removed $victim"
fi
case "${DELIVER:-}" in
1)
	first=$(ls "$dir/cur" | head -n 1)
	cp "$dir/cur/$first" "$dir/new/$(stamp).M$$P0.measure"
	;;
zip)
	first=$(ls "$dir/cur" | head -n 400 | while read -r f; do
		if grep -q '^Content-Type: application/zip' "$dir/cur/$f"; then
			echo "$f"
			break
		fi
	done)
	[ -n "$first" ] || { echo "no ZIP mail among the first 400 in $dir/cur" >&2; exit 1; }
	name="$(stamp).M$$P2.measure"
	cp "$dir/cur/$first" "$dir/tmp/$name"
	mv "$dir/tmp/$name" "$dir/new/$name"
	;;
news | news:*)
	n=1
	[ "$DELIVER" = news ] || n=${DELIVER#news:}
	first=$(stamp) i=0
	while [ "$i" -lt "$n" ]; do
		name="$((first + i)).M$$P1Q$i.measure"
		printf 'From: News <news@unrelated-notices.example>\r\nTo: ops@quarantine.example\r\nSubject: notice %s\r\nDate: %s\r\nMessage-ID: <%s@unrelated-notices.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nA notice.\r\n' \
			"$name" "$(date -R)" "$name" >"$dir/tmp/$name"
		mv "$dir/tmp/$name" "$dir/new/$name"
		i=$((i + 1))
	done
	;;
esac
# The terminal path alone: tmux, send-keys and capture-pane around cat.
tm new-session -d -s "$sess" -x 160 -y 48 cat
sleep 0.3
base=""
for _ in 1 2 3 4 5; do
	before=$(screen)
	t=$(now)
	tm send-keys -t "$sess" x
	until [ "$(screen)" != "$before" ]; do sleep 0.005; done
	base="$base $(since "$t")"
done
echo "key_baseline $(echo $base | tr ' ' '\n' | sort -n | sed -n 3p)"
tm kill-session -t "$sess"
# The first rows and the scan's end are read from the pane's output
# stream (tmux pipe-pane), not by polling the screen: a tmux client
# every 5 ms took a third of a core from the console starting beside it
# (a warm start at 100,000 messages looked 0.15-0.3 s slower), and one
# every 100 ms still about a second of CPU from a 100,000-message scan on
# two cores. The stream has no line ends to speak of (the console moves
# the cursor), so perl reads it in chunks, keeping the tail of each so
# that a pattern split between two is still seen. The start is the time
# the pane's shell execs the console, written just before. Without perl
# the screen is polled as before, from when pgrep finds the console. (A
# mail whose subject reads "scan complete" or a date moves these marks:
# measure on generated quarantines.)
start_at=$(mktemp) rows_at=$(mktemp) done_at=$(mktemp)
stamp=""
command -v perl >/dev/null && stamp="perl -MTime::HiRes -e 'print Time::HiRes::time()' >$start_at;"
tm new-session -d -s "$sess" -x 160 -y 48 "sleep 0.2; $stamp exec $bin $dir $* ; sleep 600"
if [ -n "$stamp" ]; then
	# No "%" in the command: tmux expands strftime escapes in it.
	tm pipe-pane -t "$sess" "perl -MTime::HiRes -e '
		sub mark { open(my \$f, \">\", \$_[0]); print \$f Time::HiRes::time(), \"\\n\"; close \$f; }
		my (\$a, \$rows) = (\"\", 0);
		while (sysread(STDIN, my \$b, 65536)) {
			\$a .= \$b;
			if (!\$rows && \$a =~ /[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/) { mark(\"$rows_at\"); \$rows = 1; }
			if (\$a =~ /scan complete/) {
				mark(\"$done_at\");
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
	[ $i -gt 1000 ] && { echo "the console did not start" >&2; tm kill-session -t "$sess"; exit 1; }
	sleep 0.01
done
if [ -n "$stamp" ]; then
	i=0
	until [ -s "$done_at" ]; do
		i=$((i + 1))
		[ $i -gt 24000 ] && { echo "timeout waiting for the scan's end" >&2; tm kill-session -t "$sess"; exit 1; }
		sleep 0.05
	done
	t0=$(cat "$start_at")
	if [ -s "$rows_at" ]; then
		echo "first_rows $(echo "$(cat "$rows_at") $t0" | awk '{printf "%.3f", $1-$2}')"
	else
		echo "first_rows none" # an empty listing shows no dated row
	fi
	echo "scan_complete $(echo "$(cat "$done_at") $t0" | awk '{printf "%.3f", $1-$2}')"
else
	t0=$(now) # the console's own start, after the pane's shell
	waitfor '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}'
	echo "first_rows $(since "$t0")"
	waitfor 'scan complete' 0.1
	echo "scan_complete $(since "$t0")"
fi
rm -f "$start_at" "$rows_at" "$done_at"
# key → screen: send a key, wait until the screen differs. Update
# handles the whole key (sort, filter) before the frame is drawn, so the
# first changed frame is the key's result.
waitchange() {
	i=0
	while [ "$(screen)" = "$1" ]; do
		i=$((i + 1))
		[ $i -gt 24000 ] && { echo "timeout after a key" >&2; tm kill-session -t "$sess"; exit 1; }
		sleep 0.005
	done
}
key() {
	before=$(screen)
	t=$(now)
	tm send-keys -t "$sess" "$2"
	waitchange "$before"
	echo "$1 $(since "$t")"
}
key key_s s
key key_s2 s
key key_S S
tm send-keys -t "$sess" /
sleep 0.3
key key_filter_e e
key key_filter_x x
key key_filter_a a
key key_filter_bs BSpace
key key_filter_bs2 BSpace
tm send-keys -t "$sess" Enter
sleep 0.3
key key_G G
key key_g g
if [ ! -e /proc/"$pid" ]; then
	# The console ended before its figures could be read: show why.
	echo "the console exited; its pane:" >&2
	tm capture-pane -p -t "$sess" -S -60 >&2
	exit 1
fi
awk '/VmHWM/{printf "vmhwm_mib %.0f\n", $2/1024} /VmRSS/{printf "vmrss_mib %.0f\n", $2/1024}' /proc/"$pid"/status
awk '{printf "cpu_s %.1f\n", ($14+$15)/100}' /proc/"$pid"/stat
tm kill-session -t "$sess"
