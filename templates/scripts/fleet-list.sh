# relay-security fleet: the repositories of the matrix, as a JSON array on the step's output `repos`.
# From REPOS_FILE (one OWNER/NAME a line, # comments), or every repository of ORG with TOPIC that is not
# archived (gh api, paginated; the search API's index lags, the repository list does not).
set -euo pipefail
if [ -n "${REPOS_FILE:-}" ]; then
  list=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$REPOS_FILE" | grep -v '^$' || true)
else
  list=$(gh api --paginate "orgs/$ORG/repos?per_page=100" | jq -s -r --arg topic "$TOPIC" \
    'add | .[] | select(.archived | not) | select(.topics | index($topic)) | .full_name')
fi
bad=$(printf '%s\n' "$list" | grep -Ev '^$|^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$' || true)
if [ -n "$bad" ]; then
  echo "::error::not OWNER/NAME: $bad"
  exit 1
fi
repos=$(printf '%s\n' "$list" | jq -R -s -c 'split("\n") | map(select(length > 0)) | unique')
count=$(jq 'length' <<<"$repos")
# GitHub runs at most 256 jobs from one matrix.
if [ "$count" -gt 256 ]; then
  echo "::error::$count repositories; a matrix runs at most 256 jobs. Split the list into several fleet workflows."
  exit 1
fi
echo "$count repositories"
echo "repos=$repos" >>"$GITHUB_OUTPUT"
