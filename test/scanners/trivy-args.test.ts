import { describe, expect, it } from "vitest";
import { envToFlags, trivyActionRun } from "../../src/validate/trivy-args.js";
import { renderedGateWith, renderedRescanWith } from "./helpers.js";

describe("trivyActionRun: what trivy-action does with with:", () => {
  it("turns the rendered gate into TRIVY_* variables, leaving out inputs equal to their defaults", () => {
    expect(trivyActionRun(renderedGateWith())).toEqual({
      scanType: "image",
      scanRef: "ghcr.io/acme/svc:${{ github.sha }}",
      // vuln-type os,library is the action's default, so the action exports no TRIVY_PKG_TYPES.
      env: { TRIVY_EXIT_CODE: "1", TRIVY_IGNORE_UNFIXED: "true", TRIVY_SEVERITY: "CRITICAL,HIGH", TRIVY_SCANNERS: "vuln" },
      ignoreFiles: [".trivyignore"],
      ignoreMode: "concatenate",
      version: "v0.74.0",
    });
  });

  it("keeps the rescan's JSON output and exit code 0", () => {
    expect(trivyActionRun(renderedRescanWith()).env).toMatchObject({ TRIVY_FORMAT: "json", TRIVY_OUTPUT: "trivy-results.json", TRIVY_EXIT_CODE: "0" });
  });

  it.each([
    [{ "ignore-unfixed": false, "vuln-type": "os" }, { TRIVY_PKG_TYPES: "os" }],
    [{ format: "sarif", severity: "HIGH" }, { TRIVY_FORMAT: "sarif" }],
    [{ format: "sarif", severity: "HIGH", "limit-severities-for-sarif": true }, { TRIVY_FORMAT: "sarif", TRIVY_SEVERITY: "HIGH" }],
    [{ severity: "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL", "hide-progress": true, "exit-code": 1 }, { TRIVY_QUIET: "true", TRIVY_EXIT_CODE: "1" }],
  ])("%j -> %j", (inputs, env) => {
    expect(trivyActionRun(inputs).env).toEqual(env);
  });

  it.each([
    ["a.txt, b", "concatenate", undefined],
    [".trivyignore.yaml", "yaml", undefined],
    [".trivyignore,.trivyignore.yaml", "invalid", "cannot mix YAML and plain trivy ignore files"],
    ["a.yaml,b.yml", "invalid", "only one YAML ignore file is supported"],
    ["", "none", undefined],
  ])("trivyignores %j: %s", (trivyignores, mode, error) => {
    const run = trivyActionRun({ trivyignores });
    expect([run.ignoreMode, run.ignoreError]).toEqual([mode, error]);
  });
});

describe("envToFlags", () => {
  it("maps TRIVY_FOO_BAR to --foo-bar, booleans to bare flags", () => {
    expect(envToFlags({ TRIVY_SEVERITY: "CRITICAL,HIGH", TRIVY_IGNORE_UNFIXED: "true", TRIVY_PKG_TYPES: "os", TRIVY_QUIET: "false", HOME: "/x" }))
      .toEqual(["--severity", "CRITICAL,HIGH", "--ignore-unfixed", "--pkg-types", "os"]);
  });
});
