set -euo pipefail
# Decide from Trivy's JSON report, never from its exit code: Trivy exits 1 both for findings and for a
# failed run (DB download, registry, disk), and only a finished scan writes a report. No report means an
# infrastructure failure: a red run, no status, so the issue job leaves the issue alone.
# Env: RESULTS_FILE (trivy-action's `output`), OUT_DIR (what the artifact uploads).
: "${RESULTS_FILE:?RESULTS_FILE must name the Trivy JSON report}"
: "${OUT_DIR:?OUT_DIR must name the results directory}"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/status" "$OUT_DIR/results.json"

if [[ ! -s "$RESULTS_FILE" ]]; then
  echo "::error::Trivy wrote no report at $RESULTS_FILE: the scan did not" \
    "finish (vulnerability DB download, registry or image error; see the" \
    "Trivy step's log). No issue is filed or closed for this run."
  exit 1
fi
# A finished scan writes one object with SchemaVersion; Results is omitted when nothing was found.
if ! jq -se 'length == 1 and (.[0] | type == "object"
    and (.SchemaVersion | type == "number")
    and ((.Results // []) | type == "array")
    and all((.Results // [])[]; type == "object" and ((.Vulnerabilities // []) | type == "array")))' \
    "$RESULTS_FILE" >/dev/null 2>&1; then
  echo "::error::$RESULTS_FILE is not a Trivy JSON report (truncated, or" \
    "another format): the scan did not finish. No issue is filed or closed" \
    "for this run."
  exit 1
fi

# Trivy has already applied the policy (severity, ignore-unfixed, .trivyignore): whatever is left counts.
count="$(jq '[(.Results // [])[] | (.Vulnerabilities // [])[]] | length' "$RESULTS_FILE")"
if [[ "$count" -gt 0 ]]; then
  status=findings
  echo "Trivy found $count vulnerabilities that the policy does not allow:"
  # The table the "Fail on findings" step points at (the JSON step prints none): most severe first.
  jq -r '
    def rank: {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}[.] // 4;
    ["SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED IN", "TARGET"],
    ([(.Results // [])[] | .Target as $t | (.Vulnerabilities // [])[] | . + {Target: $t}]
      | sort_by((.Severity | rank), .VulnerabilityID, .PkgName)[]
      | [.Severity, .VulnerabilityID, .PkgName, (.InstalledVersion // "-"), (.FixedVersion // "-"), .Target])
    | @tsv' "$RESULTS_FILE" | column -t -s $'\t'
else
  status=clean
  echo "Trivy found no vulnerabilities that the policy does not allow."
fi

if [[ ! "$RESULTS_FILE" -ef "$OUT_DIR/results.json" ]]; then
  cp "$RESULTS_FILE" "$OUT_DIR/results.json"
fi
echo "$status" >"$OUT_DIR/status"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
