set -euo pipefail
# Decide from Grype's JSON report, never from the scan step's outcome, with the PR gate's policy.
# anchore/scan-action passes severity-cutoff to Grype as --fail-on, which only sets the exit code,
# and only-fixed as --only-fixed, which (like the .grype.yaml ignore rules) moves matches from
# `matches` to `ignoredMatches`. So `matches` still lists every severity: a match counts here when
# its fix state is "fixed" and its severity is at or above SEVERITY_CUTOFF (Grype ranks Unknown
# below Negligible and never fails on it). The issue job applies the same filter to the same report.
# A scan that did not finish writes no report: a red run, no status, so the issue job leaves the issue alone.
# Env: RESULTS_FILE (scan-action's output-file), OUT_DIR (what the artifact uploads), SEVERITY_CUTOFF
# (scan-action's severity-cutoff: negligible, low, medium, high or critical).
: "${RESULTS_FILE:?RESULTS_FILE must name the Grype JSON report}"
: "${OUT_DIR:?OUT_DIR must name the results directory}"
: "${SEVERITY_CUTOFF:?SEVERITY_CUTOFF must be the severity-cutoff of the gate}"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/status" "$OUT_DIR/results.json"

case "$SEVERITY_CUTOFF" in
  negligible | low | medium | high | critical) ;;
  *)
    echo "::error::SEVERITY_CUTOFF must be negligible, low, medium, high or" \
      "critical (Grype's severity-cutoff). No issue is filed or closed for" \
      "this run."
    exit 1
    ;;
esac

if [[ ! -s "$RESULTS_FILE" ]]; then
  echo "::error::Grype wrote no report at $RESULTS_FILE: the scan did not" \
    "finish (vulnerability DB download, registry or image error; see the" \
    "scan step's log). No issue is filed or closed for this run."
  exit 1
fi
# A finished scan writes one object with a `matches` list (empty when nothing was found) and a descriptor naming grype.
if ! jq -se 'length == 1 and (.[0] | type == "object"
    and (.matches | type == "array")
    and all(.matches[]; type == "object")
    and (.descriptor | type == "object") and .descriptor.name == "grype")' \
    "$RESULTS_FILE" >/dev/null 2>&1; then
  echo "::error::$RESULTS_FILE is not a Grype JSON report (truncated, or" \
    "another format): the scan did not finish. No issue is filed or closed" \
    "for this run."
  exit 1
fi

# Only counts leave jq: scanner text never reaches the log, where a line could read as a workflow command.
counts="$(jq -r '
  def obj: if type == "object" then . else {} end;
  def rank: {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "NEGLIGIBLE": 4}[tostring | ascii_upcase] // 5;
  (env.SEVERITY_CUTOFF | rank) as $cutoff
  | [ .matches[] | (.vulnerability | obj) as $v
      | select(($v.fix | obj | .state) == "fixed")
      | ($v.severity | rank) | select(. <= $cutoff) ]
  | "\(length) " + (group_by(.) | map("\(length) \(["critical", "high", "medium", "low", "negligible"][.[0]])") | join(", "))
' "$RESULTS_FILE")"
count="${counts%% *}"
if [[ "$count" -gt 0 ]]; then
  status=findings
  echo "Grype found $count fixed vulnerabilities at or above $SEVERITY_CUTOFF (${counts#* }) that the policy does not allow."
else
  status=clean
  echo "Grype found no fixed vulnerabilities at or above $SEVERITY_CUTOFF that the policy does not allow."
fi

if [[ ! "$RESULTS_FILE" -ef "$OUT_DIR/results.json" ]]; then
  cp "$RESULTS_FILE" "$OUT_DIR/results.json"
fi
echo "$status" >"$OUT_DIR/status"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
