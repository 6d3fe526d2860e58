set -euo pipefail
shopt -s inherit_errexit
# One issue per scan target, found again by a hidden marker line in its body: create it, update it when
# the findings change (with a comment when something is new), reopen it when they come back, close it
# when the scan is clean. Only issues that this workflow's own identity created and that carry our label
# are ours. Only the text between our begin and end markers is ours: a maintainer's notes around it
# survive every update and reopen.
# Scanner text only ever travels through files (--body-file) and jq: never through the shell or a workflow expression.
# Env: GH_TOKEN, GH_REPO (owner/repo), RESULTS_DIR (one <target>/ folder per downloaded artifact, each with
# `status`, `results.json` and `meta.json`), TARGETS (space-separated), LABEL, RUN_URL, IMAGE_REF,
# MODULE_PATH, GITHUB_EVENT_NAME, INPUT_REF (the workflow_dispatch `ref` input), GITHUB_REF_NAME,
# DEFAULT_BRANCH, and for grype-* targets SEVERITY_CUTOFF (the gate's Grype severity-cutoff).
# BOT_LOGIN: who creates our issues; issues created with the workflow's GITHUB_TOKEN are authored by
# the GitHub Actions app, which REST spells `github-actions[bot]` (user.type "Bot"); `gh issue list --json
# author` would spell it `app/github-actions` with is_bot true (cli/cli api/queries_issue.go, Author.MarshalJSON).
#
# API calls per run (each `gh` call is counted and printed at the end): the issue list is one REST request
# per 100 issues and pull requests that carry the label; then per target: nothing when unchanged; 1 to create
# (+1 to create the label); 1 to update (+1 comment when something is new); 1 to look at a closed issue
# (+ edit, reopen, comment when it is reopened); 1 to read the comments before a close (+ comment, close).
: "${GH_TOKEN:?GH_TOKEN must be set (gh needs it)}"
export GH_REPO="${GH_REPO:-${GITHUB_REPOSITORY:-}}"
if [[ -z "$GH_REPO" ]]; then
  echo "::error::GH_REPO (owner/repo) must be set: this job has no checkout" \
    "for gh to read the repository from."
  exit 1
fi
: "${RESULTS_DIR:?RESULTS_DIR must name the downloaded results}"
: "${TARGETS:?TARGETS must list the scan targets}"
LABEL="${LABEL:-security}"
RUN_URL="${RUN_URL:-${GITHUB_SERVER_URL:-https://github.com}/$GH_REPO/actions/runs/${GITHUB_RUN_ID:-}}"
IMAGE_REF="${IMAGE_REF:-}"
MODULE_PATH="${MODULE_PATH:-}"
BOT_LOGIN="${BOT_LOGIN:-github-actions[bot]}"
BEGIN='<!-- relay-security:begin -->'
END='<!-- relay-security:end -->'
export RUN_URL IMAGE_REF MODULE_PATH BOT_LOGIN LABEL BEGIN END

# A scheduled run scans the default branch. A manual run scans `ref`, or the branch it was started from:
# only a scan of the default branch may file, update, reopen or close the default branch's issues.
if [[ "${GITHUB_EVENT_NAME:-}" != schedule ]]; then
  scanned="${INPUT_REF:-${GITHUB_REF_NAME:-}}"
  scanned="${scanned#refs/heads/}"
  scanned="${scanned//[^A-Za-z0-9._\/-]/?}"
  if [[ -z "${DEFAULT_BRANCH:-}" || "$scanned" != "$DEFAULT_BRANCH" ]]; then
    echo "This run scanned '$scanned', not the default branch '${DEFAULT_BRANCH:-unknown}': its findings are in this run's log and artifacts, and no issue is changed."
    exit 0
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$work/calls"

# ---- jq programs (quoted heredocs: nothing in them is expanded by the shell) -------------------------
# Markdown-safe inline text: one line, capped; Unicode format characters (class Cf: bidi embeddings,
# overrides and isolates U+202A-E and U+2066-9, marks U+200E/F, zero-width characters, BOM) dropped, since
# `pkg<U+202E>gnp.exe` would read as `pkgexe.png`; HTML (and so `<!--`/`-->`), links, emphasis and pipes
# neutralised; a zero-width space after `@`, `#`, `GH-` and `://` so that no @mention, #123, GH-123,
# owner/repo#123 or bare URL becomes a live reference that notifies or links elsewhere.
JQ_LIB="$(cat <<'JQ'
def clean: tostring | gsub("\\p{Cf}"; "") | gsub("[[:cntrl:]]+"; " ");
def md(n): clean
  | if length > n then .[:n - 3] + "..." else . end
  | gsub("@"; "@\u200b") | gsub("#"; "#\u200b") | gsub("(?<g>[Gg][Hh])-(?=[0-9])"; "\(.g)-\u200b") | gsub("://"; ":\u200b//")
  | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;")
  | gsub("\\\\"; "&#92;") | gsub("(?<c>[\\[\\]|*_~`])"; "\\\(.c)");
# A link target: https only, a plain host (no userinfo: `https://github.com@evil.example/` has an `@` in its
# authority and goes to evil.example), and nothing that could end the Markdown link.
def safeurl: if type == "string" and test("^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~:/?#!$&'*+,;=%@-]*)?$") then . else null end;
def link(id; url): (id | tostring) as $id | url as $url
  | if ($id | test("^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")) and $url != null then "[\($id)](\($url))" else $id | md(80) end;
def plural(n; word): "\(n) \(word)" + (if n == 1 then "" else "s" end);
# A short, stable number for a finding (what "new" is decided on), kept in the issue's hidden state line.
def h: reduce explode[] as $c (7; (. * 131 + $c) % 2147483647) | tostring;
def sevrank: {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "NEGLIGIBLE": 4, "UNKNOWN": 5}[tostring | ascii_upcase] // 6;
def advisory: if startswith("GHSA-") then "https://github.com/advisories/\(.)"
  elif startswith("GO-") then "https://pkg.go.dev/vuln/\(.)"
  elif startswith("CVE-") then "https://nvd.nist.gov/vuln/detail/\(.)"
  else null end;
def shortsha: if type == "string" and test("^sha256:[0-9a-f]{64}$") then .[:19] + "..." else null end;
# Image findings (Trivy or Grype, normalised to id, sev, pkg, installed, fixed, title, url, where, os, gobin)
# -> {summary, columns, rows: [{key, nkey, sev, label, cells}], advice}.
def image_report(scanner; lastcol; accept):
  group_by([.id, .pkg, .installed, .fixed])
  | map(.[0] + {where: (map(.where | select(. != "")) | unique | join("; "))})
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
    columns: ["ID", "Severity", "Package", "Installed", "Fixed", "Found in", lastcol],
    rows: map({ key: ([.id, .sev, .pkg, .installed, .fixed, .where] | tojson),
                nkey: ([.id, .pkg] | tojson | h), sev: (.sev | md(12)),
                label: "\(.id | md(80)) (\(.sev | md(12))) in \(.pkg | md(100))",
                cells: [ link(.id; .url), (.sev | md(12)), (.pkg | md(100)), (.installed | md(60)),
                         (if .fixed == "" then "none yet" else .fixed | md(60) end), (.where | md(120)), (.title | md(160)) ] }),
    advice: [
      (if $stdlib > 0 then "**Go standard library** (`stdlib` in a Go binary): it was compiled in from the builder image's Go toolchain, so a go.mod change cannot fix it. Bump the builder stage (`FROM golang:...`, tag and digest) to a Go release at or above the Fixed version and rebuild." else empty end),
      (if $gomod > 0 then "**Go modules in a binary**: `go get <module>@<fixed version>` and `go mod tidy`, then rebuild the image." else empty end),
      (if $os > 0 then "**OS packages**: bump the base image digest (the final `FROM`) to a build that carries the fixed package, and rebuild." else empty end),
      (if $other > 0 then "**Other packages**: update them to the Fixed version and rebuild." else empty end),
      accept
    ] };
JQ
)"

# A Trivy JSON report -> {summary, columns, rows, advice, meta}.
JQ_TRIVY="$(cat <<'JQ'
def trivyurl: advisory // "https://avd.aquasec.com/nvd/\(ascii_downcase)";
[ (.Results // [])[] | (.Class // "" | tostring) as $class | (.Type // "" | tostring) as $type
  | (.Target // "" | tostring) as $target
  | (.Vulnerabilities // [])[]
  | { id: (.VulnerabilityID // "" | tostring),
      sev: (.Severity // "UNKNOWN" | tostring | ascii_upcase),
      pkg: (.PkgName // "" | tostring),
      installed: (.InstalledVersion // "" | tostring),
      fixed: (.FixedVersion // "" | tostring),
      title: (.Title // .Description // "" | tostring),
      url: ((.PrimaryURL | safeurl) // (.VulnerabilityID // "" | tostring | trivyurl)),
      where: ($target + ((.Layer.DiffID? // null) | shortsha | if . then ", layer \(.)" else "" end)),
      os: ($class == "os-pkgs"), gobin: ($type == "gobinary") } ]
| image_report(""; "Title"; "**Accepting a risk** instead: add the ID to `.trivyignore` with a `# WHY:` line, a `# TODO(YYYY-MM-DD):` revisit line and Trivy's expiry on the entry itself (`CVE-2026-1234 exp:2026-12-31`), so it is reported again on that date even if nobody reads the file.")
JQ
)"
JQ_TRIVY_META='{scanner: "Trivy", image_id: .Metadata.ImageID?, image_digest: ((.Metadata.RepoDigests? // [])[0]? // null), scanned_at: .CreatedAt?}'

# A Grype JSON report -> the same shape. Grype's `matches` list every severity (scan-action's
# severity-cutoff only sets the exit code), so the gate's policy is applied here as in the decide step:
# fix state "fixed" and severity at or above SEVERITY_CUTOFF (Unknown ranks below Negligible).
JQ_GRYPE="$(cat <<'JQ'
def obj: if type == "object" then . else {} end;
def str: if . == null then "" else tostring end;
(env.SEVERITY_CUTOFF | sevrank | if . > 4 then 4 else . end) as $cutoff
| [ (.matches // [])[] | obj | (.vulnerability | obj) as $v | (.artifact | obj) as $a
    | select(($v.fix | obj | .state) == "fixed")
    | ($v.severity | str | ascii_upcase | if . == "" then "UNKNOWN" else . end) as $sev
    | select(($sev | sevrank) <= $cutoff)
    | ($a.type | str) as $type
    | ($a.locations | if type == "array" then .[0] | obj else {} end) as $loc
    | { id: ($v.id | str),
        sev: $sev,
        pkg: ($a.name | str),
        installed: ($a.version | str),
        fixed: ($v.fix | obj | .versions | if type == "array" then map(str) | join(", ") else str end),
        title: ([ $v.description, ((.relatedVulnerabilities // []) | if type == "array" then .[] | obj | .description else empty end) ]
                | map(str | select(. != "")) | first // ""),
        url: (($v.dataSource | safeurl) // ($v.id | str | advisory)),
        where: (($loc.path | str) + ($loc.layerID | shortsha | if . then ", layer \(.)" else "" end)),
        os: ($type | IN("apk", "deb", "rpm", "alpm", "portage")), gobin: ($type == "go-module") } ]
| image_report(" (Grype)"; "Description"; "**Accepting a risk** instead: add `- vulnerability: <ID>` under `ignore:` in `.grype.yaml` with a `# WHY:` line and a `# TODO(YYYY-MM-DD):` line directly above it. Grype has no expiry of its own, so that date is the expiry: `npx create-relay-security validate` fails once it has passed.")
JQ
)"
JQ_GRYPE_META='{scanner: "Grype", image_id: .source.target.imageID?, image_digest: .source.target.manifestDigest?, scanned_at: .descriptor.timestamp?, db_updated_at: (.descriptor.db? | if type == "object" then (.status.built? // .built?) else null end)}'

# A govulncheck -format json stream (slurped) -> the same shape. Only called vulnerabilities count:
# the first trace frame names a function and the trace reaches it from our code (two frames or more).
# The call site is the frame nearest the vulnerable symbol that lies in this module (its position is the
# call it makes), else the trace's entry point.
JQ_GOVULNCHECK="$(cat <<'JQ'
def fname: [ (.receiver // "" | tostring | ltrimstr("*")), (.function // "" | tostring) ] | map(select(. != "")) | join(".");
def qname: [ (.package // "" | tostring), fname ] | map(select(. != "")) | join(".");
(map(select(type == "object" and (.osv | type) == "object") | .osv | {key: (.id | tostring), value: .})
  | from_entries) as $osv
| [ .[] | select(type == "object" and (.finding | type) == "object") | .finding
    | select((.trace | type) == "array" and (.trace | length) >= 2 and all(.trace[]; type == "object")
             and ((.trace[0].function // "") | tostring) != "")
    | .trace as $t | $t[0] as $f
    | ([ range(1; $t | length) | select(env.MODULE_PATH != "" and ($t[.].module // "") == env.MODULE_PATH) ] | first
       // ($t | length - 1)) as $i
    | ($t[$i].position // {} | if type == "object" then . else {} end) as $pos
    | { id: (.osv // "" | tostring), module: ($f.module // "" | tostring), version: ($f.version // "" | tostring),
        fixed: (.fixed_version // "" | tostring), fn: ($f | qname),
        site: ((if ($pos.filename // "") != "" then "\($pos.filename):\($pos.line // 0): " else "" end)
               + "\($t[$i] | fname) calls \($t[$i - 1] | qname)") } ]
| group_by(.id)
| map({ id: .[0].id, module: (map(.module) | unique | join(", ")), version: (map(.version) | unique | join(", ")),
        fixed: (map(.fixed) | unique | map(select(. != "")) | join(", ")), fns: (map(.fn) | unique), sites: (map(.site) | unique),
        aliases: ($osv[.[0].id].aliases // [] | if type == "array" then map(tostring) else [] end),
        summary: ($osv[.[0].id].summary // $osv[.[0].id].details // "" | tostring) })
| (map(select(.module == "stdlib")) | length) as $stdlib
| (length - $stdlib) as $mods
| (env.MODULE_PATH | if . == "" then "this module" else md(200) end) as $mod
| def some(list; n): (list[:n] | join(", ")) + (if (list | length) > n then " and \(list | length - n) more" else "" end);
  { summary: ("govulncheck found **\(plural(length; "vulnerability") | sub("ys$"; "ies"))** whose vulnerable code \($mod) calls"
      + (if $stdlib > 0 then " (\($stdlib) in the Go standard library)" else "" end) + "."
      + (if length == 0 then " Its text report failed the scan, but the JSON report lists no called vulnerability: see the run's log." else "" end)),
    columns: ["ID", "Aliases", "Module", "Found", "Fixed", "Vulnerable function", "Called at", "Summary"],
    rows: map({ key: ([.id, .module, .version, .fixed, .fns, .sites] | tojson), nkey: (.id | h), sev: null,
                label: ("\(.id | md(80)) in \(.module | md(100))" + (if (.aliases | length) > 0 then " (\(.aliases | map(md(40)) | join(", ")))" else "" end)),
                cells: [ link(.id; "https://pkg.go.dev/vuln/\(.id)"),
                         (.aliases | map(. as $a | link($a; $a | advisory)) | if length == 0 then "none" else join(", ") end),
                         (.module | md(100)), (.version | md(60)),
                         (if .fixed == "" then "none yet" else .fixed | md(60) end),
                         (some(.fns; 3) | md(200)), (some(.sites; 2) | md(240)),
                         (.summary | md(160)) ] }),
    advice: [
      (if $stdlib > 0 then "**Go standard library** (`stdlib`): the fix comes with a newer Go release, not with a dependency bump: raise the `toolchain` (or `go`) line in go.mod, the Go version used in CI and the builder image (tag and digest) to at least the Fixed version." else empty end),
      (if $mods > 0 then "**Modules**: `go get <module>@<fixed version>` and `go mod tidy`." else empty end),
      "Only vulnerabilities whose vulnerable functions are reachable from this module's code are listed; `govulncheck ./...` shows the call paths. A CVE listed under Aliases is the same bug as in the image scan's issue.",
      (if ($accepted | length) > 0 then "**Accepted in `.govulncheckignore`** (called, but not counted until the date): "
         + ($accepted | map("\(.id | md(40))" + (if .accepted_as != .id then " (as \(.accepted_as | md(40)))" else "" end)
                            + " until \(.exp | md(10))") | join(", ")) + "." else empty end),
      ([ $vex[0].statements[]? | "\(.vulnerability.name | md(40)) (\([.products[].subcomponents[]?["@id"] | ltrimstr("pkg:golang/")] | join(", ") | md(200)), \(.justification // "" | md(60)))" ]
       | if length > 0 then "**Not called** (govulncheck's OpenVEX): the PR gate (`--reachability`) does not fail on these in the image: " + join(", ") + "." else empty end)
    ] }
JQ
)"
JQ_GOVULNCHECK_META='{scanner: "govulncheck", db_updated_at: (map(select(type == "object" and (.config | type) == "object") | .config.db_last_modified) | first)}'

# The managed region (without its state line) and the finding numbers for the state line:
# {summary, columns, rows, advice, meta} -> {region, keys}. Capped so that the whole body, with the text
# outside the region (OUTSIDE_BYTES), stays well under GitHub's 65,536 characters (counted in UTF-8 bytes,
# which is never less than GitHub's count).
JQ_REGION="$(cat <<'JQ'
def when: if type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}") then .[:10] + " " + .[11:16] + " UTC" else null end;
def expiry: if type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}") then (.[:19] + "Z" | fromdateiso8601 + 7 * 86400 | strftime("%Y-%m-%d")) else null end;
. as $doc
| ($meta[0] // {} | if type == "object" then . else {} end) as $m
| ($doc.meta.scanned_at // $m.scanned_at) as $at
| ($doc.meta.db_updated_at // $m.db_updated_at) as $db
| ($doc.rows | length) as $n
| (env.RUN_URL | safeurl) as $run
| ([ env.BEGIN, $doc.summary, "",
     "| " + ($doc.columns | join(" | ")) + " |", "|" + ($doc.columns | map(" --- ") | join("|")) + "|" ] | join("\n")) as $head
| ([ "", "### What was scanned", "",
     ($m.commit | if type == "string" and test("^[0-9a-f]{40}$") then "- **Commit:** `\(.)`" else "- **Commit:** not recorded" end),
     (if env.IMAGE_REF != "" and $doc.meta.scanner != "govulncheck" then
        "- **Image:** `\(env.IMAGE_REF | clean | gsub("`"; "'"))`"
        + ($doc.meta.image_id | shortsha | if . then ", ID `\(.)`" else "" end)
        + ($doc.meta.image_digest
           | if type == "string" and test("sha256:[0-9a-f]{64}$") then ", digest `sha256:\(.[-64:][:12])...`" else "" end)
      else empty end),
     "- **Scanned:** " + ($at | when // "(time not recorded)") + " by \($doc.meta.scanner), with the vulnerability database of "
       + ($db | when // "an unrecorded date"),
     "- **Full report:** the artifact `\(env.ARTIFACT)` of " + (if $run then "[this run](\($run))" else "this run" end)
       + ", which GitHub deletes 7 days after the run" + ($at | expiry | if . then " (on \(.))" else "" end) + ".",
     "", "### What to do", "" ] + ($doc.advice | map("- " + .))
   + [ "", "_relay-security rewrites only the text between its hidden begin and end markers (this report, when the findings change). Anything written above or below them is kept on every update and reopen: add your triage notes there._", env.END ]
   | join("\n")) as $foot
| (60000 - (env.OUTSIDE_BYTES | tonumber) - ($head | utf8bytelength) - ($foot | utf8bytelength) - 400 - 12 * $n) as $budget
| (reduce ($doc.rows[] | "| " + (.cells | join(" | ")) + " |") as $row ({shown: [], used: 0, full: false};
    if .full or (.used + ($row | utf8bytelength) + 1 > $budget) then .full = true
    else .shown += [$row] | .used += ($row | utf8bytelength) + 1 end)) as $fit
| $doc.rows[($fit.shown | length):] as $hidden
| (if ($hidden | length) == 0 then ""
   elif all($hidden[]; .sev == null) then
     "\n\n**\($hidden | length) more findings not shown** (the issue body is capped): \($hidden[:10] | map(.label) | join(", "))"
       + (if ($hidden | length) > 10 then " and more" else "" end) + "; the artifact holds the full report."
   else
     "\n\n**\($hidden | length) more findings not shown** (the issue body is capped): "
       + ($hidden | group_by(.sev | sevrank) | map("\(length) \(.[0].sev)") | join(", "))
       + "; the artifact holds the full report."
   end) as $more
| { keys: ($doc.rows | map(.nkey) | unique), region: ($head + "\n" + ($fit.shown | join("\n")) + $more + "\n" + $foot) }
JQ
)"

# Our issue for MARKER among the listed ones: created by BOT_LOGIN (a Bot), carrying LABEL, with the exact
# marker line. The open one with the lowest number, else the newest closed one. Issues that have the marker
# but not the author or the label are someone else's: named on stderr, never touched.
JQ_FIND="$(cat <<'JQ'
def marked: any((.body // "") | ltrimstr("\ufeff") | split("\n")[]; rtrimstr("\r") == env.MARKER);
def ours: (.user.login == env.BOT_LOGIN) and (.user.type == "Bot")
  and any(.labels[]?; (.name // "" | ascii_downcase) == (env.LABEL | ascii_downcase));
map(select(marked)) as $marked
| ($marked | map(select(ours))) as $ours
| { impostors: ($marked | map(select(ours | not) | .number)),
    issue: (($ours | map(select(.state == "open")) | sort_by(.number) | first)
            // ($ours | map(select(.state == "closed")) | sort_by(.number) | last)) }
JQ
)"

# An issue body -> where our region is, what its state line says, and the text its hash covers.
JQ_PARSE="$(cat <<'JQ'
(.body // "") as $b
| ($b | split("\n")) as $lines
| ($lines | map(rtrimstr("\r"))) as $l
| ($l | index([env.BEGIN])) as $i
| (if $i == null then null else ($l[$i + 1:] | index([env.END])) | if . == null then null else . + $i + 1 end end) as $j
| if $i == null or $j == null then
    { region: false, v1: any($l[]; startswith("<!-- relay-security:fingerprint=")), state: null, hashtext: "",
      before: ($lines | map(select(rtrimstr("\r") != env.MARKER)) | join("\n")),
      outside: ($b | utf8bytelength) }
  else
    ($l[$i:$j + 1]) as $r
    | { region: true, v1: false,
        hashtext: ($r | map(select(startswith("<!-- relay-security:state ") | not)) | join("\n")),
        state: ([ $r[] | capture("^<!-- relay-security:state v2 findings=(?<findings>[0-9a-f]{64}) region=(?<region>[0-9a-f]{64}) keys=(?<keys>[0-9,]*) -->$") ]
                | first | if . then .keys |= (split(",") | map(select(. != ""))) else null end),
        above: $lines[:$i], below: $lines[$j + 1:],
        outside: (($lines[:$i] + $lines[$j + 1:]) | join("\n") | utf8bytelength) }
  end
JQ
)"

# The new body: our region in place of the old one, every other byte kept. A body without a region: the
# previous relay-security format (one fingerprint line, all ours) is replaced; anything else is kept below.
JQ_SPLICE="$(cat <<'JQ'
if $p[0].region then $p[0].above + [$region] + $p[0].below | join("\n")
elif $p[0].v1 or ($p[0].before | test("^\\s*$")) then env.MARKER + "\n\n" + $region + "\n"
else env.MARKER + "\n\n" + $region + "\n\n_The text below was in this issue before relay-security's markers were; it is kept._\n\n" + $p[0].before
end
JQ
)"

# The comment for what is new since the last report: findings whose number is not in OLD_KEYS.
JQ_NEWS="$(cat <<'JQ'
(env.OLD_KEYS | split(",") | map(select(. != ""))) as $old
| [ .rows[] | select(.nkey as $k | $old | index([$k]) | not) ] as $new
| (env.RUN_URL | safeurl) as $run
| if ($new | length) == 0 then empty else
    "<!-- relay-security:\(env.TARGET):\(env.KIND) -->\n"
    + env.LEAD + " " + (if $run then "([run](\($run)))" else "" end) + ": **\(plural($new | length; "new finding"))**\n\n"
    + ($new[:30] | map("- " + .label) | join("\n"))
    + (if ($new | length) > 30 then "\n- and \($new | length - 30) more (see the issue)" else "" end) + "\n"
  end
JQ
)"

# ---- steps ---------------------------------------------------------------------------------------------
fail() { # <target> <message>: report and stop this target only
  echo "::error::$1: $2"
  exit 3
}

gh_() { # every gh call is counted: the run says how many API calls it made
  echo "$1 $2" >>"$work/calls"
  gh "$@"
}

# The issues carrying our label, from the database through REST (not the lagging search index behind
# `gh issue list --label/--search`), every page of 100: a repository with thousands of issues still has ours.
# The REST list includes pull requests: they are dropped.
load_issues() {
  local label_q
  if [[ ! -s "$work/issues.json" ]]; then
    label_q="$(jq -rn 'env.LABEL | @uri')"
    gh_ api --paginate "repos/$GH_REPO/issues?state=all&labels=$label_q&per_page=100" >"$work/issues.pages"
    # gh prints one merged array (or, in older releases, one array per page): accept both.
    jq -s 'if all(.[]; type == "array") then [ .[][] | select(has("pull_request") | not) ] else error("not a list of issues") end' \
      "$work/issues.pages" >"$work/issues.part"
    jq -r 'length' "$work/issues.part" >"$work/issues.count"
    mv "$work/issues.part" "$work/issues.json"
  fi
}

ensure_label() { # gh issue create --label fails when the label does not exist; --force: no error if it does
  if [[ ! -e "$work/label-ready" ]]; then
    gh_ label create "$LABEL" --force --color B60205 \
      --description "Vulnerabilities found by the scheduled security scan" >/dev/null
    touch "$work/label-ready"
  fi
}

build_doc() { # <target> <kind> <results.json>: the findings as data, in $work/<target>.doc.json
  local target="$1" kind="$2" results="$3" program meta_program
  if [[ ! -s "$results" ]]; then
    fail "$target" "the scan reported findings but $results is missing or empty"
  fi
  case "$kind" in
    trivy)
      jq -se 'length == 1 and (.[0] | type == "object" and (.SchemaVersion | type == "number")
        and ((.Results // []) | type == "array"))' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a Trivy JSON report"
      program="$JQ_TRIVY" meta_program="$JQ_TRIVY_META"
      ;;
    grype)
      [[ "${SEVERITY_CUTOFF:-}" =~ ^(negligible|low|medium|high|critical)$ ]] \
        || fail "$target" "SEVERITY_CUTOFF must be the gate's Grype severity-cutoff (negligible, low, medium, high or critical)"
      jq -se 'length == 1 and (.[0] | type == "object" and (.matches | type == "array")
        and (.descriptor | type == "object") and .descriptor.name == "grype")' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a Grype JSON report"
      program="$JQ_GRYPE" meta_program="$JQ_GRYPE_META"
      ;;
    govulncheck)
      jq -se 'length > 0 and any(.[]; type == "object" and has("config"))' "$results" >/dev/null 2>&1 \
        || fail "$target" "$results is not a govulncheck JSON stream"
      # accepted.json (from the scan, optional): the called vulnerabilities .govulncheckignore accepted.
      # vex.json (from the scan with --reachability, optional): what the gate's OpenVEX suppresses.
      jq -s --slurpfile accepted "$(if [[ -s "${results%/*}/accepted.json" ]]; then echo "${results%/*}/accepted.json"; else echo /dev/null; fi)" \
        --slurpfile vex "$(if [[ -s "${results%/*}/vex.json" ]]; then echo "${results%/*}/vex.json"; else echo /dev/null; fi)" \
        "$JQ_LIB ($JQ_GOVULNCHECK) + {meta: ($JQ_GOVULNCHECK_META)}" "$results" >"$work/$target.doc.json" \
        || fail "$target" "$results could not be read as a govulncheck JSON stream"
      return 0
      ;;
    *) fail "$target" "no report format is known for this target" ;;
  esac
  jq "$JQ_LIB ($program) + {meta: ($meta_program)}" "$results" >"$work/$target.doc.json" \
    || fail "$target" "$results could not be read as a $kind JSON report"
}

sha() { sha256sum | cut -d ' ' -f 1; }

# <target> <title> <issue.json or ""> -> $work/<target>.body (the whole new body) and FINGERPRINT;
# $work/<target>.parsed.json describes the current body.
build_body() {
  local target="$1" title="$2" issue="$3" meta="$RESULTS_DIR/$1/meta.json" region_hash keys
  FINGERPRINT="$({
    echo "relay-security-issue-v2"
    echo "$title"
    jq -r '.rows | map(.key) | sort | .[]' "$work/$target.doc.json"
  } | sha)"
  if [[ -n "$issue" ]]; then
    MARKER="$marker" jq "$JQ_PARSE" "$issue" >"$work/$target.parsed.json"
  else
    echo '{"region": false, "v1": false, "state": null, "hashtext": "", "before": "", "outside": 0}' >"$work/$target.parsed.json"
  fi
  if ! jq -e 'type == "object"' "$meta" >/dev/null 2>&1; then
    meta="$work/no-meta.json"
    echo '{}' >"$meta"
  fi
  OUTSIDE_BYTES="$(jq -r '.outside' "$work/$target.parsed.json")" ARTIFACT="relay-security-results-$target" \
    jq --slurpfile meta "$meta" "$JQ_LIB $JQ_REGION" "$work/$target.doc.json" >"$work/$target.region.json"
  jq -j '.region' "$work/$target.region.json" >"$work/$target.region"
  region_hash="$(sha <"$work/$target.region")"
  keys="$(jq -r '.keys | join(",")' "$work/$target.region.json")"
  # The state line goes right after the begin marker; the region's hash covers every other line of it.
  jq -jn --rawfile r "$work/$target.region" --arg s "<!-- relay-security:state v2 findings=$FINGERPRINT region=$region_hash keys=$keys -->" \
    '$r | split("\n") | .[:1] + [$s] + .[1:] | join("\n")' >"$work/$target.region.full"
  MARKER="$marker" jq -jn --rawfile region "$work/$target.region.full" --slurpfile p "$work/$target.parsed.json" \
    "$JQ_SPLICE" >"$work/$target.body"
}

# The current region is intact (its hash matches its state line) and reports the same findings and title.
unchanged() { # <target>
  local target="$1" recorded
  recorded="$(jq -r '.state.findings // "" ' "$work/$target.parsed.json")"
  [[ -n "$recorded" && "$recorded" == "$FINGERPRINT" ]] || return 1
  [[ "$(jq -j '.hashtext' "$work/$target.parsed.json" | sha)" == "$(jq -r '.state.region' "$work/$target.parsed.json")" ]]
}

news() { # <target> <kind> <lead> -> $work/<target>.news (empty when nothing is new)
  OLD_KEYS="$(jq -r '(.state.keys // []) | join(",")' "$work/$target.parsed.json")" TARGET="$1" KIND="$2" LEAD="$3" \
    jq -j "$JQ_LIB $JQ_NEWS" "$work/$1.doc.json" >"$work/$1.news"
}

comment_file() { # <number> <file>
  gh_ issue comment "$1" --body-file "$2" >/dev/null
}

# Close after a clean scan, idempotently: our clean comment is posted once, even when an earlier run
# posted it and then failed to close (a re-run then only closes).
close_clean() { # <target> <number>
  local target="$1" number="$2" last
  gh_ api --paginate "repos/$GH_REPO/issues/$number/comments?per_page=100" >"$work/$target.comments.pages"
  last="$(TAG="<!-- relay-security:$target:" jq -rs '[ .[][] | select(.user.login == env.BOT_LOGIN)
      | (.body // "") | select(startswith(env.TAG)) | ltrimstr(env.TAG) | split(" ")[0] ] | last // ""' \
    "$work/$target.comments.pages")"
  if [[ "$last" != "clean" ]]; then
    printf '<!-- relay-security:%s:clean -->\nScan is clean as of %s\n' "$target" "$RUN_URL" >"$work/$target.clean.md"
    comment_file "$number" "$work/$target.clean.md"
  fi
  gh_ issue close "$number" --reason completed >/dev/null
}

process_target() { # <target>
  local target="$1" dir kind status title marker found number state url closer reason
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
  case "$status" in
    findings) build_doc "$target" "$kind" "$dir/results.json" ;;
    clean) ;;
    *) fail "$target" "unknown status '$status' in $dir/status" ;;
  esac

  marker="<!-- relay-security:$target -->"
  load_issues
  MARKER="$marker" jq "$JQ_FIND" "$work/issues.json" >"$work/$target.found.json"
  for n in $(jq -r '.impostors[]' "$work/$target.found.json"); do
    echo "$target: ignored #$n: it has our marker but was not opened by $BOT_LOGIN with the label $LABEL" >&2
  done
  found=""
  if jq -e '.issue != null' "$work/$target.found.json" >/dev/null; then
    jq '.issue' "$work/$target.found.json" >"$work/$target.issue.json"
    found="$work/$target.issue.json"
    number="$(jq -r '.number' "$found")"
    state="$(jq -r '.state' "$found")"
  fi

  if [[ "$status" == clean ]]; then
    if [[ -n "$found" && "$state" == open ]]; then
      close_clean "$target" "$number"
      echo "$target: closed #$number"
    else
      echo "$target: nothing to do"
    fi
    return 0
  fi

  build_body "$target" "$title" "$found"
  if [[ -z "$found" ]]; then
    ensure_label
    url="$(gh_ issue create --title "$title" --body-file "$work/$target.body" --label "$LABEL")"
    url="${url##*$'\n'}"
    echo "$target: created #${url##*/}"
  elif [[ "$state" == open ]]; then
    if unchanged "$target" && [[ "$(jq -r '.title' "$found")" == "$title" ]]; then
      echo "$target: unchanged #$number"
      return 0
    fi
    gh_ issue edit "$number" --title "$title" --body-file "$work/$target.body" >/dev/null
    # An edit notifies nobody: what is new gets a comment. A report from before the state line cannot tell.
    if jq -e '.state != null' "$work/$target.parsed.json" >/dev/null; then
      news "$target" new "New since the last scan"
    else
      : >"$work/$target.news"
    fi
    if [[ -s "$work/$target.news" ]]; then
      comment_file "$number" "$work/$target.news"
      echo "$target: updated #$number, commented on what is new"
    else
      echo "$target: updated #$number"
    fi
  else
    # Closed: by us after a clean scan (the findings came back), or by a person, whose decision stands
    # until the scan finds something that was not in the report they closed.
    gh_ api "repos/$GH_REPO/issues/$number" >"$work/$target.closed.json"
    closer="$(jq -r '.closed_by.login // ""' "$work/$target.closed.json")"
    reason="$(jq -r '.state_reason // "completed" | gsub("_"; " ")' "$work/$target.closed.json")"
    if [[ "$closer" == "$BOT_LOGIN" ]]; then
      OLD_KEYS="" TARGET="$target" KIND=again LEAD="The scheduled security scan finds vulnerabilities again" RUN_URL="$RUN_URL" \
        jq -j "$JQ_LIB $JQ_NEWS" "$work/$target.doc.json" >"$work/$target.news"
    else
      news "$target" reopened "Reopened: closed as ${reason//[^a-z ]/}, but the scan found something new since"
      if [[ ! -s "$work/$target.news" ]]; then
        echo "$target: #$number stays closed (closed as ${reason//[^a-z ]/} by a maintainer; nothing new since)"
        return 0
      fi
    fi
    gh_ issue edit "$number" --title "$title" --body-file "$work/$target.body" >/dev/null
    gh_ issue reopen "$number" >/dev/null
    comment_file "$number" "$work/$target.news"
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
      echo "::error::$target: stopped with exit code $rc (see the messages" \
        "above); its issue may be out of date"
    fi
  fi
done
calls="$(wc -l <"$work/calls")"
pages=0
if [[ -s "$work/issues.count" ]]; then
  pages="$(($(cat "$work/issues.count") / 100 + 1))"
fi
echo "API calls: $((calls)) gh calls (the issue list: about $pages page(s) of 100)." >&2
exit "$failed"
