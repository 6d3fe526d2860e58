set -euo pipefail
# Text mode is the health check: exit 0 or 3 means the scan finished, anything else means it failed.
# The decision comes from `-format json` (which always exits 0) with the accepted risks of IGNORE_FILE
# removed: a vulnerability counts when a finding's first trace frame names a function and the trace
# reaches it from our code (two frames or more), unless its ID or one of its aliases is accepted.
# Env: OUT_DIR (what the artifact uploads), IGNORE_FILE (the accepted risks; optional file).
: "${OUT_DIR:?OUT_DIR must name the results directory}"
ignore_file="${IGNORE_FILE:-.govulncheckignore}"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/status" "$OUT_DIR/results.json" "$OUT_DIR/accepted.json"

rc=0
govulncheck ./... || rc=$?
case "$rc" in
  0 | 3) ;;
  *)
    echo "::error::govulncheck failed (exit code $rc; see its output above):" \
      "the scan did not finish. No issue is filed or closed for this run."
    exit 1
    ;;
esac

json_rc=0
govulncheck -format json ./... >"$OUT_DIR/raw.json" || json_rc=$?
if [[ "$json_rc" -ne 0 ]] || ! jq -se 'length > 0 and any(.[]; type == "object" and has("config"))' \
    "$OUT_DIR/raw.json" >/dev/null 2>&1; then
  rm -f "$OUT_DIR/raw.json"
  echo "::error::govulncheck -format json failed (exit code $json_rc) or" \
    "wrote no JSON stream: no report for the issue. No issue is filed or" \
    "closed for this run."
  exit 1
fi

# The accepted risks: `ID exp:YYYY-MM-DD` lines (BOM and CR stripped). An entry counts until midnight
# UTC of its date, like a .trivyignore exp:; one without a valid exp: never counts.
today="$(date -u +%F)"
accepted='[]'
if [[ -f "$ignore_file" ]]; then
  accepted="$(jq -Rn --arg today "$today" '
    [ inputs | sub("^\ufeff"; "") | sub("\r$"; "") | [splits("[ \t]+")] | map(select(. != ""))
      | select(length > 0 and (.[0] | startswith("#") | not))
      | { id: .[0], exp: (map(select(startswith("exp:")))[0] // "" | ltrimstr("exp:")) } ]
    | map(if (.exp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") | not) then .state = "no valid exp:"
          elif .exp <= $today then .state = "expired" else .state = "active" end)' <"$ignore_file")"
  IGNORE_NAME="$ignore_file" jq -r '.[] | select(.state != "active")
    | "::warning::\(env.IGNORE_NAME): \(.id) is not accepted (\(.state)\(if .state == "expired" then " on \(.exp)" else "" end)); it counts as a finding."' \
    <<<"$accepted"
fi

# The called vulnerabilities, their aliases, and which accepted entry each one matches.
jq -s --argjson accepted "$accepted" '
  (map(select(type == "object" and (.osv | type) == "object") | .osv | {key: (.id | tostring), value: ([.id] + (.aliases // []))})
    | from_entries) as $names
  | ($accepted | map(select(.state == "active"))) as $active
  | [ .[] | select(type == "object" and (.finding | type) == "object") | .finding
      | select((.trace | type) == "array" and (.trace | length) >= 2 and ((.trace[0].function // "") | tostring) != "")
      | (.osv | tostring) ] | unique
  | map(. as $id | { id: $id, entry: ([ $active[] | select(.id as $e | ($names[$id] // [$id]) | index($e)) ] | first) })' \
  "$OUT_DIR/raw.json" >"$OUT_DIR/called.json"

jq -c '.[] | select(.entry) | { id, accepted_as: .entry.id, exp: .entry.exp }' "$OUT_DIR/called.json" >"$OUT_DIR/accepted.json"
if [[ -s "$OUT_DIR/accepted.json" ]]; then
  # The report without the accepted vulnerabilities' findings, so the issue lists only what counts.
  jq -c --slurpfile acc "$OUT_DIR/accepted.json" '($acc | map(.id)) as $drop
    | select((type == "object" and (.finding | type) == "object" and ((.finding.osv | tostring) | IN($drop[]))) | not)' \
    "$OUT_DIR/raw.json" >"$OUT_DIR/results.json"
  while IFS=$'\t' read -r id as exp; do
    echo "govulncheck: $id is called but accepted in $ignore_file (as $as) until $exp"
  done < <(jq -r '[.id, .accepted_as, .exp] | @tsv' "$OUT_DIR/accepted.json")
else
  rm -f "$OUT_DIR/accepted.json"
  mv "$OUT_DIR/raw.json" "$OUT_DIR/results.json"
fi

if jq -e 'any(.[]; .entry == null)' "$OUT_DIR/called.json" >/dev/null; then
  status=findings
elif [[ "$rc" -eq 3 ]] && jq -e 'length == 0' "$OUT_DIR/called.json" >/dev/null; then
  # The two reports disagree: keep the scan red rather than trust the quieter one.
  echo "::warning::govulncheck's text report found called vulnerabilities," \
    "but its JSON lists none."
  status=findings
else
  status=clean
fi
rm -f "$OUT_DIR/raw.json" "$OUT_DIR/called.json"

echo "govulncheck: $status"
echo "$status" >"$OUT_DIR/status"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
