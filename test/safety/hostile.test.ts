import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, cpSync, lstatSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { git, makeRepo, ROOT } from "../support/repo.js";
import { tree } from "../support/tree.js";

/**
 * Issue 11: hostile inputs, run as a user would (the built CLI as a process). Every case: exit 2, a
 * message naming the path or flag, no byte of the repository changed (links and temps included), and
 * nothing written outside it.
 */

const outsideDir = () => mkdtempSync(join(tmpdir(), "relay-outside-"));

interface Case {
  setup: (dir: string, outside: string) => string[];
  message: RegExp;
  env?: Record<string, string>;
  /** Text that must never appear in the output (a foreign file's content). */
  secret?: string;
}

function refuses({ setup, message, env, secret }: Case) {
  const dir = makeRepo("example");
  const outside = outsideDir();
  writeFileSync(join(outside, "keep.txt"), "outside\n");
  const args = setup(dir, outside);
  const before = tree(dir);
  const outBefore = tree(outside);
  const r = runCli(args, { env });
  expect(r.stderr, r.stdout).toMatch(message);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/internal error|    at /);
  expect(tree(dir)).toEqual(before);
  expect(tree(outside)).toEqual(outBefore);
  if (secret) expect(r.stdout + r.stderr).not.toContain(secret);
  return r;
}

describe("nothing outside the repository is read or written", () => {
  it(".github a link to a folder outside", () =>
    refuses({
      setup: (d, out) => {
        cpSync(join(d, ".github"), join(out, "gh"), { recursive: true });
        rmSync(join(d, ".github"), { recursive: true });
        symlinkSync(join(out, "gh"), join(d, ".github"));
        return ["--yes", d];
      },
      message: /\.github: a symbolic link to .*outside the repository/,
    }));

  it(".github/workflows a link to a folder outside", () =>
    refuses({
      setup: (d, out) => {
        cpSync(join(d, ".github/workflows"), join(out, "wf"), { recursive: true });
        rmSync(join(d, ".github/workflows"), { recursive: true });
        symlinkSync(join(out, "wf"), join(d, ".github/workflows"));
        return ["--yes", d];
      },
      message: /\.github\/workflows: a symbolic link to .*outside the repository/,
    }));

  for (const command of [["--yes"], ["validate"], ["check"]]) {
    it(`.trivyignore -> /proc/self/environ: ${command[0]} never reads it, nor echoes the environment`, () =>
      refuses({
        setup: (d) => {
          if (command[0] === "check") {
            execFileSync(process.execPath, [join(ROOT, "dist", "cli.js"), "--yes", d], { env: { ...process.env, CI: "true" } });
            git(d, "add", "-A");
            git(d, "commit", "-qm", "setup");
            rmSync(join(d, ".trivyignore"));
          }
          symlinkSync("/proc/self/environ", join(d, ".trivyignore"));
          return [...command, d];
        },
        env: { RELAY_SECRET_MARKER: "s3cr3t-value-never-printed" },
        secret: "s3cr3t-value-never-printed",
        message: /\.trivyignore: a symbolic link to \/proc\/self\/environ, outside the repository/,
      }));
  }

  it(".trivyignore -> /etc/passwd", () =>
    refuses({ setup: (d) => (symlinkSync("/etc/passwd", join(d, ".trivyignore")), ["validate", d]), message: /\.trivyignore: a symbolic link to \/etc\/passwd/, secret: "root:" }));

  it("ci.yml a link to a file outside: refused, the link kept", () =>
    refuses({
      setup: (d, out) => {
        cpSync(join(d, ".github/workflows/ci.yml"), join(out, "ci.yml"));
        rmSync(join(d, ".github/workflows/ci.yml"));
        symlinkSync(join(out, "ci.yml"), join(d, ".github/workflows/ci.yml"));
        return ["--yes", d];
      },
      message: /\.github\/workflows\/ci\.yml: a symbolic link to .*ci\.yml, outside the repository/,
    }));

  it("renovate.json a link to a file outside", () =>
    refuses({
      setup: (d, out) => {
        writeFileSync(join(out, "renovate.json"), '{ "extends": ["config:recommended"] }\n');
        symlinkSync(join(out, "renovate.json"), join(d, "renovate.json"));
        return ["--yes", d];
      },
      message: /renovate\.json: a symbolic link to .*outside the repository/,
    }));

  it("a dangling link where a file is expected", () =>
    refuses({ setup: (d) => (symlinkSync(join(d, "nowhere"), join(d, ".trivyignore")), ["--yes", d]), message: /\.trivyignore: a symbolic link to something that does not exist/ }));

  it("a subdirectory below the git top level", () =>
    refuses({
      setup: (d) => {
        mkdirSync(join(d, "svc"));
        writeFileSync(join(d, "svc/go.mod"), "module example.com/svc\n\ngo 1.24\n");
        writeFileSync(join(d, "svc/Dockerfile"), "FROM scratch\n");
        return ["--yes", join(d, "svc")];
      },
      message: /svc is below the git top level .*GitHub runs workflows only from/,
    }));

  // The shape of umputun/remark42: backend/go.mod beside frontend/, nothing at the top level. The run at
  // the top says where the module is and why that is not supported, as the run in backend/ does.
  it("the top level of a repository whose module is in a subdirectory", () =>
    refuses({
      setup: (d) => {
        mkdirSync(join(d, "backend"));
        execFileSync("git", ["mv", "go.mod", "backend/go.mod"], { cwd: d });
        mkdirSync(join(d, "vendor/x"), { recursive: true });
        writeFileSync(join(d, "vendor/x/go.mod"), "module x\n");
        return ["--yes", d];
      },
      message: /go\.mod: not found; this repository's Go module is in a subdirectory \(backend\/go\.mod\), which relay-security does not support yet: GitHub runs workflows only from the top level's \.github\/workflows/,
    }));
});

describe("an edit through a link inside the repository", () => {
  it("edits the target, keeps the link, and says so", () => {
    const dir = makeRepo("example");
    mkdirSync(join(dir, "ci"));
    cpSync(join(dir, ".github/workflows/ci.yml"), join(dir, "ci/main.yml"));
    rmSync(join(dir, ".github/workflows/ci.yml"));
    symlinkSync("../../ci/main.yml", join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "link");
    const r = runCli(["--yes", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, ".github/workflows/ci.yml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "ci/main.yml"), "utf8")).toContain("id: relay-security-scan");
    expect(r.stdout).toMatch(/ci\.yml is a symbolic link; relay-security edits its target ci\/main\.yml and keeps the link/);
  });
});

describe("bytes", () => {
  // The rule (issue 11 item 5): a workflow we would edit (the gate's) must be UTF-8, or the run stops with
  // exit 2 naming file and line; any other workflow is left out of the plan with a note, its bytes untouched.
  it("a Latin-1 gate workflow: refused as not UTF-8, naming file and line, its bytes kept", () =>
    refuses({
      setup: (d) => {
        const ci = readFileSync(join(d, ".github/workflows/ci.yml"));
        writeFileSync(join(d, ".github/workflows/ci.yml"), Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from("\n"), ci]));
        return ["--yes", d];
      },
      message: /\.github\/workflows\/ci\.yml: cannot be edited \(line 1: not UTF-8 text/,
    }));
  it("a Latin-1 workflow that is not the gate's (a lint workflow): left out with a note, its bytes kept, the set-up goes on", () => {
    const lint = Buffer.concat([
      Buffer.from("name: Lint\n# caf"),
      Buffer.from([0xe9]),
      Buffer.from(" (Latin-1)\non:\n  pull_request:\npermissions:\n  contents: read\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo lint\n"),
    ]);
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/workflows/lint.yml"), lint);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "a Latin-1 lint workflow");
    const r = runCli(["--yes", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(".github/workflows/lint.yml is not UTF-8 (line 2); not considered");
    expect(r.stdout).toMatch(/inserted the Trivy step after job build/);
    expect(readFileSync(join(dir, ".github/workflows/lint.yml"))).toEqual(lint);
    expect(git(dir, "status", "--porcelain", ".github/workflows/lint.yml")).toBe("");
    // And check, on the committed set-up, is not blocked by it either.
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "relay-security");
    expect(runCli(["check", dir]).code).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/lint.yml"))).toEqual(lint);
  });
  it("names that are not UTF-8 (a Latin-1 folder with a Dockerfile and an action, a workflow file): left out, their bytes kept, the set-up goes on", () => {
    const dir = makeRepo("example");
    const latin1 = (rel: string) => Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(rel, "latin1")]);
    mkdirSync(latin1("deploy/caf\u00e9"), { recursive: true });
    writeFileSync(latin1("deploy/caf\u00e9/Dockerfile"), "FROM golang:1.25\n");
    writeFileSync(latin1("deploy/caf\u00e9/action.yml"), "name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n");
    writeFileSync(latin1(".github/workflows/caf\u00e9.yml"), "on: push\njobs: {}\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "Latin-1 names");
    const latin1Files = ["deploy/caf\u00e9/Dockerfile", "deploy/caf\u00e9/action.yml", ".github/workflows/caf\u00e9.yml"].map(latin1);
    const before = latin1Files.map((f) => readFileSync(f));
    const r = runCli(["--yes", dir]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).not.toContain("\uFFFD");
    expect(r.stdout).toMatch(/inserted the Trivy step after job build/);
    expect(latin1Files.map((f) => readFileSync(f))).toEqual(before);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "relay-security");
    expect(runCli(["check", dir]).code).toBe(0);
    // pin walks for composite actions: the Latin-1 folder's is not one it can name, so it is not read.
    const pin = runCli(["pin", "--dry-run", "--offline", dir]);
    expect(pin.code, pin.stderr + pin.stdout).toBe(0);
    expect(latin1Files.map((f) => readFileSync(f))).toEqual(before);
  });
  it("a BOM and CRLF workflow goes through the guard with both kept", () => {
    const dir = makeRepo("example");
    const ci = join(dir, ".github/workflows/ci.yml");
    const crlf = `\uFEFF${readFileSync(ci, "utf8").replace(/\n/g, "\r\n")}`;
    writeFileSync(ci, crlf);
    git(dir, "commit", "-qam", "crlf");
    const r = runCli(["--yes", dir]);
    // Written (exit 1 only because the pins lint misreads "# vX.Y.Z" before a CR: src/validate/pins.ts).
    expect(r.stdout).toMatch(/Wrote \d+ file\(s\)\./);
    const after = readFileSync(ci, "utf8");
    expect(after.startsWith(crlf.trimEnd())).toBe(true);
    expect(after).not.toMatch(/[^\r]\n/);
  });
  it("a Latin-1 .trivyignore: validate names it", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, ".trivyignore"), Buffer.from([0x23, 0x20, 0xe9, 0x0a])), ["validate", d]), message: /\.trivyignore: not UTF-8 \(byte 0xe9 on line 1\)/ }));
  it("a Latin-1 go.mod", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, "go.mod"), Buffer.concat([Buffer.from("module example.com/x\n// "), Buffer.from([0xe9]), Buffer.from("\n")])), ["--yes", d]), message: /go\.mod: not UTF-8 \(byte 0xe9 on line 2\)/ }));
  it("a workflow with NUL bytes", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, ".github/workflows/ci.yml"), "on: push\x00\njobs: {}\n"), ["--yes", d]), message: /ci\.yml: contains a NUL byte \(line 1\)/ }));
  it("a workflow whose name has a newline", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, ".github/workflows/evil\nname.yml"), "on: push\n"), ["--yes", d]), message: /"\.github\/workflows\/evil\\nname\.yml": a path with a newline/ }));
  it("a zero-byte go.mod: no module line", () => refuses({ setup: (d) => (writeFileSync(join(d, "go.mod"), ""), ["--yes", d]), message: /go\.mod: no `module` line/ }));
  it("a zero-byte state file", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, ".github/relay-security.json"), ""), ["--yes", d]), message: /\.github\/relay-security\.json: not valid JSON/ }));
  it("a zero-byte answers file", () =>
    refuses({ setup: (d, out) => (writeFileSync(join(out, "a.json"), ""), ["--yes", "--answers", join(out, "a.json"), d]), message: /a\.json: not valid JSON/ }));
});

describe("a directory, FIFO or socket where a file is expected", () => {
  for (const path of [".trivyignore", "renovate.json", ".github/relay-security.json", ".github/workflows/security-scan.yml"]) {
    it(`${path}/ a directory`, () => refuses({ setup: (d) => (mkdirSync(join(d, path)), ["--yes", d]), message: new RegExp(`${path.replace(/\./g, "\\.")}: a directory where a file is expected`) }));
  }
  it("--answers DIR", () => refuses({ setup: (d, out) => ["--yes", "--answers", out, d], message: /--answers .*relay-outside-\w+: a directory, not a file/ }));
  it(".trivyignore a FIFO: refused without blocking", () =>
    refuses({ setup: (d) => (execFileSync("mkfifo", [join(d, ".trivyignore")]), ["--yes", d]), message: /\.trivyignore: a named pipe \(FIFO\) where a file is expected/ }));
  it("renovate.json a socket", async () => {
    const dir = makeRepo("example");
    const server = createServer();
    await new Promise<void>((ok) => server.listen(join(dir, "renovate.json"), ok));
    try {
      const before = tree(dir);
      const r = runCli(["--yes", dir]);
      expect(r.stderr).toMatch(/renovate\.json: a socket where a file is expected/);
      expect(r.code).toBe(2);
      expect(tree(dir)).toEqual(before);
    } finally {
      server.close();
    }
  });
});

describe("input checked before anything is written", () => {
  const flag = (args: string[], message: RegExp) => refuses({ setup: (d) => ["--yes", ...args, d], message });
  it("a cron minute out of range", () => flag(["--schedule", "61 3 * * *"], /--schedule: "61 3 \* \* \*": not a valid cron line \(Invalid value for minute: 61\)/));
  it("every field out of range", () => flag(["--schedule", "17 25 32 13 8"], /--schedule: .*Invalid value for hour: 25/));
  it("a line that never fires", () => flag(["--schedule", "17 4 31 2 *"], /--schedule: "17 4 31 2 \*": this line never fires/));
  it("--dockerfile that does not exist", () => flag(["--dockerfile", "nope/Dockerfile"], /--dockerfile nope\/Dockerfile: no such file/));
  it("--dockerfile that is not one", () => flag(["--dockerfile", "main.go"], /--dockerfile main\.go: not a Dockerfile \(no FROM instruction\)/));
  it("--dockerfile a zero-byte file", () => refuses({ setup: (d) => (writeFileSync(join(d, "Empty.Dockerfile"), ""), ["--yes", "--dockerfile", "Empty.Dockerfile", d]), message: /--dockerfile Empty\.Dockerfile: not a Dockerfile/ }));
  it("--context that does not exist", () => flag(["--context", "build"], /--context build: no such directory/));
  it("--context that is a file", () => flag(["--context", "main.go"], /--context main\.go: .*not a directory/));
  it("a blank label", () => flag(["--label", "  "], /--label: the label must not be blank/));
  it("a label that reads as an option", () => flag(["--label=-R", ], /--label: the label must not start with -/));
  it("--severity LOW alone", () => flag(["--severity", "LOW"], /--severity: "LOW" does not include CRITICAL/));
  it("--severity UNKNOWN alone", () => flag(["--severity", "UNKNOWN"], /--severity: "UNKNOWN" does not include CRITICAL/));
  it("--sarif with --no-image-scan", () => flag(["--sarif", "--no-image-scan"], /--sarif: .*--no-image-scan turns that scan off/));
  it("a go.mod module path with an expression", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, "go.mod"), "module github.com/a/${{ github.token }}\n\ngo 1.24\n"), ["--yes", d]), message: /go\.mod: line 1: module path .*invalid character "\$"/ }));
  it("a bad module line is reported as such, not as a missing go.mod", () =>
    refuses({ setup: (d) => (writeFileSync(join(d, "go.mod"), "module\n\ngo 1.24\n"), ["--yes", d]), message: /go\.mod: line 1: the `module` line names no path/ }));
});

describe("each command takes its own flags", () => {
  it("check --image x --adopt --sarif is an error naming --image", () => {
    const dir = makeRepo("example");
    const r = runCli(["check", "--image", "x", "--adopt", "--sarif", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/relay-security check does not take --image \(an option of create-relay-security\)/);
  });
  it("validate --yes is an error naming --yes", () => {
    const r = runCli(["validate", "--yes", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/relay-security validate does not take --yes/);
  });
  it("init does not take --offline", () => {
    const r = runCli(["--yes", "--offline", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/create-relay-security does not take --offline \(an option of relay-security check, relay-security validate/);
  });
  it("check --help is check's own help", () => {
    const r = runCli(["check", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^relay-security check \[dir\]/);
    expect(r.stdout).toContain("--offline");
    expect(r.stdout).not.toContain("--image ");
    expect(r.stdout).not.toContain("create-relay-security [dir]");
  });
  it("the overview help lists every command", () => {
    const r = runCli(["--help"]);
    expect(r.stdout).toMatch(/create-relay-security \[dir\][\s\S]*relay-security check \[dir\][\s\S]*relay-security validate \[dir\]/);
    expect(r.stdout).toContain("--no-image-scan");
  });
});
