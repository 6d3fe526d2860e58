#!/usr/bin/env node
// A fake `gh` for the issue-lifecycle tests, faithful to the behaviour the script depends on
// (cli/cli around v2.60; see /work/shared/notes/gh-issue-lifecycle.md):
// - exit 4 without a token; "not a git repository" without --repo / GH_REPO;
// - `issue list` defaults to open issues and 30 of them, newest first; `--json` prints one compact array
//   of the requested keys (state OPEN / CLOSED); `--jq` is run by the system jq (-r -c, close to gojq);
// - `--search` / `--label` / `--milestone` go through a simulated search index: issues created in the last
//   `searchLagMinutes` (default 15) are not found, and text inside HTML comments is not indexed;
// - `issue create` prints the URL and fails on a missing label; `close` / `reopen` on an issue already
//   in that state warn, exit 0 and post no comment; `label create` needs --force for an existing label;
// - bodies over 65,536 characters and titles over 256 are rejected like the API does;
// - `issue list` leaves pull requests out (GraphQL `repository.issues`); `--json author` spells a bot as
//   `{"is_bot": true, "login": "app/<slug>"}` and a user as `{id, is_bot: false, login, name}`
//   (cli/cli api/queries_issue.go, Author.MarshalJSON): our bot is `app/github-actions` there;
// - `api` (GET only) answers the REST endpoints the script reads, in REST's shape (lower-case `state`,
//   `state_reason`, `user: {login, type}` with the bot as `github-actions[bot]` / "Bot", label objects,
//   pull requests included with a `pull_request` key): `repos/O/R/issues` (state, labels, per_page up to 100,
//   page; newest first), `repos/O/R/issues/N` (with `closed_by`), `repos/O/R/issues/N/comments`.
//   `--paginate` adds per_page=100 unless given (pkg/cmd/api/pagination.go addPerPage) and follows every
//   page, printing each page's array as it comes (pkg/cmd/api/api.go: one body copied per request); with
//   `state.paginateMerged` it prints one merged array instead, as newer releases do. Each page is a request:
//   the log records `requests`;
// - writes are made as `state.viewer` (default the Actions bot): issues' author, comments' author, closed_by.
// State: the JSON file named by FAKE_GH_STATE (created if missing). Every call is appended as a JSON line
// `{argv, exit}` to FAKE_GH_LOG (default: the state file + ".log"). `state.fail` injects failures:
// [{command: "issue edit", stderr: "...", exit: 1}].
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

const BODY_MAX = 65536;
const TITLE_MAX = 256;
const JSON_FIELDS = [
  "assignees", "author", "body", "closed", "closedAt", "comments", "createdAt", "id", "isPinned", "labels",
  "milestone", "number", "projectCards", "projectItems", "reactionGroups", "state", "stateReason", "title",
  "updatedAt", "url",
];

class GhError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

// Flag specs per command: name -> { short, type: "string" | "bool" | "list" }.
const REPO = { repo: { short: "R", type: "string" } };
const SPECS = {
  "issue list": {
    ...REPO, state: { short: "s", type: "string" }, limit: { short: "L", type: "string" },
    json: { type: "string" }, jq: { short: "q", type: "string" }, template: { short: "t", type: "string" },
    search: { short: "S", type: "string" }, label: { short: "l", type: "list" }, milestone: { short: "m", type: "string" },
    author: { short: "A", type: "string" }, assignee: { short: "a", type: "string" }, mention: { type: "string" },
    app: { type: "string" }, web: { short: "w", type: "bool" },
  },
  "issue create": {
    ...REPO, title: { short: "t", type: "string" }, body: { short: "b", type: "string" },
    "body-file": { short: "F", type: "string" }, label: { short: "l", type: "list" },
    assignee: { short: "a", type: "list" }, milestone: { short: "m", type: "string" }, web: { short: "w", type: "bool" },
  },
  "issue edit": {
    ...REPO, title: { short: "t", type: "string" }, body: { short: "b", type: "string" },
    "body-file": { short: "F", type: "string" }, "add-label": { type: "list" }, "remove-label": { type: "list" },
  },
  "issue close": { ...REPO, comment: { short: "c", type: "string" }, reason: { short: "r", type: "string" } },
  "issue reopen": { ...REPO, comment: { short: "c", type: "string" } },
  "issue comment": { ...REPO, body: { short: "b", type: "string" }, "body-file": { short: "F", type: "string" } },
  api: {
    paginate: { type: "bool" }, method: { short: "X", type: "string" }, header: { short: "H", type: "list" },
    jq: { short: "q", type: "string" }, "raw-field": { short: "f", type: "list" }, field: { short: "F", type: "list" },
    slurp: { type: "bool" }, include: { short: "i", type: "bool" }, silent: { type: "bool" }, hostname: { type: "string" },
  },
  "label create": {
    ...REPO, color: { short: "c", type: "string" }, description: { short: "d", type: "string" }, force: { short: "f", type: "bool" },
  },
};

function parseArgs(command, args) {
  const spec = SPECS[command];
  if (!spec) throw new GhError(`fake gh: \`gh ${command}\` is not implemented`);
  const byShort = Object.fromEntries(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short, n]));
  const flags = {};
  const positional = [];
  const set = (name, value) => {
    if (spec[name].type === "list" && command === "api") (flags[name] ??= []).push(String(value));
    else if (spec[name].type === "list") (flags[name] ??= []).push(...String(value).split(",").map((v) => v.trim()));
    else flags[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let name;
    let inline;
    if (arg.startsWith("--")) {
      [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (!spec[name]) throw new GhError(`unknown flag: --${name}\n\nUsage:  gh ${command} [flags]`);
    } else if (arg.startsWith("-") && arg.length > 1) {
      name = byShort[arg[1]];
      if (!name) throw new GhError(`unknown shorthand flag: '${arg[1]}' in ${arg}\n\nUsage:  gh ${command} [flags]`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, "");
    } else {
      positional.push(arg);
      continue;
    }
    if (spec[name].type === "bool") {
      set(name, inline === undefined ? true : inline !== "false");
    } else if (inline !== undefined) {
      set(name, inline);
    } else {
      if (i + 1 >= args.length) throw new GhError(`flag needs an argument: --${name}`);
      set(name, args[++i]);
    }
  }
  return { flags, positional };
}

const state0 = (env) => (env.FAKE_GH_STATE && existsSync(env.FAKE_GH_STATE) ? JSON.parse(readFileSync(env.FAKE_GH_STATE, "utf8")) : {});

function loadState(file) {
  const state = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  state.issues ??= [];
  state.labels ??= [];
  state.nextCommentId ??= 1000;
  return state;
}

const BOT = { login: "github-actions[bot]", type: "Bot" };
const viewer = (state) => state.viewer ?? BOT;
/** An issue's author in REST terms; the default is the Actions bot, as for issues the workflow created. */
const author = (issue) => (issue.author === undefined ? BOT : { login: issue.author, type: issue.authorType ?? (issue.author.endsWith("[bot]") ? "Bot" : "User") });

function nowIso(state) {
  return state.now ?? new Date().toISOString();
}

function readBody(flags) {
  if (flags["body-file"] !== undefined) {
    const f = flags["body-file"];
    if (f === "-") return readFileSync(0, "utf8");
    if (!existsSync(f)) throw new GhError(`open ${f}: no such file or directory`);
    return readFileSync(f, "utf8");
  }
  return flags.body;
}

function checkLengths(title, body, mutation) {
  if (title !== undefined && title.trim() === "") throw new GhError(`GraphQL: Title can't be blank (${mutation})`);
  if (title !== undefined && [...title].length > TITLE_MAX)
    throw new GhError(`GraphQL: Title is too long (maximum is ${TITLE_MAX} characters) (${mutation})`);
  if (body !== undefined && [...body].length > BODY_MAX)
    throw new GhError(`GraphQL: Body is too long (maximum is ${BODY_MAX} characters) (${mutation})`);
}

function findLabel(state, name) {
  return state.labels.find((l) => l.name.toLowerCase() === String(name).toLowerCase());
}

function issueArg(positional, repo) {
  const arg = positional[0];
  if (arg === undefined) throw new GhError("accepts 1 arg(s), received 0");
  const m = /^#?(\d+)$/.exec(arg) ?? new RegExp(`^https://github\\.com/${repo}/issues/(\\d+)$`, "i").exec(arg);
  if (!m) throw new GhError(`invalid issue format: "${arg}"`);
  return Number(m[1]);
}

function getIssue(state, number) {
  const issue = state.issues.find((i) => i.number === number);
  if (!issue)
    throw new GhError(`GraphQL: Could not resolve to an issue or pull request with the number of ${number}. (repository.issue)`);
  return issue;
}

const issueUrl = (repo, n) => `https://github.com/${repo}/issues/${n}`;

function addComment(state, issue, body, repo) {
  const id = state.nextCommentId++;
  issue.comments.push({ id, body, createdAt: nowIso(state), author: viewer(state).login });
  return `${issueUrl(repo, issue.number)}#issuecomment-${id}`;
}

function jsonField(issue, field, repo) {
  switch (field) {
    case "labels":
      return issue.labels.map((name) => ({ id: `LA_${name}`, name, description: "", color: "ededed" }));
    case "url":
      return issueUrl(repo, issue.number);
    case "closed":
      return issue.state === "CLOSED";
    case "comments":
      return issue.comments.map((c) => ({ body: c.body, createdAt: c.createdAt }));
    case "author": {
      const a = author(issue);
      return a.type === "Bot" ? { is_bot: true, login: `app/${a.login.replace(/\[bot\]$/, "")}` } : { id: `U_${a.login}`, is_bot: false, login: a.login, name: "" };
    }
    case "id":
      return `I_${issue.number}`;
    case "assignees":
    case "projectCards":
    case "projectItems":
    case "reactionGroups":
      return [];
    case "isPinned":
      return false;
    default:
      return issue[field] ?? (field === "body" ? "" : null);
  }
}

// The search index: lags behind writes and does not see inside HTML comments.
function searchable(state, issue, flags) {
  const lagMs = (state.searchLagMinutes ?? 15) * 60_000;
  if (Date.parse(issue.createdAt) > Date.parse(nowIso(state)) - lagMs) return false;
  const wanted = flags.label ?? [];
  if (!wanted.every((l) => issue.labels.some((n) => n.toLowerCase() === l.toLowerCase()))) return false;
  if (flags.search) {
    const text = `${issue.title}\n${issue.body}`.replace(/<!--[\s\S]*?-->/g, " ").toLowerCase();
    const terms = flags.search.split(/\s+/).filter((t) => t && !/^[a-z-]+:/i.test(t));
    if (!terms.every((t) => text.includes(t.replace(/^"|"$/g, "").toLowerCase()))) return false;
  }
  return true;
}

function issueList(state, { flags }, repo) {
  const stateFlag = flags.state ?? "open";
  if (!["open", "closed", "all"].includes(stateFlag))
    throw new GhError(`invalid argument "${stateFlag}" for "-s, --state" flag: valid values are {open|closed|all}`);
  const limit = flags.limit === undefined ? 30 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new GhError(`invalid limit: ${flags.limit}`);
  if (flags.jq !== undefined && flags.json === undefined) throw new GhError("cannot use `--jq` without specifying `--json`");
  const viaSearch = flags.search !== undefined || flags.label !== undefined || flags.milestone !== undefined;
  const issues = state.issues
    .filter((i) => !i.pullRequest)
    .filter((i) => stateFlag === "all" || i.state === stateFlag.toUpperCase())
    .filter((i) => !viaSearch || searchable(state, i, flags))
    .sort((a, b) => b.number - a.number)
    .slice(0, limit);
  if (flags.json === undefined) {
    return issues.map((i) => `${i.number}\t${i.state}\t${i.title}\t${i.labels.join(", ")}\t${i.updatedAt ?? i.createdAt}\n`).join("");
  }
  const fields = flags.json.split(",").map((f) => f.trim());
  const unknown = fields.find((f) => !JSON_FIELDS.includes(f));
  if (unknown !== undefined) throw new GhError(`Unknown JSON field: "${unknown}"\nAvailable fields:\n  ${JSON_FIELDS.join("\n  ")}`);
  const out = issues.map((i) => Object.fromEntries(fields.map((f) => [f, jsonField(i, f, repo)])));
  const json = JSON.stringify(out) + "\n";
  if (flags.jq === undefined) return json;
  const jq = spawnSync("jq", ["-r", "-c", flags.jq], { input: json, encoding: "utf8" });
  if (jq.error || jq.status !== 0) throw new GhError(`fake gh: --jq failed: ${jq.error?.message ?? jq.stderr}`);
  return jq.stdout;
}

function issueCreate(state, { flags }, repo) {
  const body = readBody(flags);
  if (flags.title === undefined || body === undefined)
    throw new GhError("must provide `--title` and `--body` when not running interactively");
  checkLengths(flags.title, body, "createIssue");
  for (const name of flags.label ?? []) {
    if (!findLabel(state, name)) throw new GhError(`could not add label: '${name}' not found`);
  }
  const number = Math.max(0, state.lastNumber ?? 0, ...state.issues.map((i) => i.number)) + 1;
  state.lastNumber = number;
  const now = nowIso(state);
  state.issues.push({
    number, title: flags.title, body, state: "OPEN", stateReason: null, createdAt: now, updatedAt: now,
    closedAt: null, labels: (flags.label ?? []).map((n) => findLabel(state, n).name), comments: [],
    author: viewer(state).login, authorType: viewer(state).type,
  });
  return `${issueUrl(repo, number)}\n`;
}

function issueEdit(state, { flags, positional }, repo) {
  const issue = getIssue(state, issueArg(positional, repo));
  const body = readBody(flags);
  if (flags.title === undefined && body === undefined && !flags["add-label"] && !flags["remove-label"])
    throw new GhError("specify properties to edit when not running interactively");
  checkLengths(flags.title, body, "updateIssue");
  for (const name of flags["add-label"] ?? []) {
    if (!findLabel(state, name)) throw new GhError(`'${name}' not found`);
  }
  if (flags.title !== undefined) issue.title = flags.title;
  if (body !== undefined) issue.body = body;
  for (const name of flags["add-label"] ?? []) if (!issue.labels.includes(name)) issue.labels.push(name);
  issue.labels = issue.labels.filter((n) => !(flags["remove-label"] ?? []).includes(n));
  issue.updatedAt = nowIso(state);
  return `${issueUrl(repo, issue.number)}\n`;
}

function issueSetState(state, { flags, positional }, repo, io, target) {
  const issue = getIssue(state, issueArg(positional, repo));
  const verb = target === "CLOSED" ? "closed" : "open";
  if (issue.state === target) {
    io.stderr += `! Issue ${repo}#${issue.number} (${issue.title}) is already ${verb}\n`;
    return "";
  }
  let reason = null;
  if (target === "CLOSED") {
    const r = flags.reason ?? "completed";
    if (!["completed", "not planned"].includes(r))
      throw new GhError(`invalid argument "${r}" for "-r, --reason" flag: valid values are {completed|not planned}`);
    reason = r === "completed" ? "COMPLETED" : "NOT_PLANNED";
  }
  if (flags.comment !== undefined) addComment(state, issue, flags.comment, repo);
  issue.state = target;
  issue.stateReason = target === "CLOSED" ? reason : "REOPENED";
  issue.closedAt = target === "CLOSED" ? nowIso(state) : null;
  issue.closedBy = target === "CLOSED" ? viewer(state).login : issue.closedBy;
  issue.updatedAt = nowIso(state);
  io.stderr += `✓ ${target === "CLOSED" ? "Closed" : "Reopened"} issue ${repo}#${issue.number} (${issue.title})\n`;
  return "";
}

function issueComment(state, { flags, positional }, repo) {
  const issue = getIssue(state, issueArg(positional, repo));
  const body = readBody(flags);
  if (body === undefined) throw new GhError("`--body` or `--body-file` required when not running interactively");
  checkLengths(undefined, body, "addComment");
  return `${addComment(state, issue, body, repo)}\n`;
}

function labelCreate(state, { flags, positional }) {
  const name = positional[0];
  if (name === undefined) throw new GhError("cannot create label: name argument required");
  const existing = findLabel(state, name);
  if (existing && !flags.force)
    throw new GhError(`label with name "${name}" already exists; use \`--force\` to update its color and description`);
  const label = existing ?? { name };
  label.color = flags.color ?? existing?.color ?? "ededed";
  label.description = flags.description ?? existing?.description ?? "";
  if (!existing) state.labels.push(label);
  return "";
}

// ---- REST (`gh api`) ------------------------------------------------------------------------------
const restUser = (login, type) => ({ login, type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") });

function restIssue(issue, repo) {
  const a = author(issue);
  return {
    url: `https://api.github.com/repos/${repo}/issues/${issue.number}`,
    html_url: issueUrl(repo, issue.number),
    number: issue.number,
    title: issue.title,
    user: restUser(a.login, a.type),
    labels: issue.labels.map((name) => ({ name, color: "ededed", description: "" })),
    state: issue.state.toLowerCase(),
    state_reason: issue.stateReason ? issue.stateReason.toLowerCase() : null,
    locked: false,
    comments: issue.comments.length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt ?? issue.createdAt,
    closed_at: issue.closedAt ?? null,
    body: issue.body,
    ...(issue.pullRequest ? { pull_request: { url: `https://api.github.com/repos/${repo}/pulls/${issue.number}` } } : {}),
  };
}

const notFound = () => new GhError("gh: Not Found (HTTP 404)");

/** One REST GET: {items or object, next page path or undefined}. */
function restGet(state, path, repo) {
  const url = new URL(path.replace(/^\//, ""), "https://api.github.com/");
  const q = url.searchParams;
  const parts = url.pathname.replace(/^\//, "").split("/");
  if (parts[0] !== "repos" || `${parts[1]}/${parts[2]}`.toLowerCase() !== (state.repo ?? repo).toLowerCase()) throw notFound();
  const perPage = Math.min(Number(q.get("per_page") ?? 30), 100);
  const page = Number(q.get("page") ?? 1);
  const paged = (items) => {
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < items.length ? (() => { const u = new URL(url); u.searchParams.set("page", String(page + 1)); return u.pathname.slice(1) + u.search; })() : undefined;
    return { body: slice, next };
  };
  if (parts.length === 4 && parts[3] === "issues") {
    const st = q.get("state") ?? "open";
    const labels = (q.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
    const items = state.issues
      .filter((i) => st === "all" || i.state.toLowerCase() === st)
      .filter((i) => labels.every((l) => i.labels.some((n) => n.toLowerCase() === l)))
      .sort((a, b) => b.number - a.number)
      .map((i) => restIssue(i, repo));
    return paged(items);
  }
  if (parts.length >= 5 && parts[3] === "issues" && /^\d+$/.test(parts[4])) {
    const issue = state.issues.find((i) => i.number === Number(parts[4]));
    if (!issue) throw notFound();
    if (parts.length === 5) {
      return { body: { ...restIssue(issue, repo), closed_by: issue.state === "CLOSED" && issue.closedBy ? restUser(issue.closedBy) : null } };
    }
    if (parts.length === 6 && parts[5] === "comments") {
      return paged(issue.comments.map((c) => ({ id: c.id, user: restUser(c.author ?? BOT.login), body: c.body, created_at: c.createdAt })));
    }
  }
  throw new GhError(`fake gh: \`gh api ${path}\` is not implemented`);
}

function api(state, { flags, positional }, repo, counter) {
  const method = (flags.method ?? "GET").toUpperCase();
  if (method !== "GET" || flags["raw-field"] || flags.field) throw new GhError("fake gh: only GET requests without fields are implemented");
  let path = positional[0];
  if (path === undefined) throw new GhError("accepts 1 arg(s), received 0");
  if (flags.slurp && !flags.paginate) throw new GhError("the `--slurp` option is only supported with `--paginate`");
  if (flags.paginate && !/[?&]per_page=/.test(path)) path += `${path.includes("?") ? "&" : "?"}per_page=100`;
  const pages = [];
  for (;;) {
    counter.requests++;
    const { body, next } = restGet(state, path, repo);
    pages.push(body);
    if (!flags.paginate || next === undefined) break;
    path = next;
  }
  const out = flags.slurp ? [JSON.stringify(pages)] : flags.paginate && state.paginateMerged ? [JSON.stringify(pages.flat())] : pages.map((p) => JSON.stringify(p));
  if (flags.jq === undefined) return out.join("") + (out.length ? "\n" : "");
  return out.map((json) => {
    const jq = spawnSync("jq", ["-r", "-c", flags.jq], { input: json, encoding: "utf8" });
    if (jq.error || jq.status !== 0) throw new GhError(`fake gh: --jq failed: ${jq.error?.message ?? jq.stderr}`);
    return jq.stdout;
  }).join("");
}

function run(argv, env, io) {
  const command = argv[0] === "api" ? "api" : argv.slice(0, 2).join(" ");
  const parsed = parseArgs(command, argv.slice(command === "api" ? 1 : 2));
  if (!env.GH_TOKEN && !env.GITHUB_TOKEN) {
    throw new GhError(
      "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable. Example:\n  env:\n    GH_TOKEN: ${{ github.token }}",
      4,
    );
  }
  // `gh api` needs a repository only for {owner}/{repo} placeholders; the script spells the path out.
  const repo = parsed.flags.repo ?? env.GH_REPO ?? (command === "api" && !/\{(owner|repo)\}/.test(parsed.positional[0] ?? "") ? state0(env).repo : undefined);
  if (!repo) throw new GhError("failed to run git: fatal: not a git repository (or any of the parent directories): .git");
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo)) throw new GhError(`expected the "[HOST/]OWNER/REPO" format, got "${repo}"`);
  const stateFile = env.FAKE_GH_STATE;
  if (!stateFile) throw new GhError("fake gh: FAKE_GH_STATE is not set");
  const state = loadState(stateFile);
  if (state.repo && state.repo.toLowerCase() !== repo.toLowerCase())
    throw new GhError(`GraphQL: Could not resolve to a Repository with the name '${repo}'. (repository)`);
  // Injected failures (a transient 502, say): `times` limits how often one fires (default: always).
  const injected = (state.fail ?? []).find((f) => f.command === command && (f.times === undefined || f.times > 0));
  if (injected) {
    if (injected.times !== undefined) {
      injected.times--;
      writeFileSync(stateFile, JSON.stringify(state, null, 2));
    }
    throw new GhError(injected.stderr ?? "fake gh: injected failure", injected.exit ?? 1);
  }
  const handlers = {
    "issue list": () => issueList(state, parsed, repo),
    "issue create": () => issueCreate(state, parsed, repo),
    "issue edit": () => issueEdit(state, parsed, repo),
    "issue close": () => issueSetState(state, parsed, repo, io, "CLOSED"),
    "issue reopen": () => issueSetState(state, parsed, repo, io, "OPEN"),
    "issue comment": () => issueComment(state, parsed, repo),
    "label create": () => labelCreate(state, parsed),
    api: () => api(state, parsed, repo, io),
  };
  io.stdout += handlers[command]();
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

const argv = process.argv.slice(2);
const io = { stdout: "", stderr: "", requests: 0 };
let code = 0;
try {
  run(argv, process.env, io);
} catch (err) {
  if (!(err instanceof GhError)) throw err;
  io.stderr += `${err.message}\n`;
  code = err.code;
}
process.stdout.write(io.stdout);
process.stderr.write(io.stderr);
const log = process.env.FAKE_GH_LOG ?? (process.env.FAKE_GH_STATE ? `${process.env.FAKE_GH_STATE}.log` : undefined);
if (log) appendFileSync(log, `${JSON.stringify({ argv, exit: code, ...(io.requests ? { requests: io.requests } : {}) })}\n`);
process.exitCode = code;
