import fc from "fast-check";
import { TOOLS_BIN } from "./support/tools.js";

// The pinned tools from `npm run tools` come first, so the CLI under test finds the same actionlint,
// shellcheck and Trivy as the tests do, and `npm test` needs no PATH set by hand.
process.env.PATH = `${TOOLS_BIN}:${process.env.PATH ?? ""}`;

// A property that fails shrinks its counterexample, and a shrink that cannot end holds a worker
// forever (synchronous code: vitest's timeout cannot interrupt it). Bound every property run so such
// a test fails with what it found instead of stalling CI.
fc.configureGlobal({ interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true });
