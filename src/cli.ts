#!/usr/bin/env node
/**
 * The adapter between the shell and the library: the only file that reads argv, the environment and
 * the TTY, prints, and sets the exit code. Everything heavy is imported only once we know we need it.
 */
import { parseArgs } from "node:util";
import type { Deps } from "./deps.js";
import { HELP } from "./help.js";

const OPTIONS = {
  yes: { type: "boolean", short: "y" },
  "dry-run": { type: "boolean" },
  diff: { type: "boolean" },
  json: { type: "boolean" },
  answers: { type: "string" },
  image: { type: "string" },
  dockerfile: { type: "string" },
  context: { type: "string" },
  branch: { type: "string" },
  schedule: { type: "string" },
  severity: { type: "string" },
  label: { type: "string" },
  updater: { type: "string" },
  scanner: { type: "string" },
  "no-image-scan": { type: "boolean" },
  sarif: { type: "boolean" },
  reachability: { type: "boolean" },
  report: { type: "string" },
  "isolated-scan": { type: "boolean" },
  workflow: { type: "string" },
  "allow-dirty": { type: "boolean" },
  "on-conflict": { type: "string" },
  restore: { type: "boolean" },
  adopt: { type: "boolean" },
  "image-archive": { type: "string" },
  offline: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`relay-security: ${(error as Error).message}\nRun with --help for the flags.\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.version) {
    const { VERSION } = await import("./version.js");
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [first, ...rest] = positionals;
  const command = first === "check" || first === "validate" || first === "init" ? first : "init";
  const args = command === "init" && first !== "init" ? positionals : rest;
  if (args.length > 1) {
    process.stderr.write(`relay-security: one directory at most, got ${args.join(" ")}\n`);
    return 2;
  }
  const dir = args[0] ?? ".";
  const onConflict = v["on-conflict"] ?? "markers";
  if (!["markers", "fail", "ours", "theirs"].includes(onConflict)) {
    process.stderr.write(`relay-security: --on-conflict must be markers, fail, ours or theirs, not "${onConflict}"\n`);
    return 2;
  }

  // Interactivity is decided here, before the first prompt: clack hangs or exits silently without a TTY.
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI && !v.json && !v.yes;
  const { clackPrompter, noPrompts } = await import("./deps-node.js");
  const { execWithExeca } = await import("./deps.js");
  const deps: Deps = {
    exec: execWithExeca,
    prompts: interactive && command === "init" ? await clackPrompter() : noPrompts,
    now: () => new Date(),
    env: { ...process.env },
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  };
  const { UserError, Cancelled } = await import("./errors.js");
  try {
    if (command === "init") {
      const { runInit } = await import("./run.js");
      const { renderInitReport, jsonReport } = await import("./report/init.js");
      const { exitCode, report } = await runInit(
        {
          dir,
          mode: v.yes ? "yes" : interactive ? "interactive" : "non-interactive",
          flags: {
            image: v.image,
            dockerfile: v.dockerfile,
            context: v.context,
            branch: v.branch,
            schedule: v.schedule,
            severity: v.severity,
            label: v.label,
            updater: v.updater,
            scanner: v.scanner,
            imageScan: v["no-image-scan"] ? false : undefined,
            sarif: v.sarif ? true : undefined,
            reachability: v.reachability ? true : undefined,
            report: v.report,
            isolatedScan: v["isolated-scan"] ? true : undefined,
            workflow: v.workflow,
          },
          answersFile: v.answers,
          dryRun: Boolean(v["dry-run"]),
          json: Boolean(v.json),
          diff: Boolean(v.diff),
          restore: Boolean(v.restore),
          onConflict: onConflict as "markers" | "fail" | "ours" | "theirs",
          allowDirty: Boolean(v["allow-dirty"]),
          adopt: Boolean(v.adopt),
        },
        deps,
      );
      if (v.json) process.stdout.write(`${JSON.stringify(jsonReport(report), null, 2)}\n`);
      else process.stdout.write(`${renderInitReport(report)}\n`);
      return exitCode;
    }
    const { runCommand } = await import("./commands.js");
    const result = await runCommand(command, { dir, json: Boolean(v.json), imageArchive: v["image-archive"], offline: Boolean(v.offline) }, deps);
    process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof Cancelled) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UserError) {
      if (v.json) process.stdout.write(`${JSON.stringify({ exitCode: error.exitCode, error: error.message, details: error.details }, null, 2)}\n`);
      process.stderr.write(`relay-security: ${error.message}\n${error.details.map((d) => `${d}\n`).join("")}`);
      return error.exitCode;
    }
    process.stderr.write(`relay-security: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}

process.on("SIGINT", () => {
  process.stderr.write("\nCancelled; nothing was written.\n");
  process.exit(130);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`relay-security: internal error: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
