set -euo pipefail
shopt -s inherit_errexit
# One issue per scan target, found again by a hidden marker line in its body: create it, update it when
# the findings change, reopen it when they come back, close it when the scan is clean.
# Scanner text only ever travels through files (--body-file) and jq: never through the shell or a workflow expression.
# Env: GH_TOKEN, GH_REPO (owner/repo), RESULTS_DIR (one <target>/ folder per downloaded artifact, each with
# `status` and `results.json`), TARGETS (space-separated), LABEL, RUN_URL, IMAGE_REF, MODULE_PATH, and for
# grype-* targets SEVERITY_CUTOFF (the gate's Grype severity-cutoff).
: "${GH_TOKEN:?GH_TOKEN must be set (gh needs it)}"
export GH_REPO="${GH_REPO:-${GITHUB_REPOSITORY:-}}"
if [[ -z "$GH_REPO" ]]; then
  echo "::error::GH_REPO (owner/repo) must be set: this job has no checkout for gh to read the repository from."
  exit 1
fi
: "${RESULTS_DIR:?RESULTS_DIR must name the downloaded results}"
: "${TARGETS:?TARGETS must list the scan targets}"
LABEL="${LABEL:-security}"
RUN_URL="${RUN_URL:-${GITHUB_SERVER_URL:-https://github.com}/$GH_REPO/actions/runs/${GITHUB_RUN_ID:-}}"
IMAGE_REF="${IMAGE_REF:-}"
MODULE_PATH="${MODULE_PATH:-}"
export RUN_URL IMAGE_REF MODULE_PATH

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---- jq programs (quoted heredocs: nothing in them is expanded by the shell) -------------------------
# Markdown-safe table cell: one line, capped, HTML (and so `<!--`/`-->`), links and pipes neutralised, no @mentions.
JQ_LIB="$(cat <<'JQ'
def md(n): tostring | gsub("[[:cntrl:]]+"; " ")
  | if length > n then .[:n - 3] + "..." else . end
  | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;")
  | gsub("\\\\"; "&#92;") | gsub("(?<c>[\\[\\]|])"; "\\\(.c)") | gsub("@"; "@&#8203;");
def safeurl: if type == "string" and test("^https://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+$") then . else null end;
def link(id; url): (id | tostring) as $id | url as $url
  | if ($id | test("^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")) and $url != null then "[\($id)](\($url))" else $id | md(80) end;
def plural(n; word): "\(n) \(word)" + (if n == 1 then "" else "s" end);
# Image findings (Trivy or Grype, normalised to id, sev, pkg, installed, fixed, title, url, os, gobin)
# -> {summary, columns, rows: [{key, cells}], advice}.
def sevrank: {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "NEGLIGIBLE": 4, "UNKNOWN": 5}[tostring | ascii_upcase] // 6;
def image_report(scanner; lastcol; accept):
  unique_by([.id, .pkg, .installed, .fixed])
  | sort_by([(.sev | sevrank), .id, .pkg, .installed])
  | (map(select(.gobin and .pkg == "stdlib")) | length) as $stdlib
  | (map(select(.gobin and .pkg != "stdlib")) | length) as $gomod
  | (map(select(.os)) | length) as $os
  | (map(select((.os or .gobin) | not)) | length) as $other
  | (env.IMAGE_REF | if . == "" then "the image" else "image " + md(200) end) as $image
  | { summary: ("The scheduled security scan\(scanner) found **\(plural(length; "vulnerability") | sub("ys$"; "ies"))**"
      + " (" + (group_by(.sev | sevrank) | map("\(length) \(.[0].sev | md(12))") | join(", ")) + ")"
      + " in \($image) that the scan policy does not allow: "
      + ([ (if $os > 0 then "\($os) in OS packages" else empty end),
           (if $stdlib > 0 then "\($stdlib) in the Go standard library of a binary" else empty end),
           (if $gomod > 0 then "\($gomod) in Go modules of a binary" else empty end),
           (if $other > 0 then "\($other) in other packages" else empty end) ] | join(", ")) + "."),
    columns: ["ID", "Severity", "Package", "Installed", "Fixed", lastcol],
    rows: map({ key: ([.id, .sev, .pkg, .installed, .fixed] | tojson),
                cells: [ link(.id; .url), (.sev | md(12)), (.pkg | md(100)), (.installed | md(60)),
                         (if .fixed == "" then "none yet" else .fixed | md(60) end), (.title | md(160)) ] }),
    advice: [
      (if $stdlib > 0 then "**Go standard library** (`stdlib` in a Go binary): it was compiled in from the builder image's Go toolchain, so a go.mod change cannot fix it. Bump the builder stage (`FROM golang:...`, tag and digest) to a Go release at or above the Fixed version and rebuild." else empty end),
      (if $gomod > 0 then "**Go modules in a binary**: `go get <module>@<fixed version>` and `go mod tidy`, then rebuild the image." else empty end),
      (if $os > 0 then "**OS packages**: bump the base image digest (the final `FROM`) to a build that carries the fixed package, and rebuild." else empty end),
      (if $other > 0 then "**Other packages**: update them to the Fixed version and rebuild." else empty end),
      accept
    ] };
JQ
)"

# A Trivy JSON report -> {summary, columns, rows: [{key, cells}], advice}.
JQ_TRIVY="$(cat <<'JQ'
def advisory: if startswith("GHSA-") then "https://github.com/advisories/\(.)"
  elif startswith("GO-") then "https://pkg.go.dev/vuln/\(.)"
  else "https://avd.aquasec.com/nvd/\(ascii_downcase)" end;
[ (.Results // [])[] | (.Class // "" | tostring) as $class | (.Type // "" | tostring) as $type
  | (.Vulnerabilities // [])[]
  | { id: (.VulnerabilityID // "" | tostring),
      sev: (.Severity // "UNKNOWN" | tostring | ascii_upcase),
      pkg: (.PkgName // "" | tostring),
      installed: (.InstalledVersion // "" | tostring),
      fixed: (.FixedVersion // "" | tostring),
      title: (.Title // .Description // "" | tostring),
      url: ((.PrimaryURL | safeurl) // (.VulnerabilityID // "" | tostring | advisory)),
      os: ($class == "os-pkgs"), gobin: ($type == "gobinary") } ]
| image_report(""; "Title"; "**Accepting a risk** instead: add the ID to `.trivyignore` with a `# WHY:` line, a `# TODO(YYYY-MM-DD):` revisit line and Trivy's expiry on the entry itself (`CVE-2026-1234 exp:2026-12-31`), so it is reported again on that date even if nobody reads the file.")
JQ
)"

# A Grype JSON report -> the same shape. Grype's `matches` list every severity (scan-action's
# severity-cutoff only sets the exit code), so the gate's policy is applied here as in the decide step:
# fix state "fixed" and severity at or above SEVERITY_CUTOFF (Unknown ranks below Negligible).
JQ_GRYPE="$(cat <<'JQ'
def obj: if type == "object" then . else {} end;
def advisory: if startswith("GHSA-") then "https://github.com/advisories/\(.)"
  elif startswith("GO-") then "https://pkg.go.dev/vuln/\(.)"
  elif startswith("CVE-") then "https://nvd.nist.gov/vuln/detail/\(.)"
  else null end;
def str: if . == null then "" else tostring end;
(env.SEVERITY_CUTOFF | sevrank | if . > 4 then 4 else . end) as $cutoff
| [ (.matches // [])[] | obj | (.vulnerability | obj) as $v | (.artifact | obj) as $a
    | select(($v.fix | obj | .state) == "fixed")
    | ($v.severity | str | ascii_upcase | if . == "" then "UNKNOWN" else . end) as $sev
    | select(($sev | sevrank) <= $cutoff)
    | ($a.type | str) as $type
    | { id: ($v.id | str),
        sev: $sev,
        pkg: ($a.name | str),
        installed: ($a.version | str),
        fixed: ($v.fix | obj | .versions | if type == "array" then map(str) | join(", ") else str end),
        title: ([ $v.description, ((.relatedVulnerabilities // []) | if type == "array" then .[] | obj | .description else empty end) ]
                | map(str | select(. != "")) | first // ""),
        url: (($v.dataSource | safeurl) // ($v.id | str | advisory)),
        os: ($type | IN("apk", "deb", "rpm", "alpm", "portage")), gobin: ($type == "go-module") } ]
| image_report(" (Grype)"; "Description"; "**Accepting a risk** instead: add `- vulnerability: <ID>` under `ignore:` in `.grype.yaml` with a `# WHY:` line and a `# TODO(YYYY-MM-DD):` line directly above it. Grype has no expiry of its own, so that date is the expiry: `relay-security validate` fails once it has passed.")
JQ
)"

# A govulncheck -format json stream (slurped) -> the same shape. Only called vulnerabilities count:
# the first trace frame names a function and the trace reaches it from our code (two frames or more).
JQ_GOVULNCHECK="$(cat <<'JQ'
(map(select(type == "object" and (.osv | type) == "object") | .osv | {key: (.id | tostring), value: .})
  | from_entries) as $osv
| [ .[] | select(type == "object" and (.finding | type) == "object") | .finding
    | select((.trace | type) == "array" and (.trace | length) >= 2
             and (.trace[0] | type) == "object" and ((.trace[0].function // "") | tostring) != "")
    | .trace[0] as $f
    | { id: (.osv // "" | tostring), module: ($f.module // "" | tostring), version: ($f.version // "" | tostring),
        fixed: (.fixed_version // "" | tostring),
        fn: ([ ($f.package // "" | tostring),
               ($f.receiver // "" | tostring | ltrimstr("*")),
               ($f.function | tostring) ] | map(select(. != "")) | join(".")) } ]
| group_by(.id)
| map({ id: .[0].id, module: (map(.module) | unique | join(", ")), version: (map(.version) | unique | join(", ")),
        fixed: (map(.fixed) | unique | map(select(. != "")) | join(", ")), fns: (map(.fn) | unique),
        summary: ($osv[.[0].id].summary // $osv[.[0].id].details // "" | tostring) })
| (map(select(.module == "stdlib")) | length) as $stdlib
| (length - $stdlib) as $mods
| (env.MODULE_PATH | if . == "" then "this module" else md(200) end) as $mod
| { summary: ("govulncheck found **\(plural(length; "vulnerability") | sub("ys$"; "ies"))** whose vulnerable code \($mod) calls"
      + (if $stdlib > 0 then " (\($stdlib) in the Go standard library)" else "" end) + "."
      + (if length == 0 then " Its text report failed the scan, but the JSON report lists no called vulnerability: see the run's log." else "" end)),
    columns: ["ID", "Module", "Found", "Fixed", "Called function", "Summary"],
    rows: map({ key: ([.id, .module, .version, .fixed, .fns] | tojson),
                cells: [ link(.id; "https://pkg.go.dev/vuln/\(.id)"), (.module | md(100)), (.version | md(60)),
                         (if .fixed == "" then "none yet" else .fixed | md(60) end),
                         ((.fns[:3] | join(", ")) + (if (.fns | length) > 3 then " and \(.fns | length - 3) more" else "" end) | md(200)),
                         (.summary | md(160)) ] }),
    advice: [
      (if $stdlib > 0 then "**Go standard library** (`stdlib`): the fix comes with a newer Go release, not with a dependency bump: raise the `toolchain` (or `go`) line in go.mod, the Go version used in CI and the builder image (tag and digest) to at least the Fixed version." else empty end),
      (if $mods > 0 then "**Modules**: `go get <module>@<fixed version>` and `go mod tidy`." else empty end),
      "Only vulnerabilities whose vulnerable functions are reachable from this module's code are listed; `govulncheck ./...` shows the call paths.",
      (if ($accepted | length) > 0 then "**Accepted in `.govulncheckignore`** (called, but not counted until the date): "
         + ($accepted | map("\(.id | md(40))" + (if .accepted_as != .id then " (as \(.accepted_as | md(40)))" else "" end)
                            + " until \(.exp | md(10))") | join(", ")) + "." else empty end),
      ([ $vex[0].statements[]? | "\(.vulnerability.name | md(40)) (\([.products[].subcomponents[]?["@id"] | ltrimstr("pkg:golang/")] | join(", ") | md(200)), \(.justification // "" | md(60)))" ]
       | if length > 0 then "**Not called** (govulncheck's OpenVEX): the PR gate (`--reachability`) does not fail on these in the image: " + join(", ") + "." else empty end)
    ] }
JQ
)"

# {summary, columns, rows, advice} -> the issue body, capped well under GitHub's 65,536 characters
# (counted in UTF-8 bytes, which is never less than GitHub's count).
JQ_BODY="$(cat <<'JQ'
(.rows | length) as $n
| ([ env.MARKER, "", "<!-- relay-security:fingerprint=\(env.FINGERPRINT) -->", "", .summary, "",
     "| " + (.columns | join(" | ")) + " |", "|" + (.columns | map(" --- ") | join("|")) + "|" ] | join("\n")) as $head
| (env.RUN_URL | safeurl) as $run
| ([ "", (if $run then "Found by [this run](\($run))." else "Found by the scheduled security scan." end), "",
     "### What to do", "" ] + (.advice | map("- " + .))
   + [ "", "_This issue is maintained by `.github/workflows/security-scan.yml` (relay-security): it is updated when the findings change, reopened when they come back and closed when a scan is clean._" ]
   | join("\n")) as $foot
| (60000 - ($head | utf8bytelength) - ($foot | utf8bytelength) - 200) as $budget
| reduce (.rows[] | "| " + (.cells | join(" | ")) + " |") as $row ({shown: [], used: 0, full: false};
    if .full or (.used + ($row | utf8bytelength) + 1 > $budget) then .full = true
    else .shown += [$row] | .used += ($row | utf8bytelength) + 1 end)
| $head + "\n" + (.shown | join("\n"))
  + (if $n > (.shown | length) then "\n\n**\($n - (.shown | length)) more findings not shown** (the issue body is capped); the run's artifacts hold the full report." else "" end)
  + "\n" + $foot
JQ
)"

# The issue to maintain for MARKER: the open one with the lowest number, else the newest closed one.
JQ_FIND="$(cat <<'JQ'
[ .[] | select(any((.body // "") | split("\n")[]; rtrimstr("\r") == env.MARKER)) ] as $ours
| (($ours | map(select(.state == "OPEN")) | sort_by(.number) | first)
   // ($ours | map(select(.state == "CLOSED")) | sort_by(.number) | last))
| if . then "\(.number) \(.state)" else empty end
JQ
)"

# ---- steps ---------------------------------------------------------------------------------------------
fail() { # <target> <message>: report and stop this target only
  echo "::error::$1: $2"
  exit 3
}

# gh issue list without --search/--label reads the database, not the lagging search index; the default
# state (open) and limit (30) would miss a closed or older issue.
load_issues() {
  if [[ ! -s "$work/issues.json" ]]; then
    gh issue list --state all --limit 1000 --json number,state,body >"$work/issues.part"
    mv "$work/issues.part" "$work/issues.json"
  fi
}

ensure_label() { # gh issue create --label fails when the label does not exist; --force: no error if it does
  if [[ ! -e "$work/label-ready" ]]; then
    gh label create "$LABEL" --force --color B60205 \
      --description "Vulnerabilities found by the scheduled security scan" >/dev/null
    touch "$work/label-ready"
  fi
}

build_body() { # <target> <kind> <results.json> <title> <body file>; sets FP_LINE
  local target="$1" kind="$2" results="$3" title="$4" body="$5" fingerprint
  if [[ ! -s "$results" ]]; then
    fail "$target" "the scan reported findings but $results is missing or empty"
  fi
  case "$kind" in
    trivy)
      jq -se 'length == 1 and (.[0] | type == "object" and (.SchemaVersion | type == "number")
        and ((.Results // []) | type == "array"))' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a Trivy JSON report"
      jq "$JQ_LIB $JQ_TRIVY" "$results" >"$work/$target.doc.json" \
        || fail "$target" "$results could not be read as a Trivy JSON report"
      ;;
    grype)
      [[ "${SEVERITY_CUTOFF:-}" =~ ^(negligible|low|medium|high|critical)$ ]] \
        || fail "$target" "SEVERITY_CUTOFF must be the gate's Grype severity-cutoff (negligible, low, medium, high or critical)"
      jq -se 'length == 1 and (.[0] | type == "object" and (.matches | type == "array")
        and (.descriptor | type == "object") and .descriptor.name == "grype")' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a Grype JSON report"
      jq "$JQ_LIB $JQ_GRYPE" "$results" >"$work/$target.doc.json" \
        || fail "$target" "$results could not be read as a Grype JSON report"
      ;;
    govulncheck)
      jq -se 'length > 0 and any(.[]; type == "object" and has("config"))' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a govulncheck JSON stream"
      # accepted.json (from the scan, optional): the called vulnerabilities .govulncheckignore accepted.
      # vex.json (from the scan with --reachability, optional): what the gate's OpenVEX suppresses.
      jq -s --slurpfile accepted "$(if [[ -s "${results%/*}/accepted.json" ]]; then echo "${results%/*}/accepted.json"; else echo /dev/null; fi)" \
        --slurpfile vex "$(if [[ -s "${results%/*}/vex.json" ]]; then echo "${results%/*}/vex.json"; else echo /dev/null; fi)" \
        "$JQ_LIB $JQ_GOVULNCHECK" "$results" >"$work/$target.doc.json" \
        || fail "$target" "$results could not be read as a govulncheck JSON stream"
      ;;
    *) fail "$target" "no report format is known for this target" ;;
  esac
  # The fingerprint covers the title and the findings, not the run link: same findings, no edit.
  fingerprint="$({
    echo "relay-security-issue-v1"
    echo "$title"
    jq -r '.rows | map(.key) | sort | .[]' "$work/$target.doc.json"
  } | sha256sum | cut -d ' ' -f 1)"
  FP_LINE="<!-- relay-security:fingerprint=$fingerprint -->"
  MARKER="<!-- relay-security:$target -->" FINGERPRINT="$fingerprint" \
    jq -r "$JQ_LIB $JQ_BODY" "$work/$target.doc.json" >"$body"
}

process_target() { # <target>
  local target="$1" dir kind status title body marker found number state url
  dir="$RESULTS_DIR/$target"
  [[ "$target" =~ ^[a-z0-9][a-z0-9-]*$ ]] || fail "$target" "not a valid target name"
  case "$target" in
    trivy-*)
      kind=trivy
      title="Security scan: vulnerabilities in image ${IMAGE_REF:-the image}"
      ;;
    grype-*)
      kind=grype
      title="Security scan: vulnerabilities in image ${IMAGE_REF:-the image}"
      ;;
    govulncheck)
      kind=govulncheck
      title="Security scan: govulncheck findings in ${MODULE_PATH:-this module}"
      ;;
    *) fail "$target" "no report format is known for this target" ;;
  esac
  title="${title//[$'\r\n']/ }"
  title="${title:0:256}"

  if [[ ! -d "$dir" ]]; then
    echo "$target: no results (the scan failed or did not run): nothing to do"
    return 0
  fi
  if [[ ! -s "$dir/status" ]]; then
    echo "$target: no status (the scan did not finish): nothing to do"
    return 0
  fi
  status="$(tr -d '[:space:]' <"$dir/status")"
  body="$work/$target.md"
  case "$status" in
    findings) build_body "$target" "$kind" "$dir/results.json" "$title" "$body" ;;
    clean) ;;
    *) fail "$target" "unknown status '$status' in $dir/status" ;;
  esac

  marker="<!-- relay-security:$target -->"
  load_issues
  found="$(MARKER="$marker" jq -r "$JQ_FIND" "$work/issues.json")"
  number="${found%% *}"
  state="${found#* }"

  if [[ "$status" == clean ]]; then
    if [[ -n "$found" && "$state" == OPEN ]]; then
      gh issue close "$number" --reason completed --comment "Scan is clean as of $RUN_URL" >/dev/null
      echo "$target: closed #$number"
    else
      echo "$target: nothing to do"
    fi
    return 0
  fi

  if [[ -z "$found" ]]; then
    ensure_label
    url="$(gh issue create --title "$title" --body-file "$body" --label "$LABEL")"
    url="${url##*$'\n'}"
    echo "$target: created #${url##*/}"
  elif [[ "$state" == OPEN ]]; then
    # The body carries its fingerprint line: the same line means the same findings and title.
    if FP_LINE="$FP_LINE" NUMBER="$number" jq -e '.[] | select(.number == (env.NUMBER | tonumber))
        | any((.body // "") | split("\n")[]; rtrimstr("\r") == env.FP_LINE)' "$work/issues.json" >/dev/null; then
      echo "$target: unchanged #$number"
    else
      gh issue edit "$number" --title "$title" --body-file "$body" >/dev/null
      echo "$target: updated #$number"
    fi
  else
    gh issue edit "$number" --title "$title" --body-file "$body" >/dev/null
    gh issue reopen "$number" --comment "The scheduled security scan found vulnerabilities again: $RUN_URL" >/dev/null
    echo "$target: reopened #$number"
  fi
}

# Each target runs in its own subshell with errexit on, so one failing target cannot stop the others.
failed=0
read -r -a targets <<<"${TARGETS//$'\n'/ }"
for target in "${targets[@]}"; do
  set +e
  (
    set -e
    process_target "$target"
  )
  rc=$?
  set -e
  if [[ "$rc" -ne 0 ]]; then
    failed=1
    if [[ "$rc" -ne 3 ]]; then
      echo "::error::$target: stopped with exit code $rc (see the messages above); its issue may be out of date"
    fi
  fi
done
exit "$failed"
