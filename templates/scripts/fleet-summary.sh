# relay-security fleet: the table of every repository of the matrix, from the jobs' result files
# (RESULTS/*/result.json). A repository whose job wrote none (it failed before, or was cancelled) is an
# error. Written to the run's summary; the job fails when any repository is in error.
set -euo pipefail
rows=$(find "$RESULTS" -name result.json -exec cat {} + 2>/dev/null | jq -s -c '.' || echo '[]')
table=$(jq -n -r --argjson repos "$REPOS" --argjson rows "$rows" '
  def cell: tostring | gsub("\\|"; "\\|") | gsub("\r?\n"; " ");
  [ $repos[] as $r | (($rows | map(select(.repository == $r)) | first) // {repository: $r, state: "error", pr: "", detail: "the job wrote no result (see its log)"}) ] as $all
  | "\($all | length) repositories: " + ([ "error", "conflict", "drift", "not set up", "current" ] | map(. as $s | ($all | map(select(.state == $s)) | length) as $n | select($n > 0) | "\($n) \($s)") | join(", ")),
    "",
    "| repository | state | PR | detail |",
    "|---|---|---|---|",
    ($all[] | "| \(.repository | cell) | \(.state) | \(.pr | cell) | \(.detail | cell) |")')
printf '%s\n' "$table" >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
printf '%s\n' "$table"
if grep -q '^| [^|]* | error |' <<<"$table"; then
  exit 1
fi
