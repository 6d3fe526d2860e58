import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nearCommand, renderHelp } from "../../src/help.js";
import { actionsUrl } from "../../src/report/init.js";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";

describe("unknown command, --quiet, -C/--cwd (issue 15.5)", () => {
  it("a mistyped command suggests the near one; a directory of that name is still a directory", () => {
    expect(nearCommand("chek")).toBe("check");
    expect(nearCommand("valdiate")).toBe("validate");
    expect(nearCommand("pinn")).toBe("pin");
    expect(nearCommand("services")).toBeUndefined();
    const r = runCli(["chek"], { cwd: makeRepo("example") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "chek"; did you mean check?');
  });

  it("-C DIR runs as if started there, for every command, and names a missing one", () => {
    const dir = makeRepo("example");
    const r = runCli(["check", "-C", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(dir, ".github/relay-security.json"));
    const missing = runCli(["validate", "--cwd", join(dir, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/-C\/--cwd .*nope: no such directory/);
    for (const c of ["check", "validate", "pin"] as const) expect(renderHelp(c)).toContain("-C, --cwd DIR");
    expect(renderHelp()).toContain("-q, --quiet");
  });

  it("--quiet prints only the line that says why the exit code is what it is", () => {
    const dir = makeRepo("example");
    const r = runCli(["--yes", "--quiet", "-C", dir], { timeoutMs: 120_000 });
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toMatch(/^Exit [01]: /);
  }, 150_000);
});

describe("next steps name the workflow's Actions page (issue 15.6)", () => {
  it("from the origin remote on github.com; none for another host", () => {
    expect(actionsUrl({ owner: "acme", repo: "hello-service", host: "github.com" })).toBe("https://github.com/acme/hello-service/actions/workflows/security-scan.yml");
    expect(actionsUrl({ owner: "acme", repo: "x", host: "gitlab.com" })).toBeUndefined();
    expect(actionsUrl(undefined)).toBeUndefined();
  });

  it("the printed next steps carry it", () => {
    const r = runCli(["--yes", makeRepo("example")], { timeoutMs: 120_000 });
    expect(r.stdout).toContain("Run it now: https://github.com/Acme/Hello-Service/actions/workflows/security-scan.yml, Run workflow.");
  }, 150_000);
});
