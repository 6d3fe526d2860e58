import { describe, expect, it } from "vitest";
import { renovateReachNote } from "../../src/renovate/reach.js";

// A Renovate config the user narrowed on purpose keeps the rules we merge into it from acting.
describe("renovateReachNote", () => {
  const ROWS: [string, unknown, RegExp | undefined][] = [
    ["no restriction", { extends: ["config:recommended"] }, undefined],
    ["all our managers enabled", { enabledManagers: ["github-actions", "dockerfile", "gomod", "custom.regex"] }, undefined],
    ["the old name of the regex manager", { enabledManagers: ["github-actions", "dockerfile", "gomod", "regex"] }, undefined],
    ["an empty enabledManagers (Renovate reads it as every manager)", { enabledManagers: [] }, undefined],
    ["Renovate switched off", { enabled: false }, /Renovate is switched off there \(`"enabled": false`\)/],
    [
      "cloudflared's: only dockerfile, every package off, distroless back on",
      {
        enabledManagers: ["dockerfile"],
        packageRules: [
          { description: "Disable updates for everything by default", matchPackageNames: ["*"], enabled: false },
          { matchManagers: ["dockerfile"], enabled: true, matchPackageNames: ["gcr.io/distroless/{/,}**"] },
        ],
      },
      /^renovate\.json: relay-security added its rules, but as you set Renovate up they do nothing: enabledManagers lists "dockerfile" and not "github-actions", "gomod", "custom\.regex" \(the actions' SHAs; go\.mod; the Trivy and govulncheck versions behind `# renovate:` markers\); a packageRule turns every package off \("Disable updates for everything by default"\), and relay-security's rules do not turn anything back on\. Left as you set it: .* or add "github-actions", "gomod", "custom\.regex" to enabledManagers and add `"enabled": true` to the relay-security rules you want\.$/,
    ],
    ["a rule with no condition at all that turns things off", { packageRules: [{ enabled: false }] }, /a packageRule turns every package off, and/],
    ["a rule that turns off one manager is not everything", { packageRules: [{ matchManagers: ["npm"], enabled: false }] }, undefined],
    ["a rule that turns off one package is not everything", { packageRules: [{ matchPackageNames: ["*", "!golang"], enabled: false }] }, undefined],
  ];
  for (const [name, config, want] of ROWS) {
    it(name, () => {
      const got = renovateReachNote("renovate.json", config, { dockerfile: true });
      if (want === undefined) expect(got).toBeUndefined();
      else expect(got).toMatch(want);
    });
  }

  it("dockerfile is not asked for when there is no Dockerfile to scan", () => {
    expect(renovateReachNote("renovate.json", { enabledManagers: ["github-actions", "gomod", "custom.regex"] }, { dockerfile: false })).toBeUndefined();
    expect(renovateReachNote("renovate.json", { enabledManagers: ["github-actions", "gomod", "custom.regex"] }, { dockerfile: true })).toMatch(/not "dockerfile" \(the Dockerfile's base images\)/);
  });
});
