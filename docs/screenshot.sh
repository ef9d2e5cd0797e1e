#!/usr/bin/env bash
# Renders docs/demo.png from the real console where VHS is not available:
# tmux runs `mxaudit demo`, capture-pane keeps the colours, aha turns them
# into HTML and headless Chromium takes the picture.
# Needs: tmux aha chromium fonts-noto-cjk fonts-dejavu-core (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'tmux kill-session -t mxshot 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/mxaudit" .
tmux new-session -d -s mxshot -x 110 -y 32 "TERM=xterm-256color $tmp/mxaudit demo"
sleep 3
# Sort by DMARC (8 × next column from date), failures first, encrypted only, details.
for _ in 1 2 3 4 5 6 7 8; do tmux send-keys -t mxshot s; sleep 0.15; done
tmux send-keys -t mxshot S; sleep 0.4
tmux send-keys -t mxshot 1; sleep 0.4
tmux send-keys -t mxshot Enter; sleep 1
tmux capture-pane -e -p -t mxshot > "$tmp/shot.ansi"
aha --black --title mxaudit < "$tmp/shot.ansi" |
  sed "s|<pre>|<pre style=\"font-family: 'Noto Sans Mono CJK JP', monospace; font-size: 14px; line-height: 1.25; margin: 8px\">|" |
  # Box drawing, arrows and the ellipsis are full-width in the CJK font; draw them narrow.
  sed -E "s/(─|…|↑|↓|•)/<span style=\"font-family:'DejaVu Sans Mono'\">\1<\/span>/g" > "$tmp/shot.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$tmp/chrome" --hide-scrollbars --window-size=800,590 \
  --screenshot="$PWD/docs/demo.png" "file://$tmp/shot.html"
