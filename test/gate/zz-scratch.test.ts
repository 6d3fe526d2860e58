import { test } from "vitest";
import { answersSchema } from "../../src/answers/schema.js";
import { buildView, renderGateStep, renderImageScanJob } from "../../src/render/index.js";
test("x", () => {
const answers = answersSchema.parse({ image: "ghcr.io/acme/svc", dockerfile: "Dockerfile", context: ".", branch: "main", schedule: "daily", severity: "CRITICAL,HIGH", label: "security", updater: "renovate", scanner: "trivy", imageScan: true, sarif: false });
const view = buildView({ answers, modulePath: "example.com/svc", goModFile: "go.mod" });
console.log(JSON.stringify(renderGateStep(view, "ghcr.io/acme/svc:${{ github.sha }}")));
console.log(renderGateStep(view, "ghcr.io/acme/svc:${{ github.sha }}"));
console.log(JSON.stringify(renderImageScanJob(view)));
console.log(renderImageScanJob(view));
});
