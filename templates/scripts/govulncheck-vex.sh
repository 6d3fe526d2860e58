set -euo pipefail
# --reachability: which Go module vulnerabilities the code never calls, as OpenVEX that Trivy can match.
# govulncheck's statements name no product ("Unknown Product", golang/go#68152) and escape the module
# path in their purls (pkg:golang/golang.org%2Fx%2Fnet@v0.30.0), so Trivy would match nothing. Trivy
# matches a Go binary's modules as pkg:golang/<module path, lower case>@<version> under the binary's
# main module (aquasecurity/trivy pkg/purl/purl.go parseGolang, pkg/vex/vex.go reachRoot;
# docs/guide/supply-chain/vex/file.md "OpenVEX intermediate components"). So each not_affected
# statement is rewritten to product pkg:golang/<MODULE_PATH> with its modules as subcomponents: only
# this service's binary is covered. The Go standard library is dropped: it is never suppressed.
# Env: VEX_FILE (written for Trivy's --vex), MODULE_PATH (go.mod's module, the binary's main module).
: "${VEX_FILE:?VEX_FILE must name the OpenVEX file to write}"
: "${MODULE_PATH:?MODULE_PATH must name the main module}"

raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT
rc=0
govulncheck -format openvex ./... >"$raw" || rc=$?
if [[ "$rc" -ne 0 ]] || ! jq -e '(.statements // []) | type == "array"' "$raw" >/dev/null 2>&1; then
  # Nothing is suppressed then: the scan below fails exactly as it would without --reachability.
  echo "::warning::govulncheck -format openvex failed (exit code $rc; see" \
    "above): the image scan runs without reachability, nothing is" \
    "suppressed."
  echo '{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "relay-security/vex:none", "author": "relay-security", "version": 1, "statements": []}' >"$VEX_FILE"
  exit 0
fi

jq --arg main "$MODULE_PATH" '
  def unescape: gsub("%(?<h>[0-9A-Fa-f]{2})"; (.h | ascii_downcase | explode | map(if . >= 97 then . - 87 else . - 48 end) | [.[0] * 16 + .[1]] | implode));
  # pkg:golang/<escaped path>@<version> -> {path, version}
  def gomodule: ltrimstr("pkg:golang/") | (split("@") | {path: (.[0] | unescape), version: (.[1:] | join("@"))});
  .author = "relay-security, from govulncheck"
  | .statements = [ (.statements // [])[] | select(.status == "not_affected")
      | . as $s
      | [ (.products // [])[] | (.subcomponents // [])[] | .["@id"] | select(type == "string" and startswith("pkg:golang/"))
          | gomodule | select(.path != "stdlib" and .path != "toolchain" and .version != "")
          | {"@id": "pkg:golang/\(.path | ascii_downcase)@\(.version)"} ] | unique as $subs
      | select($subs | length > 0)
      | $s | .products = [ {"@id": "pkg:golang/\($main | ascii_downcase)", subcomponents: $subs} ] ]' \
  "$raw" >"$VEX_FILE"

# What the scan may suppress and why, and what it never will, for the pull request's log.
jq -r --slurpfile fixed "$VEX_FILE" '
  ([ $fixed[0].statements[] | .vulnerability.name ]) as $kept
  | (.statements // [])[] | select(.status == "not_affected")
  | ([.vulnerability.name] + (.vulnerability.aliases // []) | map(select(. != null)) | join(" / ")) as $ids
  | ([ (.products // [])[] | (.subcomponents // [])[] | .["@id"] ] | join(", ") | gsub("%2[Ff]"; "/")) as $where
  | if (.vulnerability.name | IN($kept[])) then "govulncheck: \($ids) in \($where) is not called (\(.justification)): the image scan does not fail on it"
    else "govulncheck: \($ids) in \($where) is not called, but the Go standard library is never suppressed" end' "$raw"
echo "govulncheck: $(jq '.statements | length' "$VEX_FILE") statement(s) for the image scan in $VEX_FILE"
