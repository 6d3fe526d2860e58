#!/usr/bin/env node
// A fake `gh` for `--pr` and the fleet job script (issue 16), kept apart from fake-gh.mjs (issues), faithful
// to what they depend on in cli/cli v2.6x (read from its pkg/cmd/{auth/status,pr/create,pr/list,pr/edit}
// and the manual, cli.github.com/manual):
// - `auth setup-git`: exit 0 with a token (the fake leaves git's config alone), else as `auth status`;
// - `auth status`: exit 0 with a token in GH_TOKEN / GITHUB_TOKEN (or `loggedIn` in the state), else exit 1
//   and "You are not logged into any GitHub hosts. To log in, run: gh auth login" on stderr;
// - every other command without a token: exit 4 and "To get started with GitHub CLI, please run:  gh auth login";
// - the repository comes from --repo / GH_REPO, else from `git remote -v` in the working directory (which
//   shows URLs after insteadOf, as gh sees them)
//   (a github.com URL); none: exit 1, "none of the git remotes configured for this repository point to a
//   known GitHub host";
// - `pr create` without a TTY needs --title and --body / --body-file (or --fill); the head branch must
//   exist on the remote (checked with `git ls-remote origin` in the working directory, so the test sees
//   what was really pushed) and differ from the base; an open PR for the same head and base is an error
//   that prints its URL; success prints the new URL on stdout;
// - `pr list` defaults to open PRs, 30 of them, newest first; `--json a,b` prints an array of those keys;
// - `pr edit <number | url | branch>` changes title / body and prints the URL; an unknown one is an error.
// State: FAKE_GH_STATE (JSON, created if missing): {prs: [...], loggedIn?, fail?: [{command, stderr, exit}]}.
// Every call is appended to FAKE_GH_LOG as a JSON line {argv, exit}.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

class GhError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

const SPECS = {
  "auth status": { hostname: { short: "h", type: "string" }, "show-token": { short: "t", type: "bool" } },
  "auth setup-git": { hostname: { short: "h", type: "string" }, force: { short: "f", type: "bool" } },
  "pr create": {
    repo: { short: "R", type: "string" }, base: { short: "B", type: "string" }, head: { short: "H", type: "string" },
    title: { short: "t", type: "string" }, body: { short: "b", type: "string" }, "body-file": { short: "F", type: "string" },
    draft: { short: "d", type: "bool" }, fill: { short: "f", type: "bool" }, label: { short: "l", type: "list" },
  },
  "pr list": {
    repo: { short: "R", type: "string" }, head: { short: "H", type: "string" }, base: { short: "B", type: "string" },
    state: { short: "s", type: "string" }, limit: { short: "L", type: "string" }, json: { type: "string" }, jq: { short: "q", type: "string" },
  },
  "pr edit": {
    repo: { short: "R", type: "string" }, title: { short: "t", type: "string" }, body: { short: "b", type: "string" },
    "body-file": { short: "F", type: "string" }, base: { short: "B", type: "string" },
  },
};
const PR_FIELDS = ["baseRefName", "body", "headRefName", "number", "state", "title", "url", "isDraft"];

function parse(command, args) {
  const spec = SPECS[command];
  if (!spec) throw new GhError(`fake gh (pr): \`gh ${command}\` is not implemented`);
  const byShort = Object.fromEntries(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short, n]));
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a) ?? (/^-([a-zA-Z])$/.test(a) ? [a, byShort[a[1]], undefined] : null);
    if (!m) {
      positional.push(a);
      continue;
    }
    const name = m[1];
    if (!name || !spec[name]) throw new GhError(`unknown flag: ${a}\n\nUsage:  gh ${command} [flags]`);
    if (spec[name].type === "bool") flags[name] = true;
    else {
      const v = m[2] ?? args[++i];
      if (v === undefined) throw new GhError(`flag needs an argument: ${a}`);
      if (spec[name].type === "list") (flags[name] ??= []).push(v);
      else flags[name] = v;
    }
  }
  return { flags, positional };
}

const stateFile = process.env.FAKE_GH_STATE;
if (!stateFile) {
  process.stderr.write("fake gh (pr): FAKE_GH_STATE is not set\n");
  process.exit(2);
}
const logFile = process.env.FAKE_GH_LOG ?? `${stateFile}.log`;
const load = () => ({ prs: [], ...(existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : {}) });
const save = (s) => writeFileSync(stateFile, JSON.stringify(s, null, 2));
const token = () => process.env.GH_TOKEN || process.env.GITHUB_TOKEN;

function git(...args) {
  const r = spawnSync("git", args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout : undefined;
}

function repoOf(flags) {
  const named = flags.repo ?? process.env.GH_REPO;
  if (named) return named;
  for (const line of (git("remote", "-v") ?? "").split("\n")) {
    const m = /github\.com[:/]([^/\s]+)\/([^/\s]+?)(?:\.git)?\s/.exec(line);
    if (m) return `${m[1]}/${m[2]}`;
  }
  throw new GhError("none of the git remotes configured for this repository point to a known GitHub host. To tell gh about a new GitHub host, please use `gh auth login`");
}

function bodyOf(flags) {
  if (flags["body-file"] !== undefined) return flags["body-file"] === "-" ? readFileSync(0, "utf8") : readFileSync(flags["body-file"], "utf8");
  return flags.body;
}

function run(argv, state) {
  const command = argv.slice(0, 2).join(" ");
  const { flags, positional } = parse(command, argv.slice(2));
  const injected = (state.fail ?? []).find((f) => f.command === command);
  if (injected) throw new GhError(injected.stderr, injected.exit ?? 1);
  if (command === "auth status") {
    if (token() || state.loggedIn) return { stdout: `github.com\n  ✓ Logged in to github.com account fake (${token() ? "GH_TOKEN" : "keyring"})\n` };
    throw new GhError("You are not logged into any GitHub hosts. To log in, run: gh auth login");
  }
  // Real gh writes credential.<host>.helper into the global git config; the fake only records the call.
  if (command === "auth setup-git") {
    if (token() || state.loggedIn) return { stdout: "" };
    throw new GhError("You are not logged into any GitHub hosts. To log in, run: gh auth login");
  }
  if (!token() && !state.loggedIn) throw new GhError("To get started with GitHub CLI, please run:  gh auth login\nAlternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.", 4);
  const repo = repoOf(flags);
  const mine = state.prs.filter((p) => p.repo === repo);
  if (command === "pr create") {
    const body = bodyOf(flags);
    if (!flags.fill && (flags.title === undefined || body === undefined)) throw new GhError("must provide `--title` and `--body` (or `--fill` or `fill-first` or `--fillverbose`) when not running interactively");
    const head = flags.head ?? git("symbolic-ref", "--short", "HEAD")?.trim();
    const base = flags.base ?? "main";
    const headTip = git("ls-remote", "origin", `refs/heads/${head}`)?.split(/\s/)[0];
    const baseTip = git("ls-remote", "origin", `refs/heads/${base}`)?.split(/\s/)[0];
    if (!headTip) throw new GhError(`pull request create failed: GraphQL: Head sha can't be blank, Base sha can't be blank, No commits between ${base} and ${head}, Head ref must be a branch (createPullRequest)`);
    if (headTip === baseTip) throw new GhError(`pull request create failed: GraphQL: No commits between ${base} and ${head} (createPullRequest)`);
    const open = mine.find((p) => p.state === "OPEN" && p.headRefName === head && p.baseRefName === base);
    if (open) throw new GhError(`a pull request for branch "${head}" into branch "${base}" already exists:\n${open.url}`);
    // Numbers are per repository, shared with its issues on GitHub; the fake counts PRs only.
    const number = Math.max(0, ...mine.map((p) => p.number)) + 1;
    const pr = { repo, number, url: `https://github.com/${repo}/pull/${number}`, title: flags.title ?? "", body: body ?? "", headRefName: head, baseRefName: base, state: "OPEN", isDraft: Boolean(flags.draft), headSha: headTip };
    state.prs.push(pr);
    return { stdout: `${pr.url}\n`, save: true };
  }
  if (command === "pr list") {
    const want = (flags.state ?? "open").toUpperCase();
    const limit = Number(flags.limit ?? 30);
    const list = mine
      .filter((p) => want === "ALL" || (want === "OPEN" ? p.state === "OPEN" : want === "CLOSED" ? p.state === "CLOSED" : p.state === "MERGED"))
      .filter((p) => !flags.head || p.headRefName === flags.head)
      .filter((p) => !flags.base || p.baseRefName === flags.base)
      .sort((a, b) => b.number - a.number)
      .slice(0, limit);
    if (!flags.json) return { stdout: list.map((p) => `${p.number}\t${p.title}\t${p.headRefName}\t${p.state}\n`).join("") };
    const fields = flags.json.split(",");
    for (const f of fields) if (!PR_FIELDS.includes(f)) throw new GhError(`Unknown JSON field: "${f}"\nAvailable fields:\n  ${PR_FIELDS.join("\n  ")}`);
    return { stdout: `${JSON.stringify(list.map((p) => Object.fromEntries(fields.map((f) => [f, p[f]]))))}\n` };
  }
  if (command === "pr edit") {
    const sel = positional[0];
    if (sel === undefined) throw new GhError("accepts at most 1 arg(s), received 0");
    const pr = /^\d+$/.test(sel) ? mine.find((p) => p.number === Number(sel)) : sel.startsWith("https://") ? mine.find((p) => p.url === sel) : mine.find((p) => p.headRefName === sel && p.state === "OPEN");
    if (!pr) throw new GhError(/^\d+$/.test(sel) ? `GraphQL: Could not resolve to a PullRequest with the number of ${sel}. (repository.pullRequest)` : `no pull requests found for branch "${sel}"`);
    if (flags.title !== undefined) pr.title = flags.title;
    const body = bodyOf(flags);
    if (body !== undefined) pr.body = body;
    if (flags.base !== undefined) pr.baseRefName = flags.base;
    pr.headSha = git("ls-remote", "origin", `refs/heads/${pr.headRefName}`)?.split(/\s/)[0] ?? pr.headSha;
    return { stdout: `${pr.url}\n`, save: true };
  }
  throw new GhError(`fake gh (pr): \`gh ${command}\` is not implemented`);
}

const argv = process.argv.slice(2);
const state = load();
let exit = 0;
try {
  const r = run(argv, state);
  if (r.save) save(state);
  process.stdout.write(r.stdout);
} catch (error) {
  if (!(error instanceof GhError)) throw error;
  process.stderr.write(`${error.message}\n`);
  exit = error.code;
}
appendFileSync(logFile, `${JSON.stringify({ argv, exit })}\n`);
process.exit(exit);
