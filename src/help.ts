/** Help text: plain strings, no imports, so `--help` answers before anything heavy loads. */
export const HELP = `create-relay-security [dir]          set up or upgrade a Go service repository (default: .)
relay-security check [dir]           exit 0 when a re-run would change nothing, 1 on drift, conflicts
                                     or validation errors (--json for machines)
relay-security validate [dir]        run the validators alone

Answers (each pre-filled from what is detected; also in an --answers JSON file):
  --image NAME          image to build and scan, e.g. ghcr.io/owner/repo (default: from the origin remote)
  --dockerfile PATH     Dockerfile that builds the service image (default: the one found)
  --context PATH        docker build context (default: .)
  --branch NAME         default branch the rescan scans (default: detected)
  --schedule WHEN       daily | weekly | a cron line such as "17 4 * * *" (UTC, not at minute 0)
  --severity LIST       severities that fail the gate (default: CRITICAL,HIGH)
  --label NAME          label of the issues the rescan files (default: security)
  --updater NAME        renovate | dependabot | none (default: renovate)
  --scanner NAME        trivy (default) | grype
  --no-image-scan       govulncheck only: no Dockerfile, no image scan
  --sarif               also upload image findings to code scanning
  --reachability        the gate does not fail on Go module vulnerabilities govulncheck shows are not
                        called (OpenVEX); OS packages and the Go standard library still fail it
  --report WHERE        issues (default) | code-scanning: where the rescan reports; issues are public in
                        a public repository, code scanning alerts only for people with write access
  --isolated-scan       scan the image in a job of its own with no token (the build job saves and
                        uploads it), not next to the build job's logins and write permissions
  --workflow FILE       the pull-request workflow to put the gate in
  --answers FILE        a JSON file with any of the answers above (keys: image, dockerfile, ...)

Run:
  -y, --yes             take the detected defaults without asking
  --dry-run             print the plan and the diffs; write nothing
  --diff                show the diffs with the plan
  --json                print a machine-readable report (no prompts)
  --allow-dirty         change files that have uncommitted edits
  --on-conflict HOW     when an upgrade's edits overlap yours: markers (default) | fail (write nothing
                        at all) | ours | theirs
  --restore             recreate managed files you deleted
  --adopt               replace a hand-written security-scan.yml with ours, re-pin Trivy actions
                        pinned by a bare SHA with a separate "# Tracks:" line, and delete a scheduled
                        rescan of yours that duplicates ours (the plan shows each first)
  --image-archive FILE  validate: scan this docker-save archive instead of building
  --offline             validate: use Trivy's cached database only
  -h, --help            this help
  -v, --version         the version

Exit codes: 0 ok, 1 findings / drift / conflicts, 2 bad usage or input (nothing written), 130 cancelled.
`;
