# relay-security fleet: one repository. Reads its state with `npx create-relay-security fleet --local --json`;
# with MODE=upgrade, sets up or upgrades a repository in drift or not set up, with --pr. Writes
# {repository, state, pr, detail} to RESULT for the summary job. The job fails only on an error.
set -euo pipefail
read -r -a relay <<<"${RELAY_SECURITY:?}"
mkdir -p "$(dirname "$RESULT")"
result() {
  jq -n --arg repository "$REPO" --arg state "$1" --arg pr "$2" --arg detail "$3" \
    '{repository: $repository, state: $state, pr: $pr, detail: $detail}' >"$RESULT"
  echo "$REPO: $1${2:+ ($2)}${3:+: $3}"
}
code=0
out=$("${relay[@]}" fleet --local --json "$TARGET") || code=$?
if [ "$code" -gt 1 ] || ! state=$(jq -er '.results[0].state' <<<"$out" 2>/dev/null); then
  result error "" "relay-security fleet exited $code"
  exit 1
fi
detail=$(jq -r '.results[0].detail' <<<"$out")
if [ "$state" = error ]; then
  result error "" "$detail"
  exit 1
fi
pr=""
if [ "$MODE" = upgrade ] && { [ "$state" = drift ] || [ "$state" = "not set up" ]; }; then
  args=(--yes --pr --json)
  answers="$ANSWERS_DIR/$REPO.json"
  if [ "$state" = "not set up" ] && [ -f "$answers" ]; then
    args+=(--answers "$PWD/$answers")
  fi
  # The commit's author; the push goes over https with GH_TOKEN through gh's credential helper.
  export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-relay-security}" GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-relay-security}"
  export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-relay-security@users.noreply.github.com}" GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-relay-security@users.noreply.github.com}"
  if [ -n "${GH_TOKEN:-}" ]; then
    gh auth setup-git
  fi
  code=0
  run=$(cd "$TARGET" && "${relay[@]}" "${args[@]}" .) || code=$?
  pr=$(jq -r '.pr.url // ""' <<<"$run" 2>/dev/null || true)
  why=$(jq -r '.pr.why // .error // ""' <<<"$run" 2>/dev/null || true)
  if [ "$code" -gt 1 ] || { [ -z "$pr" ] && [ -n "$why" ]; }; then
    result error "" "${why:-set-up / upgrade exited $code}"
    exit 1
  fi
fi
result "$state" "$pr" "$detail"
