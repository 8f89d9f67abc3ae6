#!/usr/bin/env bash
# README.md is assembled from docs/*.md so each part is kept beside the others' in one place and
# the README stays whole. Run after editing any of them.
set -euo pipefail
cd "$(dirname "$0")/.."
parts=(intro commands planner engine gates reports fleet containers bench dependencies)
{
  for part in "${parts[@]}"; do
    [ -f "docs/${part}.md" ] || continue
    cat "docs/${part}.md"
    printf '\n'
  done
} > README.md
echo "README.md: $(wc -l < README.md) lines from ${#parts[@]} parts"
