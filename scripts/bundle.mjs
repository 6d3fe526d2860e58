#!/usr/bin/env node
// `npm run build`, after tsc: bundle src/cli.ts and what it uses into dist/cli.js and dist/chunks/, the
// only code the package ships. Its libraries are build-time dependencies; esbuild keeps what is used.
// cli.ts's dynamic imports become chunks, so `--help` still loads only the parser and the help text. The
// templates are precompiled here (src/render/templates.ts replaced by its result), so Handlebars'
// compiler stays behind and only its runtime ships. No source map: the bundle keeps its names readable.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundledTemplatesModule } from "../dist/render/templates.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** src/render/templates.ts -> the module bundledTemplatesModule() writes (the specs as code). */
const precompiledTemplates = {
  name: "precompiled-templates",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]render[\\/]templates\.ts$/ }, () => ({ contents: bundledTemplatesModule(), loader: "js" }));
  },
};

rmSync(`${root}dist/chunks`, { recursive: true, force: true });
await build({
  entryPoints: [`${root}src/cli.ts`],
  outdir: `${root}dist`,
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // The CommonJS libraries inside (handlebars, json5) call require() for Node's own modules.
  banner: { js: 'import { createRequire as __relayRequire } from "node:module"; const require = __relayRequire(import.meta.url);' },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  plugins: [precompiledTemplates],
  logLevel: "warning",
});
