import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeIssue } from "../support/fake-gh.js";
import { REPO, Runner } from "../support/lifecycle.js";
import { stepEnv } from "../support/shell.js";

// The fake is only worth something if it fails where the real gh fails (see the gh notes):
// these pin the behaviours the issue script relies on.
describe("fake gh", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const gh = (args: string[], env: Record<string, string | undefined> = {}, input?: string) => {
    const res = spawnSync("gh", args, {
      cwd: r.cwd,
      env: stepEnv(r.bin, { ...r.gh.env(), GH_TOKEN: "t", GH_REPO: REPO, ...env }),
      encoding: "utf8",
      input,
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  };

  it("exits 4 without a token and fails outside a git repository without --repo / GH_REPO", () => {
    expect(gh(["issue", "list"], { GH_TOKEN: undefined })).toMatchObject({ status: 4, stderr: expect.stringContaining("GH_TOKEN") });
    expect(gh(["issue", "list"], { GH_REPO: undefined })).toMatchObject({ status: 1, stderr: expect.stringContaining("not a git repository") });
    expect(gh(["issue", "list", "--repo", REPO, "--json", "number"], { GH_REPO: undefined }).status).toBe(0);
  });

  it("issue list: open only and 30 by default, newest first; --state all and --limit widen it", () => {
    r.gh.setState({ repo: REPO, issues: Array.from({ length: 40 }, (_, i) => fakeIssue(i + 1, { state: i === 0 ? "CLOSED" : "OPEN" })) });
    const open = JSON.parse(gh(["issue", "list", "--json", "number,state"]).stdout) as { number: number; state: string }[];
    expect(open).toHaveLength(30);
    expect(open[0]).toEqual({ number: 40, state: "OPEN" });
    const all = JSON.parse(gh(["issue", "list", "--state", "all", "--limit", "1000", "--json", "number,state,body"]).stdout) as unknown[];
    expect(all).toHaveLength(40);
    expect(all.at(-1)).toEqual({ number: 1, state: "CLOSED", body: "Body of issue 1." });
    expect(gh(["issue", "list", "--json", "nope"])).toMatchObject({ status: 1, stderr: expect.stringContaining('Unknown JSON field: "nope"') });
    expect(gh(["issue", "list", "--jq", ".[]"])).toMatchObject({ status: 1, stderr: expect.stringContaining("--json") });
    expect(gh(["issue", "list", "--json", "number", "--jq", ".[0].number"]).stdout).toBe("40\n");
  });

  it("--search and --label go through a lagging index that does not see HTML comments", () => {
    const now = "2025-06-01T12:00:00Z";
    r.gh.setState({
      repo: REPO,
      now,
      labels: [{ name: "security" }],
      issues: [
        fakeIssue(1, { body: "<!-- relay-security:trivy-image -->\n\nold", labels: ["security"], createdAt: "2025-05-01T00:00:00Z" }),
        fakeIssue(2, { body: "fresh relay-security", labels: ["security"], createdAt: "2025-06-01T11:55:00Z" }),
      ],
    });
    const numbers = (args: string[]) => (JSON.parse(gh([...args, "--json", "number"]).stdout) as { number: number }[]).map((i) => i.number);
    expect(numbers(["issue", "list", "--label", "security"])).toEqual([1]);
    expect(numbers(["issue", "list", "--search", "relay-security"])).toEqual([]);
    expect(numbers(["issue", "list"])).toEqual([2, 1]);
  });

  it("issue create: needs the label to exist, prints only the URL, rejects bodies over 65,536", () => {
    const body = join(r.root, "body.md");
    writeFileSync(body, "hello");
    expect(gh(["issue", "create", "--title", "T", "--body-file", body, "--label", "security"])).toMatchObject({
      status: 1,
      stderr: "could not add label: 'security' not found\n",
    });
    expect(r.gh.state().issues).toHaveLength(0);
    expect(gh(["label", "create", "security"]).status).toBe(0);
    expect(gh(["label", "create", "security"])).toMatchObject({ status: 1, stderr: expect.stringContaining("already exists") });
    expect(gh(["label", "create", "Security", "--force", "--color", "B60205"]).status).toBe(0);
    expect(gh(["issue", "create", "--title", "T", "--body-file", body, "--label", "security"])).toMatchObject({
      status: 0,
      stdout: `https://github.com/${REPO}/issues/1\n`,
    });
    writeFileSync(body, "x".repeat(65_537));
    expect(gh(["issue", "create", "--title", "T", "--body-file", body])).toMatchObject({ status: 1, stderr: expect.stringContaining("Body is too long") });
    expect(gh(["issue", "edit", "1", "--body-file", body])).toMatchObject({ status: 1, stderr: expect.stringContaining("Body is too long") });
    expect(gh(["issue", "create", "--title", "T"])).toMatchObject({ status: 1, stderr: expect.stringContaining("--body") });
  });

  it("close / reopen: already in that state warns, exits 0 and posts no comment", () => {
    r.gh.setState({ repo: REPO, issues: [fakeIssue(7, { state: "CLOSED" }), fakeIssue(8)] });
    expect(gh(["issue", "close", "7", "--comment", "c"])).toMatchObject({ status: 0, stderr: expect.stringContaining("already closed") });
    expect(gh(["issue", "reopen", "8", "--comment", "c"])).toMatchObject({ status: 0, stderr: expect.stringContaining("already open") });
    expect(r.gh.issue(7).comments).toHaveLength(0);
    expect(r.gh.issue(8).comments).toHaveLength(0);
    expect(gh(["issue", "close", "8", "--reason", "completed", "--comment", "done"]).status).toBe(0);
    expect(r.gh.issue(8)).toMatchObject({ state: "CLOSED", stateReason: "COMPLETED", comments: [{ body: "done" }] });
    expect(gh(["issue", "close", "9"])).toMatchObject({ status: 1, stderr: expect.stringContaining("Could not resolve") });
    expect(gh(["issue", "close", "8", "--bogus"])).toMatchObject({ status: 1, stderr: expect.stringContaining("unknown flag: --bogus") });
  });

  it("--json author: a bot is app/<slug> with is_bot (cli/cli Author.MarshalJSON), a user has id and name", () => {
    r.gh.setState({ repo: REPO, issues: [fakeIssue(1), fakeIssue(2, { author: "alice", authorType: "User" })] });
    expect(JSON.parse(gh(["issue", "list", "--json", "number,author"]).stdout)).toEqual([
      { number: 2, author: { id: "U_alice", is_bot: false, login: "alice", name: "" } },
      { number: 1, author: { is_bot: true, login: "app/github-actions" } },
    ]);
  });

  it("gh api repos/O/R/issues: REST shape, label filter, pull requests included, newest first, 30 a page by default", () => {
    r.gh.setState({
      repo: REPO,
      issues: Array.from({ length: 45 }, (_, i) => fakeIssue(i + 1, { labels: i % 2 === 0 ? ["Security"] : [], pullRequest: i === 44, state: i === 0 ? "CLOSED" : "OPEN", stateReason: i === 0 ? "NOT_PLANNED" : null })),
    });
    const page = JSON.parse(gh(["api", `repos/${REPO}/issues?state=all&labels=security`]).stdout) as Record<string, unknown>[];
    expect(page).toHaveLength(23);
    expect(page[0]).toMatchObject({ number: 45, pull_request: expect.any(Object), user: { login: "github-actions[bot]", type: "Bot" }, labels: [{ name: "Security" }] });
    expect(page.at(-1)).toMatchObject({ number: 1, state: "closed", state_reason: "not_planned" });
    expect((JSON.parse(gh(["api", `repos/${REPO}/issues`]).stdout) as unknown[]).length).toBe(30); // open only, 30 a page
  });

  it("gh api --paginate: per_page=100 added, every page fetched (one request each), printed page by page or merged", () => {
    r.gh.setState({ repo: REPO, issues: Array.from({ length: 250 }, (_, i) => fakeIssue(i + 1)) });
    const out = gh(["api", "--paginate", `repos/${REPO}/issues?state=all`]).stdout;
    expect(out.startsWith("[{")).toBe(true);
    expect(out.split("][")).toHaveLength(3);
    expect(r.gh.calls().at(-1)).toMatchObject({ argv: ["api", "--paginate", `repos/${REPO}/issues?state=all`], requests: 3 });
    r.gh.setState({ ...r.gh.state(), paginateMerged: true });
    expect((JSON.parse(gh(["api", "--paginate", `repos/${REPO}/issues?state=all`]).stdout) as unknown[]).length).toBe(250);
    expect(gh(["api", "-X", "POST", `repos/${REPO}/issues`])).toMatchObject({ status: 1 });
    expect(gh(["api", `repos/${REPO}/issues/999`])).toMatchObject({ status: 1, stderr: "gh: Not Found (HTTP 404)\n" });
  });

  it("closed_by on the single issue and comment authors are whoever the token is (state.viewer)", () => {
    r.gh.setState({ repo: REPO, issues: [fakeIssue(3)], viewer: { login: "alice", type: "User" } });
    gh(["issue", "close", "3", "--reason", "not planned", "--comment", "dup"]);
    expect(JSON.parse(gh(["api", `repos/${REPO}/issues/3`]).stdout)).toMatchObject({ state: "closed", state_reason: "not_planned", closed_by: { login: "alice", type: "User" } });
    expect(JSON.parse(gh(["api", `repos/${REPO}/issues/3/comments`]).stdout)).toEqual([expect.objectContaining({ body: "dup", user: { login: "alice", type: "User" } })]);
  });

  it("an injected failure with `times` fires that often, then the command works", () => {
    r.gh.setState({ repo: REPO, issues: [fakeIssue(4)], fail: [{ command: "issue close", stderr: "HTTP 502", times: 1 }] });
    expect(gh(["issue", "close", "4"])).toMatchObject({ status: 1, stderr: "HTTP 502\n" });
    expect(gh(["issue", "close", "4"]).status).toBe(0);
    expect(r.gh.issue(4).state).toBe("CLOSED");
  });

  it("logs every call with its exit code", () => {
    gh(["issue", "list"], { GH_TOKEN: undefined });
    gh(["issue", "list"]);
    expect(r.gh.calls()).toEqual([
      { argv: ["issue", "list"], exit: 4 },
      { argv: ["issue", "list"], exit: 0 },
    ]);
  });
});
