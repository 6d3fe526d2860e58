/**
 * The command-line surface as data: every flag once, every command with the flags it takes. `cli.ts`
 * parses from these tables and the help is rendered from them, so a flag cannot be accepted by a command
 * whose help does not list it (issue 11, item 12). No imports: `--help` answers before anything loads.
 * To add a command, add a COMMANDS row; to add a flag, a FLAGS row and its name in the commands' lists.
 */

export interface FlagSpec {
  type: "boolean" | "string";
  short?: string;
  /** Repeatable (`--build-arg A=1 --build-arg B=2`). */
  multiple?: boolean;
  /** The value's placeholder in the help, e.g. NAME. */
  arg?: string;
  help: string;
  /** A yes/no answer's other side (`--image-scan` of `--no-image-scan`): listed on one line, not a row. */
  opposite?: string;
}

export const FLAGS = {
  image: { type: "string", arg: "NAME", help: "image to build and scan, e.g. ghcr.io/owner/repo (default: from the origin remote)" },
  dockerfile: { type: "string", arg: "PATH", help: "Dockerfile that builds the service image (default: the one found)" },
  context: { type: "string", arg: "PATH", help: "docker build context (default: .)" },
  branch: { type: "string", arg: "NAME", help: "push branch of the CI workflow relay-security creates when you have none\n(default: detected); the rescan always scans GitHub's default branch" },
  schedule: { type: "string", arg: "WHEN", help: 'daily | weekly | a cron line such as "17 4 * * *" (UTC, not at minute 0)' },
  severity: { type: "string", arg: "LIST", help: "severities that fail the gate, CRITICAL among them (default: CRITICAL,HIGH)" },
  label: { type: "string", arg: "NAME", help: "label of the issues the rescan files (default: security)" },
  updater: { type: "string", arg: "NAME", help: "renovate | dependabot | none (default: renovate)" },
  scanner: { type: "string", arg: "NAME", help: "trivy (default) | grype" },
  "no-image-scan": { type: "boolean", help: "govulncheck only: no Dockerfile, no image scan" },
  sarif: { type: "boolean", help: "also upload image findings to code scanning" },
  reachability: {
    type: "boolean",
    help: "the gate does not fail on Go module vulnerabilities govulncheck shows are not\ncalled (OpenVEX); OS packages and the Go standard library still fail it",
  },
  report: {
    type: "string",
    arg: "WHERE",
    help: "issues (default) | code-scanning: where the rescan reports; issues are public in\na public repository, code scanning alerts only for people with write access",
  },
  "isolated-scan": {
    type: "boolean",
    help: "scan the image in a job of its own with no token (the build job saves and\nuploads it), not next to the build job's logins and write permissions",
  },
  workflow: { type: "string", arg: "FILE", help: "the pull-request workflow to put the gate in" },
  "db-repository": {
    type: "string",
    arg: "REF",
    help: "where the vulnerability database comes from: Trivy's --db-repository (OCI\nreferences, comma-separated) or Grype's db.update-url (an https URL)",
  },
  "build-arg": { type: "string", multiple: true, arg: "KEY=VALUE", help: "a build arg the image build needs that CI's build does not show (repeatable)" },
  trivyignore: { type: "string", arg: "FILE", help: ".trivyignore (default) | .trivyignore.yaml (Trivy's YAML format; the default\nwhen the repository has only that one)" },
  "no-check-workflow": { type: "boolean", help: "do not write .github/workflows/relay-security-check.yml (check on pull requests)" },
  "harden-runner": { type: "boolean", help: "step-security/harden-runner (egress-policy: audit) first in each job we write" },
  "pin-base-images": { type: "boolean", help: "pin the Dockerfile's FROM lines by digest (asks their registries; offline: reported)" },
  // A recorded yes/no answer is kept by every re-run; its other side turns it back.
  "image-scan": { type: "boolean", opposite: "no-image-scan", help: "" },
  "no-sarif": { type: "boolean", opposite: "sarif", help: "" },
  "no-reachability": { type: "boolean", opposite: "reachability", help: "" },
  "no-isolated-scan": { type: "boolean", opposite: "isolated-scan", help: "" },
  "check-workflow": { type: "boolean", opposite: "no-check-workflow", help: "" },
  "no-harden-runner": { type: "boolean", opposite: "harden-runner", help: "" },
  "no-pin-base-images": { type: "boolean", opposite: "pin-base-images", help: "" },
  answers: { type: "string", arg: "FILE", help: "a JSON file with any of the answers above (keys: image, dockerfile, ...)" },
  yes: { type: "boolean", short: "y", help: "take the detected defaults without asking" },
  "dry-run": { type: "boolean", help: "print the plan and the diffs; write nothing" },
  diff: { type: "boolean", help: "show the diffs with the plan" },
  json: { type: "boolean", help: "print a machine-readable report (no prompts)" },
  "allow-dirty": { type: "boolean", help: "change files that have uncommitted edits" },
  "on-conflict": { type: "string", arg: "HOW", help: "when an upgrade's edits overlap yours: markers (default) | fail (write nothing\nat all) | ours | theirs" },
  restore: { type: "boolean", help: "recreate managed files you deleted" },
  adopt: {
    type: "boolean",
    help: 'replace a hand-written security-scan.yml with ours, re-pin Trivy actions\npinned by a bare SHA with a separate "# Tracks:" line, and delete a scheduled\nrescan of yours that duplicates ours (the plan shows each first)',
  },
  "image-archive": { type: "string", arg: "FILE", help: "scan this docker-save archive instead of building" },
  offline: { type: "boolean", help: "validate: Trivy's cached database only, no pin check against the actions'\nrepositories; pin: only data/pins.json" },
  "all-workflows": { type: "boolean", help: "every workflow, and count findings in your own lines too (default: what\nrelay-security owns and the workflow carrying its step)" },
  pin: { type: "boolean", help: "set-up: also pin the actions of your own workflows (as relay-security pin)" },
  // `pin` (issue 14).
  check: {
    type: "boolean",
    help: "change nothing; exit 1 when a pin is a tag, its comment names another commit,\nits commit is on no branch or tag of the action (a fork's), or it is compromised",
  },
  update: { type: "boolean", help: "move to the newest release at least --min-age old, across majors (default:\nstay in the major you use)" },
  "min-age": { type: "string", arg: "DAYS", help: "with --update (default: 7)" },
  // `--pr` and `fleet` (issue 16).
  pr: { type: "boolean", help: "commit on relay-security/setup (/upgrade, /pin), push, and open or update the\npull request with gh; refuses a dirty tree" },
  local: { type: "boolean", help: "fleet: check these clones (DIR...) and print the table; with --pr, set up or\nupgrade each one in drift or not set up as a pull request" },
  repos: { type: "string", arg: "FILE", help: "fleet: the repositories, one OWNER/NAME a line" },
  org: { type: "string", arg: "ORG", help: "fleet: every repository of this organisation with --topic" },
  topic: { type: "string", arg: "TOPIC", help: "fleet: with --org" },
  "max-parallel": { type: "string", arg: "N", help: "fleet: jobs at once in the workflow's matrix (default: 4)" },
  cwd: { type: "string", short: "C", arg: "DIR", help: "run as if started in DIR (as git -C does); a [dir] is then relative to it" },
  quiet: { type: "boolean", short: "q", help: "print only the last line (why the exit code is what it is); errors still\ngo to stderr" },
  help: { type: "boolean", short: "h", help: "this help" },
  version: { type: "boolean", short: "v", help: "the version" },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** The other sides of the yes/no answers, in the order their answers are listed. */
const OPPOSITES = ["image-scan", "no-sarif", "no-reachability", "no-isolated-scan", "check-workflow", "no-harden-runner", "no-pin-base-images"] as const satisfies readonly FlagName[];

/** `--sarif` and `--no-sarif` together: the pair, or undefined. */
export function bothSides(given: ReadonlySet<string>): [string, string] | undefined {
  for (const name of OPPOSITES) {
    const other = (FLAGS[name] as FlagSpec).opposite as string;
    if (given.has(name) && given.has(other)) return [other, name];
  }
  return undefined;
}

export interface CommandSpec {
  /** The usage line's left part. */
  usage: string;
  summary: string;
  /** Flag groups in help order: a heading and the flags under it. */
  groups: { heading: string; flags: FlagName[] }[];
}

const ANSWERS: FlagName[] = ["image", "dockerfile", "context", "branch", "schedule", "severity", "label", "updater", "scanner", "no-image-scan", "sarif", "reachability", "report", "isolated-scan", "workflow", "db-repository", "build-arg", "trivyignore", "no-check-workflow", "harden-runner", "pin-base-images", "answers", ...OPPOSITES];
const SCAN: FlagName[] = ["json", "image-archive", "offline", "all-workflows", "cwd", "quiet", "help"];

export const COMMANDS = {
  init: {
    usage: "create-relay-security [dir]",
    summary: "set up or upgrade a Go service repository (default: .)",
    groups: [
      { heading: "Answers (each pre-filled from what is detected; also in an --answers JSON file)", flags: ANSWERS },
      { heading: "Run", flags: ["yes", "dry-run", "diff", "json", "allow-dirty", "on-conflict", "restore", "adopt", "pin", "pr", "cwd", "quiet", "help", "version"] },
    ],
  },
  check: {
    usage: "relay-security check [dir]",
    summary: "exit 0 when a re-run would change nothing, 1 on drift, conflicts\nor validation errors (--json for machines); check DIR DIR...:\neach checked in this one process, the exit code the worst of them",
    groups: [{ heading: "Options", flags: SCAN }],
  },
  validate: {
    usage: "relay-security validate [dir]",
    summary: "run the validators alone",
    groups: [{ heading: "Options", flags: SCAN }],
  },
  pin: {
    usage: "relay-security pin [dir]",
    summary: 'pin every action in your workflows and composite actions to the\ncommit its tag points to, with "# vX.Y.Z"; nothing else changes',
    groups: [{ heading: "Options", flags: ["check", "update", "min-age", "dry-run", "json", "offline", "pr", "cwd", "quiet", "help"] }],
  },
  fleet: {
    usage: "relay-security fleet [dir]",
    summary: "write a workflow into this admin repository that checks (or\nupgrades, as pull requests) many repositories; --local DIR...:\nthe state of clones (current, drift, conflict, not set up, error)",
    groups: [{ heading: "Options", flags: ["repos", "org", "topic", "max-parallel", "local", "pr", "json", "dry-run", "help"] }],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** Every flag a command takes. */
export const flagsOf = (command: CommandName): FlagName[] => COMMANDS[command].groups.flatMap((g) => g.flags as readonly FlagName[]);

const EXIT_LINE =
  "Exit codes: 0 ok, 1 findings / drift / conflicts in what relay-security wrote or changed, 2 bad usage\nor input (nothing written), 130 cancelled. Findings in your own lines are listed, not counted.";

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

function flagLines(names: readonly FlagName[]): string[] {
  const opposites = names.filter((name) => (FLAGS[name] as FlagSpec).opposite !== undefined);
  const rows = names.filter((name) => !opposites.includes(name)).flatMap((name) => {
    const f: FlagSpec = FLAGS[name];
    const left = `  ${f.short ? `-${f.short}, ` : ""}--${name}${f.arg ? ` ${f.arg}` : ""}`;
    const [first, ...more] = f.help.split("\n");
    return [`${pad(left, 24)}${first}`, ...more.map((m) => `${" ".repeat(24)}${m}`)];
  });
  if (opposites.length === 0) return rows;
  const list = opposites.map((n) => `--${n}`);
  return [...rows, `  A re-run keeps the yes/no answers an earlier run recorded; these turn one back:`, `    ${list.slice(0, 4).join(" ")}`, `    ${list.slice(4).join(" ")}`];
}

function summaryLines(c: CommandSpec): string[] {
  const [first, ...more] = c.summary.split("\n");
  return [`${pad(c.usage, 37)}${first}`, ...more.map((m) => `${" ".repeat(37)}${m}`)];
}

/** The help of one command, or the overview (every command, then the set-up's flags) without one. */
export function renderHelp(command?: CommandName): string {
  const cmds = Object.values(COMMANDS) as CommandSpec[];
  const shown = command ? [COMMANDS[command] as CommandSpec] : cmds;
  const lines = shown.flatMap(summaryLines);
  const spec: CommandSpec = COMMANDS[command ?? "init"];
  for (const g of spec.groups) lines.push("", `${g.heading}:`, ...flagLines(g.flags));
  if (!command) lines.push("", `check and validate take: ${SCAN.map((f) => `--${f}`).join(" ")}; pin takes: ${flagsOf("pin").map((f) => `--${f}`).join(" ")} (relay-security COMMAND --help)`);
  lines.push("", EXIT_LINE);
  return `${lines.join("\n")}\n`;
}

/** The command a mistyped word was meant to be ("chek" -> "check"), within two edits; undefined when none is near. */
export function nearCommand(word: string): CommandName | undefined {
  const names = Object.keys(COMMANDS) as CommandName[];
  const scored = names.map((name) => ({ name, d: editDistance(word.toLowerCase(), name) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.min(2, Math.floor(best.name.length / 2)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}
