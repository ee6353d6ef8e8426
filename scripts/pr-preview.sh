#!/usr/bin/env bash
# Pull-request preview: `tappaas pr-preview STACK` for every stack a change touches, into one
# Markdown file (the CI posts it as a comment). The CI workflows call this through
# `make preview`; tests/engine/test_pr_preview.py runs it on the lab.
#
# Usage: scripts/pr-preview.sh OUT.md
#   STACKS="prod peer"   stacks to preview (default: those the change touches, see below)
#   PR_BASE=origin/main  base of the change; a change to the program previews every stack,
#                        a change to Pulumi.<stack>.yaml previews that stack
#   PROJECT_DIR=.        the Pulumi project directory
# The backend and secrets come from the environment, as for `pulumi preview`:
# PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE (and SSL_CERT_FILE for a private CA).
# A stack file with a line starting "# ci-preview: skip" is not previewed (its preview needs
# what a CI runner has not, e.g. a cloud's plugins and credentials): the rest of that line
# says why, and the Markdown says the stack was skipped and why. Pulumi.cloud.yaml has one.
set -euo pipefail
OUT="${1:?usage: pr-preview.sh OUT.md}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PROJECT_DIR="${PROJECT_DIR:-$REPO}"
TAPPAAS="${TAPPAAS:-$REPO/.venv/bin/tappaas}"
say() { printf '[pr-preview] %s\n' "$*" >&2; }
SKIP_MARKER="# ci-preview: skip"

if [ -z "${STACKS:-}" ]; then
  base="${PR_BASE:-origin/main}"
  changed=$(git -C "$PROJECT_DIR" diff --name-only "$base"...HEAD) \
    || { say "FAILED: cannot diff against $base (fetch it, or set STACKS)"; exit 2; }
  all=$(cd "$PROJECT_DIR" && ls Pulumi.*.yaml 2>/dev/null | sed -e 's/^Pulumi\.//' -e 's/\.yaml$//' | grep -v '^lab' || true)
  if printf '%s\n' "$changed" | grep -qE '^(tappaas|providers)/|^__main__\.py$|^Pulumi\.yaml$|^pyproject\.toml$'; then
    STACKS="$all"
  else
    STACKS=$(printf '%s\n' "$changed" | sed -n 's/^Pulumi\.\(.*\)\.yaml$/\1/p' | grep -v '^lab' || true)
  fi
fi
: > "$OUT"
if [ -z "$(printf '%s' "$STACKS" | tr -d '[:space:]')" ]; then
  say "no stack is touched by this change"
  echo "No stack is touched by this change." > "$OUT"
  exit 0
fi
status=0
part="$(mktemp)"
for stack in $STACKS; do
  stack_file="$PROJECT_DIR/Pulumi.$stack.yaml"
  if grep -q "^$SKIP_MARKER" "$stack_file" 2>/dev/null; then
    reason=$(sed -n "s/^$SKIP_MARKER[:[:space:]]*//p" "$stack_file" | head -n 1)
    reason="${reason:-its stack file says \`$SKIP_MARKER\`}"
    say "skipping $stack (not previewable in CI: $reason)"
    printf '### `pulumi preview` of stack `%s`: not run in CI\n\n%s\n\n' "$stack" "$reason" >> "$OUT"
    continue
  fi
  say "previewing $stack"
  "$TAPPAAS" pr-preview "$stack" --dir "$PROJECT_DIR" --out "$part" >/dev/null || status=1
  cat "$part" >> "$OUT"
  echo >> "$OUT"
done
rm -f "$part"
say "wrote $OUT (exit $status)"
exit $status
