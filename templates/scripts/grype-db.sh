set -euo pipefail
# Puts Grype's database in GRYPE_DB_CACHE_DIR for a scan that then never checks for updates (issue 18):
# a restored copy that `grype db status` calls valid and that was built under MAX_AGE_HOURS ago is used
# as it is; else `grype db update`, retried after each of RETRY_DELAYS (seconds) on a temporary answer
# (429, 5xx, timeout, no connection) only. No database: the step fails, and the scan does not run.
# GRYPE_DB_UPDATE_URL empty = Grype's own listing; REFRESH=true always downloads.
: "${GRYPE_DB_CACHE_DIR:?GRYPE_DB_CACHE_DIR must name the Grype database directory}"
: "${MAX_AGE_HOURS:?MAX_AGE_HOURS must be the freshness bound in hours}"
grype="${GRYPE:-grype}"
if [[ -z "${GRYPE_DB_UPDATE_URL:-}" ]]; then
  unset GRYPE_DB_UPDATE_URL
fi

status=""
if [[ "${REFRESH:-false}" != "true" ]]; then
  # `built` is when the database was built upstream, i.e. the age of its data.
  age="$("$grype" db status -o json 2>/dev/null | jq -r 'if .valid == true and (.built | type == "string")
      then ((now - (.built | sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601)) / 3600 | floor)
      else "unusable" end' 2>/dev/null || echo unusable)"
  if [[ "$age" =~ ^-?[0-9]+$ ]] && ((age < MAX_AGE_HOURS)); then
    echo "Using the cached vulnerability database (built ${age}h ago, under ${MAX_AGE_HOURS}h): no download."
    status=cached
  elif [[ "$age" =~ ^-?[0-9]+$ ]]; then
    echo "The cached vulnerability database was built ${age}h ago (${MAX_AGE_HOURS}h or more): downloading a new one."
  else
    echo "No usable cached vulnerability database: downloading it."
  fi
fi

if [[ -z "$status" ]]; then
  read -r -a delays <<<"${RETRY_DELAYS:-}"
  log="$(mktemp)"
  attempt=1
  while :; do
    if "$grype" db update >"$log" 2>&1; then
      cat "$log"
      status=downloaded
      break
    fi
    cat "$log"
    if ! grep -Eqi 'TOOMANYREQUESTS|too many requests|\b(429|50[0-9])\b|timeout|timed out|connection refused|connection reset|no such host|network is unreachable|temporar|unexpected EOF' "$log"; then
      echo "Attempt $attempt failed with an answer that is not temporary: not retried."
      break
    fi
    if ((attempt > ${#delays[@]})); then
      echo "Attempt $attempt failed with a temporary error; no retries left."
      break
    fi
    delay="${delays[$((attempt - 1))]}"
    echo "Attempt $attempt failed with a temporary error; retrying in ${delay}s."
    sleep "$delay"
    attempt=$((attempt + 1))
  done
  rm -f "$log"
  if [[ "$status" != "downloaded" ]]; then
    echo "The vulnerability database could not be downloaded: the scan cannot run."
    exit 1
  fi
fi

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
