/**
 * Hand-written setups of the same shape as ours, and what is wrong with each (issue 6, "adopts
 * hand-written setups"; PRODUCT.md "Upgrading"). Data, with the source of each claim; `detect.ts`
 * applies them.
 */

export type AdoptRule = "tracks-comment" | "govulncheck-json-gate" | "title-dedup" | "search-index-lookup" | "trivy-tag-pin";

export interface Pattern {
  rule: AdoptRule;
  /** A few words for the plan line. */
  label: string;
  /** Why it matters, for the notes. */
  why: string;
}

export const PATTERNS: Record<AdoptRule, Pattern> = {
  "tracks-comment": {
    rule: "tracks-comment",
    label: "bare SHA pin with a separate `# Tracks:` line",
    // Renovate reads the version of a SHA pin only from a comment on the `uses:` line
    // (docs.renovatebot.com/modules/manager/github-actions/), so a version on another line is invisible.
    why: "is pinned by a bare SHA with its version on a separate `# Tracks:` line; Renovate reads a pin's version only from a comment on the `uses:` line itself, so it never updates this pin",
  },
  "govulncheck-json-gate": {
    rule: "govulncheck-json-gate",
    label: "govulncheck -json as the gate",
    // govulncheck exits 3 on called vulnerabilities only in text mode; `-json` / `-format json|sarif|openvex`
    // always exit 0 (pkg.go.dev/golang.org/x/vuln/cmd/govulncheck, "Exit codes").
    why: "runs govulncheck with JSON/SARIF output and nothing decides on it; in those formats govulncheck exits 0 whatever it finds, so this step never fails",
  },
  "title-dedup": {
    rule: "title-dedup",
    label: "finds its issue by title",
    why: "finds its existing issue by matching the title: an edited title, or another issue with the same words, makes it file a duplicate or update the wrong issue (ours finds its issue by a hidden marker line in the body)",
  },
  "search-index-lookup": {
    rule: "search-index-lookup",
    label: "looks issues up through search",
    // cli/cli pkg/cmd/issue/list/list.go: with --search or --label, `gh issue list` calls searchIssues.
    why: "looks its issue up with `gh issue list --search/--label` or `gh search issues`, which read GitHub's search index; the index lags behind, so a run soon after another misses the issue that one opened and files a second",
  },
  "trivy-tag-pin": {
    rule: "trivy-tag-pin",
    label: "Trivy action pinned by a tag",
    // data/pins.json knownCompromised._about (GHSA-69fq-xp46-6x23).
    why: "pins a Trivy action by a tag; in March 2026 attackers force-pushed 75 of the 76 aquasecurity/trivy-action tags to credential-stealing commits, and a tag can be moved again",
  },
};

/** Actions whose bare-SHA pin `--adopt` moves to our pin, `<sha> # <tag>` (the scanners the gate's policy rests on). */
export const REPIN_ACTIONS = ["aquasecurity/trivy-action", "aquasecurity/setup-trivy"] as const;

/** `# Tracks: owner/repo@v1.2.3` (also `# tracks owner/repo v1.2.3`). */
export const TRACKS = /^\s*#\s*tracks\s*:?\s*([\w.-]+\/[\w.-]+(?:\/[\w./-]*)?)\s*[@ ]\s*(\S+)/i;

/** A version comment Renovate reads on the `uses:` line: `# v1.2.3`, `# 1.2.3`, `# tag=v1.2.3`. */
export const VERSION_COMMENT = /^\s*#\s*(?:tag\s*=\s*)?@?v?\d+(?:\.\d+){0,2}(?:-[\w.]+)?(?:\s|$)/;

/** Script tests, in one place so the table-driven tests can read them. */
export const SCRIPT = {
  /** A govulncheck command (not `go install .../govulncheck@v`), with the rest of its line. */
  govulncheck: /(?:^|[\s;&|(/])govulncheck(?![\w@/.-])([^\n]*)/g,
  jsonFormat: /(?:^|\s)(?:-json\b|-format[=\s]+["']?(?:json|sarif|openvex)\b)/,
  /** Something that fails the step on the JSON: `jq -e`, an `exit 1`, `test`. */
  decides: /\bjq\s+(?:[^\n|;]*\s)?(?:-e|--exit-status)\b|\bexit\s+[1-9]|\bfalse\s*$/m,
  issueApi: /\bgh\s+(?:issue|search\s+issues|api)\b|\bissues\.(?:listForRepo|list|create|update)\b|\/issues\b/,
  titleMatch:
    /in:title|select\(\s*\.title|\.title\s*(?:==|!=|\|\s*(?:test|contains|startswith|ascii_downcase))|\.title\s*===?|\.title\.(?:includes|startsWith)\(|--search[=\s]+[^\n]*title/i,
  searchIndex: /\bgh\s+issue\s+list\b[^\n]*\s--(?:search|label)\b|\bgh\s+issue\s+list\b[^\n]*\s-[Sl]\s|\bgh\s+search\s+issues\b/,
} as const;

/**
 * A scheduled rescan of the user's own that does what `security-scan.yml` does (issue 20 item 6): two
 * nightly scans file two sets of issues. Which steps count as scanning the image or the Go code; a
 * filesystem or config scan (`trivy fs`, `scan-type: fs`) is not ours and does not count.
 */
export const RESCAN = {
  /** Actions that scan an image: trivy-action (its default scan-type is image), Grype's scan-action. */
  imageActions: ["aquasecurity/trivy-action", "anchore/scan-action"],
  govulncheckActions: ["golang/govulncheck-action"],
  /** trivy-action `scan-type:` values that are not an image scan. */
  notImageScanTypes: /^(fs|filesystem|repo|repository|config|rootfs|sbom|k8s|kubernetes|vm)$/i,
  /** CLI: `trivy image …` / `trivy i …`, `grype <image>` (not `grype db …`), `govulncheck` (not its `go install`). */
  trivyCli: /(?:^|[\s;&|(/])trivy\s+(?:--?\S+\s+)*(?:image|i)\s/m,
  grypeCli: /(?:^|[\s;&|(/])grype\s+(?!db\b|version\b|completion\b|config\b)(?:docker:|registry:|docker-archive:|oci-archive:|[\w$"'{.-])/m,
  govulncheckCli: SCRIPT.govulncheck,
  /** Where a rescan's findings go: a SARIF upload, an action that files issues, a call that does. */
  sarifUpload: /^github\/codeql-action\/upload-sarif$/,
  issueActions: /^(?:jasonetco\/create-an-issue|peter-evans\/create-issue-from-file|dacbd\/create-issue-action|imjohnbo\/issue-bot)$/,
  issueCalls: /\bgh\s+issue\s+(?:create|edit|comment|reopen)\b|\bissues\.(?:create|update|createComment)\b|\/issues\b[^\n]*-X\s*POST|-X\s*POST[^\n]*\/issues\b/,
  /** Triggers a pure rescan may have; any other (push, pull_request, workflow_call, ...) means the file does more. */
  rescanTriggers: ["schedule", "workflow_dispatch"],
} as const;
