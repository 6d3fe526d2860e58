import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { git, makeRepo } from "../support/repo.js";
import { TEXT_VARIANTS } from "../support/encodings.js";

/**
 * A refusal prints the gate to add by hand; following it must work. The pasted step calls our database
 * action and names the ignore file, which only a run writes, so the re-run has to find the pasted step,
 * keep it, and write the rest (filebrowser's and an anchored-steps shape, run as a maintainer would).
 */

const commit = (dir: string, message: string) => {
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", message);
};

const anchored = "name: CI\non:\n  pull_request:\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: &build-steps\n      - uses: actions/checkout@v4\n      - run: docker build -t acme/svc:ci .\n  build-arm:\n    runs-on: ubuntu-24.04-arm\n    steps: *build-steps\n";

describe("the steps a refusal prints, pasted, then a re-run", () => {
  it.each(TEXT_VARIANTS)("an anchored steps list (%s): the re-run keeps the pasted steps and writes what they call", (_name, enc) => {
    const dir = makeRepo("example");
    const ci = join(dir, ".github/workflows/ci.yml");
    writeFileSync(ci, enc(anchored));
    commit(dir, "anchored");
    const first = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(first.code, first.stdout).toBe(2);
    expect(first.stderr).toContain("Then re-run `npx create-relay-security`: it finds the step by its id (relay-security-scan)");
    const block = first.stderr.split('step 2 ("docker build -t acme/svc:ci ."):\n\n')[1]?.split("\n\nThen re-run")[0] as string;
    expect(block).toContain("id: relay-security-scan");
    const eol = _name === "CRLF" ? "\r\n" : "\n";
    const pasted = block.split("\n").map((l) => (l ? `      ${l}` : "")).join(eol);
    const build = `      - run: docker build -t acme/svc:ci .${eol}`;
    const before = readFileSync(ci, "utf8");
    writeFileSync(ci, before.replace(build, `${build}${pasted}${eol}`));
    commit(dir, "the gate, by hand");
    const pastedText = readFileSync(ci);

    const second = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(second.code, second.stderr + second.stdout).toBe(0);
    expect(second.stdout).toMatch(/unchanged +\.github\/workflows\/ci\.yml +the Trivy step in job build is up to date \(as you added it: the steps of job build carry the anchor &build-steps/);
    expect(readFileSync(ci)).toEqual(pastedText);
    expect(existsSync(join(dir, ".github/actions/relay-security-db/action.yml"))).toBe(true);
    expect(existsSync(join(dir, ".trivyignore"))).toBe(true);
    commit(dir, "set up");
    const check = runCli(["check", dir], { timeoutMs: 120_000 });
    expect(check.stdout).toContain("No drift: re-running create-relay-security");

    // Pasted steps that differ from ours (an older version, an edit) are not re-proposed as a whole job.
    writeFileSync(ci, readFileSync(ci, "utf8").replace("severity: CRITICAL,HIGH", "severity: CRITICAL"));
    commit(dir, "edited");
    const third = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(third.code).toBe(2);
    expect(third.stderr).toContain("cannot update the Trivy step in job build in place: the steps of job build carry the anchor &build-steps");
    expect(third.stderr).toContain("Replace the steps of job build with the ids relay-security-db, relay-security-scan by these:");
    expect(third.stderr).not.toContain("Add this job");
  }, 400_000);
});

describe("a yes/no answer turned back on a re-run", () => {
  it("goreleaser style: --no-image-scan for now, then --image-scan once CI builds the image", () => {
    const dir = makeRepo("example", { files: { Dockerfile: "FROM alpine:3.22\nCOPY hello-service /usr/local/bin/hello-service\n" } });
    const ci = join(dir, ".github/workflows/ci.yml");
    const original = readFileSync(ci, "utf8");
    writeFileSync(ci, original.replace(/\n      # The image every pull request builds\.\n[\s\S]*$/, "\n"));
    commit(dir, "no image build in CI");
    const refused = runCli(["--yes", dir], { timeoutMs: 120_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("re-run with --no-image-scan (the daily govulncheck rescan of the code and its issues); to add the gate later, re-run with --image-scan.");

    const without = runCli(["--yes", "--no-image-scan", dir], { timeoutMs: 120_000 });
    expect(without.code, without.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")).answers.imageScan).toBe(false);
    commit(dir, "set up without the image scan");

    // CI now builds the binary and the image on pull requests; the recorded answer would keep the scan off.
    writeFileSync(ci, `${readFileSync(ci, "utf8")}      - run: go build -o hello-service .\n      - name: Build image\n        run: docker build -t ghcr.io/acme/hello-service:ci .\n`);
    commit(dir, "build the image in CI");
    const kept = runCli(["--yes", "--dry-run", dir], { timeoutMs: 120_000 });
    expect(kept.stdout).not.toContain("inserted the Trivy step");
    const back = runCli(["--yes", "--image-scan", dir], { timeoutMs: 120_000 });
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(back.stdout).toContain('inserted the Trivy step after job build, step 5 ("Build image")');
    expect(JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")).answers.imageScan).toBe(true);
  }, 400_000);

  it("both sides of one answer are a usage error, nothing written", () => {
    const dir = makeRepo("example");
    const r = runCli(["--yes", "--sarif", "--no-sarif", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--sarif and --no-sarif say opposite things; pass one of them");
    expect(git(dir, "status", "--porcelain")).toBe("");
  });
});
