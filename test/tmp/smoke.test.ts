import { it } from "vitest";
import { Runner } from "../support/lifecycle.js";
import { findingsReport, json } from "../support/trivy-report.js";
import { fixture } from "../support/lifecycle.js";
it("smoke", () => {
  const r = new Runner();
  r.writeResult("trivy-image", "findings", json(findingsReport()));
  r.writeResult("govulncheck", "findings", fixture("govulncheck-called-and-imported.json"));
  r.writeMeta("trivy-image", { commit: "0123456789abcdef0123456789abcdef01234567", scanned_at: "2025-08-02T03:18:00Z", db_updated_at: "2025-08-01T18:00:00Z" });
  let run = r.issues();
  console.log(run.status, run.stdout, run.stderr);
  console.log(r.gh.issue(1).body);
  console.log(r.gh.issue(2).body);
  run = r.issues();
  console.log(run.status, run.stdout, run.stderr);
  console.log(JSON.stringify(r.gh.calls()));
  r.cleanup();
});
