set -euo pipefail
# --report code-scanning: govulncheck's SARIF (which, like -format json, always exits 0 and lists every
# vulnerability it knows of, called or not) cut to the vulnerabilities the scan step counted: those called
# from our code (first trace frame names a function, two frames or more) that the accepted-risks file
# did not remove from results.json. An empty report is uploaded too: that closes the alerts.
# Env: OUT_DIR (the scan step's results directory, holding results.json).
: "${OUT_DIR:?OUT_DIR must name the govulncheck results directory}"
if [[ ! -s "$OUT_DIR/results.json" ]]; then
  echo "::error::$OUT_DIR/results.json is missing: the scan did not finish," \
    "so nothing is uploaded."
  exit 1
fi

govulncheck -format sarif ./... >govulncheck.all.sarif
counted="$(jq -sc '[ .[] | select(type == "object" and (.finding | type) == "object") | .finding
  | select((.trace | type) == "array" and (.trace | length) >= 2 and ((.trace[0].function // "") | tostring) != "")
  | (.osv | tostring) ] | unique' "$OUT_DIR/results.json")"
jq --argjson counted "$counted" \
  '.runs |= map(.results |= map(select(.ruleId as $r | $counted | index($r))))' \
  govulncheck.all.sarif >govulncheck.sarif
rm -f govulncheck.all.sarif
echo "govulncheck: $(jq '[.runs[].results[]] | length' govulncheck.sarif) result(s) for code scanning"
