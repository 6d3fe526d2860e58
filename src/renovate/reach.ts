/**
 * Whether the user's Renovate config lets the rules we merge into it act at all. A config can narrow
 * Renovate on purpose (cloudflared's: `enabledManagers: ["dockerfile"]` and a first packageRule that
 * turns every package off, to keep one distroless base image fresh and nothing else). Our rules are
 * added all the same, but they do nothing there; the plan says so, and why, instead of telling the
 * user that Renovate now keeps the pins fresh. We never widen such a config: that is the user's call.
 */

/** The managers our rules and custom manager need, with what each one keeps fresh. */
const NEEDED: [manager: string, what: string][] = [
  ["github-actions", "the actions' SHAs"],
  ["dockerfile", "the Dockerfile's base images"],
  ["gomod", "go.mod"],
  ["custom.regex", "the Trivy and govulncheck versions behind `# renovate:` markers"],
];

/** `matchPackageNames` / `matchPackagePatterns` values that match every package. */
const EVERYTHING = new Set(["*", "**", "/.*/", "/.+/", ".*", ".+", "/^.*$/"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A rule that turns off every package: `enabled: false` and no condition beyond "every package". */
function disablesEverything(rule: Record<string, unknown>): boolean {
  if (rule["enabled"] !== false) return false;
  return Object.entries(rule).every(([key, value]) => {
    if (!key.startsWith("match") && !key.startsWith("exclude")) return true;
    if (key === "matchPackageNames" || key === "matchPackagePatterns" || key === "matchDepNames") {
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && EVERYTHING.has(v));
    }
    return false;
  });
}

/**
 * Why the user's config (already parsed, before our additions) keeps our rules from acting, as the
 * plan's note, or undefined when nothing does. `path` names the file (`package.json "renovate"` too);
 * `dockerfile`: whether there is a Dockerfile whose base images matter.
 */
export function renovateReachNote(path: string, config: unknown, opts: { dockerfile: boolean }): string | undefined {
  if (!isObject(config)) return undefined;
  if (config["enabled"] === false) {
    return `${path}: Renovate is switched off there (\`"enabled": false\`), so it updates none of what relay-security pins; relay-security added its rules and left the switch as you set it. The actions' SHAs and the scanner versions move when you re-run relay-security.`;
  }
  const reasons: string[] = [];
  const widen: string[] = [];
  const managers = config["enabledManagers"];
  if (Array.isArray(managers) && managers.length > 0) {
    const on = new Set(managers.filter((m): m is string => typeof m === "string"));
    // Renovate named the regex manager `regex` before custom managers were `custom.regex`.
    const missing = NEEDED.filter(([m]) => !on.has(m) && !(m === "custom.regex" && on.has("regex")) && (m !== "dockerfile" || opts.dockerfile));
    if (missing.length) {
      reasons.push(`enabledManagers lists ${[...on].map((m) => `"${m}"`).join(", ")} and not ${missing.map(([m]) => `"${m}"`).join(", ")} (${missing.map(([, what]) => what).join("; ")})`);
      widen.push(`add ${missing.map(([m]) => `"${m}"`).join(", ")} to enabledManagers`);
    }
  }
  const rules = Array.isArray(config["packageRules"]) ? config["packageRules"] : [];
  const off = rules.find((r) => isObject(r) && disablesEverything(r));
  if (off !== undefined) {
    const said = isObject(off) && typeof off["description"] === "string" ? ` ("${off["description"]}")` : "";
    reasons.push(`a packageRule turns every package off${said}, and relay-security's rules do not turn anything back on`);
    widen.push(`add \`"enabled": true\` to the relay-security rules you want`);
  }
  if (reasons.length === 0) return undefined;
  return `${path}: relay-security added its rules, but as you set Renovate up they do nothing: ${reasons.join("; ")}. Left as you set it: the actions' SHAs and the scanner versions move when you re-run relay-security, or ${widen.join(" and ")}.`;
}
