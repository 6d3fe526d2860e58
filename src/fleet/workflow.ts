import { loadPins } from "../pins.js";
import { renderTemplate } from "../render/engine.js";
import { VERSION } from "../version.js";

/** What `npx create-relay-security fleet` writes into the admin repository. */
export const FLEET_PATHS = {
  workflow: ".github/workflows/relay-security-fleet.yml",
  repos: ".github/relay-security-fleet.txt",
  answers: ".github/relay-security-fleet",
} as const;

export type FleetSource = { kind: "file"; repos: string[] } | { kind: "org"; org: string; topic: string };

export interface FleetWorkflowInput {
  source: FleetSource;
  maxParallel: number;
}

/**
 * The workflow. The token is a secret, not a step of actions/create-github-app-token: that action has no
 * verified pin in data/pins.json, and we never render an unpinned `uses:` (README, "fleet").
 */
export function renderFleetWorkflow(input: FleetWorkflowInput): string {
  const s = input.source;
  return renderTemplate("fleet.yml.hbs", {
    version: VERSION,
    pins: loadPins().actions,
    cron: "29 5 * * 1",
    maxParallel: input.maxParallel,
    reposFile: s.kind === "file" ? FLEET_PATHS.repos : "",
    org: s.kind === "org" ? s.org : "",
    topic: s.kind === "org" ? s.topic : "",
    answersDir: FLEET_PATHS.answers,
    command: `npx --yes --package=create-relay-security@${VERSION} relay-security`,
  });
}

export function renderReposFile(repos: string[]): string {
  return `# Repositories relay-security fleet runs over (${FLEET_PATHS.workflow}), one OWNER/NAME a line.\n${repos.join("\n")}\n`;
}
