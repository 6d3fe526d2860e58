# Puts Trivy's database in CACHE_DIR/db for a scan that then never
# downloads (issue 18): a restored copy built under MAX_AGE_HOURS ago is
# used as it is; else Trivy downloads it, retried by retry_download
# (above) on a temporary answer only. No database: the step fails, and
# the scan does not run. DB_REPOSITORY empty = Trivy's own repositories;
# REFRESH=true always downloads.
: "${CACHE_DIR:?CACHE_DIR must name the Trivy cache directory}"
: "${MAX_AGE_HOURS:?MAX_AGE_HOURS must be the freshness bound in hours}"

meta="$CACHE_DIR/db/metadata.json"
status=""
if [[ "${REFRESH:-false}" != "true" && -s "$CACHE_DIR/db/trivy.db" &&
  -s "$meta" ]]; then
  # UpdatedAt: when the database was built upstream (its data's age).
  age="$(jq -r 'if .Version == 2 and (.UpdatedAt | type == "string")
      then ((now - (.UpdatedAt | sub("\\.[0-9]+"; "")
        | sub("\\+00:00$"; "Z") | fromdateiso8601)) / 3600 | floor)
      else "unusable" end' "$meta" 2>/dev/null || echo unusable)"
  if is_fresh "$age"; then
    status=cached
  fi
else
  echo "No cached vulnerability database: downloading it."
fi

if [[ -z "$status" ]]; then
  args=(image --download-db-only --no-progress --cache-dir "$CACHE_DIR")
  if [[ -n "${DB_REPOSITORY:-}" ]]; then
    args+=(--db-repository "$DB_REPOSITORY")
  fi
  get_database trivy "${args[@]}"
  status=downloaded
fi
step_status "$status"
