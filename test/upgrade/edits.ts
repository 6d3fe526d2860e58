import { PATHS } from "../../src/render/index.js";
import { edit } from "./support.js";

/**
 * Edits a maintainer makes to the files we manage, away from every line the upgrade changes (each anchor
 * is in the previous release's render and in today's). Applying the same edits to a fresh render gives
 * what the upgrade must produce.
 */
export const USER_EDITS: Record<string, (text: string) => string> = {
  [PATHS.securityScan]: (t) => {
    let out = edit(t, "re-enable it in the Actions tab.\n", "re-enable it in the Actions tab.\n# Owned by the platform team: ask in #platform before changing it.\n");
    out = edit(out, "      IMAGE_REF: 'ghcr.io/acme/hello-service:security-scan'\n", "      IMAGE_REF: 'ghcr.io/acme/hello-service:security-scan'\n      DOCKER_BUILDKIT: '1'\n");
    return edit(out, "      - name: Scan\n        id: scan\n", "      - name: Download modules\n        run: go mod download\n\n      - name: Scan\n        id: scan\n");
  },
  [PATHS.trivyignore]: (t) =>
    `${t}\n# WHY: only reachable through TIFF decoding, which the service never does.\n# TODO(2027-01-31): drop once the base image ships libtiff 4.7.1.\nCVE-2026-11111 exp:2027-01-31\n`,
  [PATHS.renovate]: (t) =>
    edit(t, '  "packageRules": [\n', '  "packageRules": [\n    {\n      "description": ["Ours: the database driver moves with the schema."],\n      "matchPackageNames": ["github.com/lib/pq"],\n      "enabled": false\n    },\n'),
};

/** The lines each edit added, to look for after the upgrade. */
export const USER_LINES: Record<string, string[]> = {
  [PATHS.securityScan]: ["# Owned by the platform team: ask in #platform before changing it.", "      DOCKER_BUILDKIT: '1'", "        run: go mod download"],
  [PATHS.trivyignore]: ["CVE-2026-11111 exp:2027-01-31"],
  [PATHS.renovate]: ['      "matchPackageNames": ["github.com/lib/pq"],'],
};

/** An edit of a line the upgrade also changes (the previous release kept artifacts 5 days, this one 7). */
export const OVERLAPPING = (t: string) =>
  edit(t, "name: relay-security-results-trivy-image\n          path: relay-security-results\n          retention-days: 5\n", "name: relay-security-results-trivy-image\n          path: relay-security-results\n          retention-days: 3\n");

export const CONFLICT_BLOCK = [
  "<<<<<<< yours",
  "          retention-days: 3",
  "||||||| base",
  "          retention-days: 5",
  "=======",
  "          retention-days: 7",
  ">>>>>>> relay-security",
].join("\n");
