# Puts Grype's database in GRYPE_DB_CACHE_DIR for a scan that then never
# checks for updates (issue 18): a restored copy that `grype db status`
# calls valid and that was built under MAX_AGE_HOURS ago is used as it
# is; else `grype db update`, retried by retry_download (above) on a
# temporary answer only. No database: the step fails, and the scan does
# not run. GRYPE_DB_UPDATE_URL empty = Grype's own listing; REFRESH=true
# always downloads.
: "${GRYPE_DB_CACHE_DIR:?GRYPE_DB_CACHE_DIR must name the database dir}"
: "${MAX_AGE_HOURS:?MAX_AGE_HOURS must be the freshness bound in hours}"
grype="${GRYPE:-grype}"
if [[ -z "${GRYPE_DB_UPDATE_URL:-}" ]]; then
  unset GRYPE_DB_UPDATE_URL
fi

status=""
if [[ "${REFRESH:-false}" != "true" ]]; then
  # `built`: when the database was built upstream (its data's age).
  age="$("$grype" db status -o json 2>/dev/null |
    jq -r 'if .valid == true and (.built | type == "string")
      then ((now - (.built | sub("\\.[0-9]+"; "")
        | sub("\\+00:00$"; "Z") | fromdateiso8601)) / 3600 | floor)
      else "unusable" end' 2>/dev/null || echo unusable)"
  if is_fresh "$age"; then
    status=cached
  fi
fi

if [[ -z "$status" ]]; then
  get_database "$grype" db update
  status=downloaded
fi
step_status "$status"
