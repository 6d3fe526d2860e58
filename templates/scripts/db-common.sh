set -euo pipefail
# Shared by the database steps of both scanners (their part follows).
# retry_download COMMAND...: runs the database download, retried after
# each of RETRY_DELAYS (seconds) while the answer is temporary (429
# TOOMANYREQUESTS, 5xx, a timeout, no connection); a permanent answer
# (denied, unknown repository) is not retried. Exit status 0 once it
# succeeded, 1 when it gave up.
TEMPORARY='TOOMANYREQUESTS|too many requests|\b(429|50[0-9])\b'
TEMPORARY+='|timeout|timed out|connection refused|connection reset'
TEMPORARY+="|no such host|network is unreachable|temporar"
TEMPORARY+="|unexpected EOF"
retry_download() {
  local -a delays
  local attempt=1 log delay
  read -r -a delays <<<"${RETRY_DELAYS:-}"
  log="$(mktemp)"
  while :; do
    if "$@" >"$log" 2>&1; then
      cat "$log"
      rm -f "$log"
      return 0
    fi
    cat "$log"
    if ! grep -Eqi "$TEMPORARY" "$log"; then
      echo "Attempt $attempt failed with an answer that is not" \
        "temporary: not retried."
      break
    fi
    if ((attempt > ${#delays[@]})); then
      echo "Attempt $attempt failed with a temporary error;" \
        "no retries left."
      break
    fi
    delay="${delays[$((attempt - 1))]}"
    echo "Attempt $attempt failed with a temporary error;" \
      "retrying in ${delay}s."
    sleep "$delay"
    attempt=$((attempt + 1))
  done
  rm -f "$log"
  return 1
}

# get_database COMMAND...: retry_download, or fail the step: without a
# database the scan cannot run. The error annotation says so on the
# run's page, so a red job is not read as a vulnerability; WHEN_FAILED
# ends it with what to do next.
get_database() {
  local title text
  if ! retry_download "$@"; then
    echo "The vulnerability database could not be downloaded:" \
      "the scan cannot run."
    if [[ "${REFRESH:-false}" == "true" ]]; then
      title="Vulnerability database not saved"
      text="the vulnerability database could not be downloaded, so no"
      text+=" cache was saved; the gate and the rescan download it"
      text+=" themselves until this job succeeds."
    else
      title="Vulnerability scan did not run"
      text="the scan did not run: the vulnerability database could"
      text+=" not be downloaded; this is not a finding."
    fi
    echo "::error title=$title::$text${WHEN_FAILED:+ $WHEN_FAILED}"
    exit 1
  fi
}

# step_status STATUS: the step's `status` output (cached or downloaded).
step_status() {
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "status=$1" >>"$GITHUB_OUTPUT"
  fi
}

# is_fresh AGE: AGE (hours since the cached database was built upstream,
# or "unusable") is under MAX_AGE_HOURS, so the copy is used as it is.
is_fresh() {
  if [[ "$1" =~ ^-?[0-9]+$ ]] && (($1 < MAX_AGE_HOURS)); then
    echo "Using the cached vulnerability database (built ${1}h ago," \
      "under ${MAX_AGE_HOURS}h): no download."
    return 0
  elif [[ "$1" =~ ^-?[0-9]+$ ]]; then
    echo "The cached vulnerability database was built ${1}h ago" \
      "(${MAX_AGE_HOURS}h or more): downloading a new one."
  else
    echo "No usable cached vulnerability database: downloading it."
  fi
  return 1
}
