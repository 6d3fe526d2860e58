/**
 * zod, in its tree-shakable form `zod/mini` (issue 19: the classic `zod` bundled to 580 KB, this to
 * ~40 KB). `zod/mini` has no messages until it is given a locale; zod's English one is the one the
 * classic form loads, so every message a user sees (an answers file's field, a state file's) is as before.
 * Import it as `import * as z from "../zod.js"` so the bundle keeps only what is used.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
