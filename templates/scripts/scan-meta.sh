set -euo pipefail
# What the issue body needs and the scanners' reports do not say: the commit that was checked out and
# scanned, when, and the date of the vulnerability database for a scanner whose report leaves it out
# (the image job passes its action's cached db/metadata.json; others put the date in their own JSON).
# Env: OUT_DIR (what the artifact uploads), DB_METADATA (optional: a JSON file with an UpdatedAt date).
: "${OUT_DIR:?OUT_DIR must name the results directory}"
mkdir -p "$OUT_DIR"
commit="$(git rev-parse HEAD 2>/dev/null || true)"
db=""
if [[ -n "${DB_METADATA:-}" && -s "$DB_METADATA" ]]; then
  db="$(jq -r '.UpdatedAt // "" | tostring' "$DB_METADATA" 2>/dev/null || true)"
fi
COMMIT="$commit" DB_UPDATED_AT="$db" jq -n '{
  commit: (env.COMMIT | select(test("^[0-9a-f]{40}$")) // null),
  scanned_at: (now | todate),
  db_updated_at: (env.DB_UPDATED_AT | select(. != "") // null)
}' >"$OUT_DIR/meta.json"
echo "Recorded the commit, the scan time and the database date for the issue."
