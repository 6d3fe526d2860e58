set -euo pipefail
# Text mode decides: exit 0 = nothing called, 3 = a vulnerable symbol is called, anything else = the scan
# failed. `-format json` always exits 0, so it only feeds the issue body, never the decision.
# Env: OUT_DIR (what the artifact uploads).
: "${OUT_DIR:?OUT_DIR must name the results directory}"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR/status" "$OUT_DIR/results.json"

rc=0
govulncheck ./... || rc=$?
case "$rc" in
  0) status=clean ;;
  3) status=findings ;;
  *)
    echo "::error::govulncheck failed (exit code $rc; see its output above): the scan did not finish. No issue is filed or closed for this run."
    exit 1
    ;;
esac

json_rc=0
govulncheck -format json ./... >"$OUT_DIR/results.json" || json_rc=$?
if [[ "$json_rc" -ne 0 ]] || ! jq -se 'length > 0 and any(.[]; type == "object" and has("config"))' \
    "$OUT_DIR/results.json" >/dev/null 2>&1; then
  rm -f "$OUT_DIR/results.json"
  echo "::error::govulncheck -format json failed (exit code $json_rc) or wrote no JSON stream: no report for the issue. No issue is filed or closed for this run."
  exit 1
fi

echo "govulncheck: $status"
echo "$status" >"$OUT_DIR/status"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "status=$status" >>"$GITHUB_OUTPUT"
fi
