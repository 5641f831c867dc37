#!/usr/bin/env bash
# Captures tests/data/ocr/engine/xterm-sentences.png: prose in Debian's xterm (DejaVu Sans Mono,
# 14 pt) under Xvfb, as `import` (imagemagick) sees the screen. A real terminal, not a drawing:
# its full stops are a 2x2 dot in the middle of their cell, a good part of a character width from
# their letter, which a drawn fixture does not reproduce. Needs xvfb, xterm, imagemagick.
set -euo pipefail
out=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../data/ocr/engine" && pwd)
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 800x300x24 -nolisten tcp &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
lines=("The class had eight. Pupils read the text aloud, then wrote."
       "Il y a huit élèves. Ils lisent, puis écrivent. Le chat dort.")
DISPLAY=$display xterm -fa "DejaVu Sans Mono" -fs 14 -geometry 70x4+0+0 \
  -e bash -c "printf '%s\n' \"\$@\"; sleep 30" _ "${lines[@]}" &
sleep 3
DISPLAY=$display import -window root -crop 740x80+0+0 +repage "$out/xterm-sentences.png"
printf '%s\n' "${lines[@]}" >"$out/xterm-sentences.txt"
kill %2 2>/dev/null || true
