set -euo pipefail
# Puts Trivy's database in CACHE_DIR/db for a scan that then never downloads (issue 18): a restored copy
# built under MAX_AGE_HOURS ago is used as it is; else Trivy downloads it, retried after each of
# RETRY_DELAYS (seconds) on a temporary answer (429, 5xx, timeout, no connection) only. No database:
# the step fails, and the scan does not run. DB_REPOSITORY empty = Trivy's own; REFRESH=true always downloads.
: "${CACHE_DIR:?CACHE_DIR must name the Trivy cache directory}"
: "${MAX_AGE_HOURS:?MAX_AGE_HOURS must be the freshness bound in hours}"

meta="$CACHE_DIR/db/metadata.json"
status=""
if [[ "${REFRESH:-false}" != "true" && -s "$CACHE_DIR/db/trivy.db" && -s "$meta" ]]; then
  # UpdatedAt: when the database was built upstream, i.e. the age of its data.
  age="$(jq -r 'if .Version == 2 and (.UpdatedAt | type == "string")
      then ((now - (.UpdatedAt | sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601)) / 3600 | floor)
      else "unusable" end' "$meta" 2>/dev/null || echo unusable)"
  if [[ "$age" =~ ^-?[0-9]+$ ]] && ((age < MAX_AGE_HOURS)); then
    echo "Using the cached vulnerability database (built ${age}h ago, under ${MAX_AGE_HOURS}h): no download."
    status=cached
  elif [[ "$age" =~ ^-?[0-9]+$ ]]; then
    echo "The cached vulnerability database was built ${age}h ago (${MAX_AGE_HOURS}h or more): downloading a new one."
  else
    echo "The cached vulnerability database is not one this Trivy reads: downloading a new one."
  fi
else
  echo "No cached vulnerability database: downloading it."
fi

if [[ -z "$status" ]]; then
  args=(image --download-db-only --no-progress --cache-dir "$CACHE_DIR")
  if [[ -n "${DB_REPOSITORY:-}" ]]; then
    args+=(--db-repository "$DB_REPOSITORY")
  fi
  read -r -a delays <<<"${RETRY_DELAYS:-}"
  log="$(mktemp)"
  attempt=1
  while :; do
    if trivy "${args[@]}" >"$log" 2>&1; then
      cat "$log"
      status=downloaded
      break
    fi
    cat "$log"
    if ! grep -Eqi 'TOOMANYREQUESTS|too many requests|status(code)?[ :=]*(429|5[0-9][0-9])|\b(429|50[0-9])\b|timeout|timed out|connection refused|connection reset|no such host|network is unreachable|temporar|unexpected EOF' "$log"; then
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
