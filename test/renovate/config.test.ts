import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MARKER_REGEX, MARKERS, renderRenovateConfig, renderRenovateJson, ruleName, RULE_PREFIX } from "../../src/renovate/config.js";
import { ROOT } from "../support/repo.js";

/** The custom manager's regex as Renovate applies it: global, over the whole file. */
const markerMatches = (text: string) =>
  [...text.matchAll(new RegExp(MARKER_REGEX, "g"))].map((m) => ({ datasource: m.groups?.datasource, depName: m.groups?.depName, currentValue: m.groups?.currentValue }));

describe("renderRenovateConfig", () => {
  const trivy = renderRenovateConfig({ label: "security", scanner: "trivy" });
  const grype = renderRenovateConfig({ label: "deps: security", scanner: "grype" });
  const rule = (c: typeof trivy, name: string) => c.packageRules.find((r) => ruleName(r) === `${RULE_PREFIX}${name}`);

  it("explains every rule and custom manager, each with a stable first line", () => {
    for (const r of [...trivy.packageRules, ...trivy.customManagers]) {
      expect(ruleName(r)).toMatch(/^relay-security: \S/);
      expect(r.description.length).toBeGreaterThan(1);
    }
    const names = [...trivy.packageRules, ...trivy.customManagers].map(ruleName);
    expect(new Set(names).size).toBe(names.length);
  });

  it("waits 7 days on actions, docker images and scanners; never follows a moved action tag", () => {
    expect(rule(trivy, "GitHub Actions")).toMatchObject({ matchManagers: ["github-actions"], minimumReleaseAge: "7 days" });
    expect(rule(trivy, "Docker base images")).toMatchObject({ matchDatasources: ["docker"], minimumReleaseAge: "7 days" });
    expect(rule(trivy, "security scanners")).toMatchObject({ minimumReleaseAge: "7 days", groupName: "security scanners" });
    expect(rule(trivy, "moved action tags")).toMatchObject({ matchUpdateTypes: ["digest"], enabled: false });
    expect(rule(trivy, "Go modules")).toMatchObject({ matchManagers: ["gomod"], postUpdateOptions: ["gomodTidy"] });
  });

  it("groups the chosen scanner's action, binary and govulncheck into one PR", () => {
    expect(rule(trivy, "security scanners")?.matchDepNames).toEqual(["aquasecurity/trivy-action", "aquasecurity/trivy", "golang.org/x/vuln"]);
    expect(rule(grype, "security scanners")?.matchDepNames).toEqual(["anchore/scan-action", "anchore/grype", "golang.org/x/vuln"]);
    expect(rule(grype, "security scanners")?.addLabels).toEqual(["deps: security"]);
  });

  it("renovate.json text is the config as JSON with a final newline", () => {
    const text = renderRenovateJson({ label: "security", scanner: "trivy" });
    expect(JSON.parse(text)).toEqual(trivy);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain(`"matchManagers": ["github-actions"]`);
  });

  it("uses only regex syntax RE2 has (Renovate runs custom managers with RE2)", () => {
    for (const re of [...trivy.customManagers.flatMap((m) => m.matchStrings as string[]), ...(trivy.customManagers[0]?.managerFilePatterns as string[])]) {
      expect(re).not.toMatch(/\(\?[=!]|\(\?<[=!]|\\[1-9]/);
    }
  });
});

describe("the version-marker custom manager", () => {
  it.each([
    ["trivy-action version input", `      with:\n          ${MARKERS.trivy}\n          version: v0.74.0\n`, "github-releases", "aquasecurity/trivy", "v0.74.0"],
    ["quoted value", `${MARKERS.trivy}\nversion: "v0.74.0"\n`, "github-releases", "aquasecurity/trivy", "v0.74.0"],
    ["govulncheck env var", `    env:\n      ${MARKERS.govulncheck}\n      GOVULNCHECK_VERSION: v1.9.0\n`, "go", "golang.org/x/vuln", "v1.9.0"],
    ["grype-version input", `          ${MARKERS.grype}\n          grype-version: v0.110.0\n`, "github-releases", "anchore/grype", "v0.110.0"],
    ["shell assignment", `# renovate: datasource=go depName=github.com/rhysd/actionlint\nACTIONLINT_VERSION=v1.7.12\n`, "go", "github.com/rhysd/actionlint", "v1.7.12"],
    ["CRLF line endings", `${MARKERS.trivy}\r\n  version: 'v0.74.0'\r\n`, "github-releases", "aquasecurity/trivy", "v0.74.0"],
    ["a trailing comment", `${MARKERS.govulncheck}\nGOVULNCHECK_VERSION: v1.9.0 # pinned\n`, "go", "golang.org/x/vuln", "v1.9.0"],
  ])("reads %s", (_name, text, datasource, depName, currentValue) => {
    expect(markerMatches(text)).toEqual([{ datasource, depName, currentValue }]);
  });

  it("matches every marker the templates write (and only lines under a marker)", () => {
    const dir = join(ROOT, "templates");
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".hbs"));
    let markers = 0;
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8").replace(/\{\{trivyVersion\}\}/g, "v0.74.0").replace(/\{\{govulncheckVersion\}\}/g, "v1.9.0").replace(/\{\{grypeVersion\}\}/g, "v0.110.0").replace(/\{\{version\}\}/g, "0.1.0");
      const expected = text.split("\n").filter((l) => l.includes("# renovate:")).length;
      markers += expected;
      const found = markerMatches(text);
      expect(found, f).toHaveLength(expected);
      // Go and GitHub releases carry a v; npm versions (this tool's own, in relay-security-check.yml) do not.
      for (const m of found) expect(m.currentValue, f).toMatch(m.datasource === "npm" ? /^\d+\.\d+\.\d+$/ : /^v\d+\.\d+\.\d+$/);
    }
    expect(markers).toBeGreaterThan(0);
  });
});
