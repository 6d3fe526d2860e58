import { TOOLS_BIN } from "./support/tools.js";

// The pinned tools from `npm run tools` come first, so the CLI under test finds the same actionlint,
// shellcheck and Trivy as the tests do, and `npm test` needs no PATH set by hand.
process.env.PATH = `${TOOLS_BIN}:${process.env.PATH ?? ""}`;
