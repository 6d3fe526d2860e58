import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";
import { VERSION } from "../../src/version.js";

/** The one --json shape (README, "JSON output"). */
const envelope = (stdout: string, command: string, exitCode: number) => {
  const j = JSON.parse(stdout) as Record<string, unknown>;
  expect(Object.keys(j).slice(0, 5)).toEqual(["schemaVersion", "version", "command", "exitCode", "error"]);
  expect(j).toMatchObject({ schemaVersion: 1, version: VERSION, command, exitCode });
  return j;
};

describe("--json: one versioned shape for every command and for errors (issue 15.4)", () => {
  it("set-up, check, validate and pin", () => {
    const dir = makeRepo("example");
    const init = runCli(["--yes", "--json", dir], { timeoutMs: 120_000 });
    expect(envelope(init.stdout, "init", init.code ?? -1)).toMatchObject({ error: null, files: expect.any(Array), written: expect.any(Array) });
    const check = runCli(["check", "--json", "--offline", dir], { timeoutMs: 120_000 });
    expect(envelope(check.stdout, "check", check.code ?? -1)).toMatchObject({ error: null, drift: [], stateVersion: VERSION });
    const validate = runCli(["validate", "--json", "--offline", dir], { timeoutMs: 120_000 });
    expect(envelope(validate.stdout, "validate", validate.code ?? -1)).toMatchObject({ error: null, findings: expect.any(Array) });
    const pin = runCli(["pin", "--json", "--offline", "--dry-run", dir], { timeoutMs: 120_000 });
    expect(envelope(pin.stdout, "pin", pin.code ?? -1)).toMatchObject({ error: null, uses: expect.any(Array) });
  }, 300_000);

  it("errors: a refused command and a bad flag, exit 2, the message in error", () => {
    const dir = makeRepo("example");
    const check = runCli(["check", "--json", dir]);
    expect(check.code).toBe(2);
    const j = envelope(check.stdout, "check", 2) as { error: { message: string; details: string[] } };
    expect(j.error.message).toMatch(/relay-security\.json: not found/);
    expect(j.error.details).toEqual([]);
    const bad = runCli(["validate", "--json", "--nope", dir]);
    expect(bad.code).toBe(2);
    expect((envelope(bad.stdout, "validate", 2) as { error: { message: string } }).error.message).toMatch(/--nope/);
  });
});
