import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEPENDABOT_LIMITS, renderDependabot } from "../../src/renovate/dependabot.js";

interface Update {
  "package-ecosystem": string;
  directory: string;
  schedule: { interval: string };
  cooldown: Record<string, number>;
  labels: string[];
  groups?: Record<string, { patterns: string[] }>;
}

describe("renderDependabot", () => {
  const text = renderDependabot({ label: "deps: security", dockerDirectory: "/build/" });
  const doc = parse(text) as { version: number; updates: Update[] };

  it("covers github-actions, docker and gomod weekly, each with a 7-day cooldown and the label", () => {
    expect(doc.version).toBe(2);
    expect(doc.updates.map((u) => u["package-ecosystem"])).toEqual(["github-actions", "docker", "gomod"]);
    for (const u of doc.updates) {
      expect(u.schedule).toEqual({ interval: "weekly" });
      // Only default-days: the github-actions ecosystem rejects semver-*-days.
      expect(u.cooldown).toEqual({ "default-days": 7 });
      // A custom list replaces Dependabot's "dependencies" label (issue 13, item 8): it is listed again.
      expect(u.labels).toEqual(["dependencies", "deps: security"]);
    }
  });

  it("looks for the Dockerfile where it is, and groups the scanner actions", () => {
    expect(doc.updates.map((u) => u.directory)).toEqual([undefined, "/build", "/"]);
    // The workflows and our composite action, whose own pins Dependabot reads only when its folder is listed.
    expect((doc.updates[0] as { directories?: string[] }).directories).toEqual(["/", "/.github/actions/relay-security-db"]);
    expect(doc.updates[0]?.groups).toEqual({ "security-scanners": { patterns: ["aquasecurity/*", "anchore/*"] } });
    const root = parse(renderDependabot({ label: "security", dockerDirectory: "." })) as { updates: Update[] };
    expect(root.updates[1]?.directory).toBe("/");
  });

  it("is commented and stable", () => {
    expect(text.startsWith("# Written by relay-security")).toBe(true);
    expect(text).toContain("March 2026");
    expect(text.endsWith("\n")).toBe(true);
    expect(renderDependabot({ label: "deps: security", dockerDirectory: "/build/" })).toBe(text);
  });

  it("says what Dependabot cannot do", () => {
    expect(DEPENDABOT_LIMITS).toMatch(/does not turn a tag into a SHA/);
    expect(DEPENDABOT_LIMITS).toMatch(/does not fix a wrong version comment/);
    expect(DEPENDABOT_LIMITS).toMatch(/`version:` input/);
    expect(DEPENDABOT_LIMITS).toMatch(/GOVULNCHECK_VERSION/);
  });
});

describe("Dependabot labels (issue 13, item 8)", () => {
  it("the plan says a label is applied only once it exists, and that ours keeps dependencies", async () => {
    const { makeRepo } = await import("../support/repo.js");
    const { detect } = await import("../../src/detect/index.js");
    const { buildPlan } = await import("../../src/plan/index.js");
    const { answersWith } = await import("../support/answers.js");
    const { scriptedDeps } = await import("../support/deps.js");
    const dir = makeRepo("example");
    const plan = buildPlan(await detect(dir, scriptedDeps([]).deps), answersWith({ updater: "dependabot", label: "vuln" }), undefined, { restore: false, onConflict: "markers" });
    const note = plan.notes.find((n) => n.startsWith(".github/dependabot.yml:"));
    expect(note).toMatch(/"vuln" .*only once the label exists/);
    expect(note).toMatch(/gh label create "vuln"/);
    const doc = parse(plan.changes.find((c) => c.path === ".github/dependabot.yml")?.after ?? "") as { updates: Update[] };
    expect(doc.updates[0]?.labels).toEqual(["dependencies", "vuln"]);
  });
});
