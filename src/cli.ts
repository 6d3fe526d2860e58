#!/usr/bin/env node
/**
 * The adapter between the shell and the library: the only file that reads argv, the environment and
 * the TTY, prints, and sets the exit code. Everything heavy is imported only once we know we need it.
 */
import { parseArgs } from "node:util";
import type { Deps } from "./deps.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bothSides, COMMANDS, FLAGS, flagsOf, nearCommand, renderHelp, type CommandName, type FlagName } from "./help.js";

const usageError = (message: string, command?: CommandName) => {
  const first = process.argv[2];
  const named = first !== undefined && first in COMMANDS ? (first as CommandName) : "init";
  if (process.argv.includes("--json")) void printJsonError(command ?? named, 2, message, []);
  process.stderr.write(`relay-security: ${message}\nRun ${command && command !== "init" ? `relay-security ${command}` : "create-relay-security"} --help for the flags.\n`);
  return 2;
};

/** An error as the one --json shape, so a script parses failures like results. */
async function printJsonError(command: CommandName, exitCode: number, message: string, details: string[]) {
  const { jsonEnvelope } = await import("./report/json.js");
  process.stdout.write(`${jsonEnvelope(command, exitCode, {}, { message, details })}\n`);
}

/**
 * argv -> command, its flags, its positionals. Parsed against every flag (so an unknown one is named),
 * then each given flag is checked against the command's own list: `check --adopt` is an error, not ignored.
 */
function parseCommandLine(argv: string[]) {
  const parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true, tokens: true });
  const [first, ...rest] = parsed.positionals;
  const command: CommandName = first !== undefined && first !== "init" && first in COMMANDS ? (first as CommandName) : "init";
  const args = first === "init" || command !== "init" ? rest : parsed.positionals;
  const allowed = new Set<string>(flagsOf(command));
  const given = parsed.tokens.filter((t) => t.kind === "option").map((t) => t.name as FlagName);
  const foreign = given.find((name) => !allowed.has(name));
  return { command, args, values: parsed.values, foreign, both: bothSides(new Set(given)) };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values: v, command, args, foreign, both } = parsed;
  if (v.help) {
    process.stdout.write(renderHelp(command === "init" && argv[0] !== "init" ? undefined : command));
    return 0;
  }
  if (foreign) {
    const takers = (Object.keys(COMMANDS) as CommandName[]).filter((c) => flagsOf(c).includes(foreign as FlagName)).map((c) => COMMANDS[c].usage.replace(" [dir]", ""));
    return usageError(`${COMMANDS[command].usage.replace(" [dir]", "")} does not take --${foreign}${takers.length ? ` (an option of ${takers.join(", ")})` : ""}`, command);
  }
  if (both) return usageError(`--${both[0]} and --${both[1]} say opposite things; pass one of them`, command);
  if (v.version) {
    const { VERSION } = await import("./version.js");
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.length > 1 && command !== "fleet" && command !== "check") return usageError(`one directory at most, got ${args.map((a) => JSON.stringify(a)).join(" ")}`, command);
  const dir = resolve(v.cwd ?? ".", args[0] ?? ".");
  // `relay-security chek`: a word near a command that is no directory here is a typo, not a path.
  const near = command === "init" && args[0] !== undefined && argv[0] !== "init" && !existsSync(dir) ? nearCommand(args[0]) : undefined;
  if (near) return usageError(`unknown command "${args[0]}"; did you mean ${near}?`);
  if (v.cwd !== undefined && !existsSync(resolve(v.cwd))) return usageError(`-C/--cwd ${v.cwd}: no such directory`, command);
  const onConflict = v["on-conflict"] ?? "markers";
  if (!["markers", "fail", "ours", "theirs"].includes(onConflict)) return usageError(`--on-conflict must be markers, fail, ours or theirs, not "${onConflict}"`);

  // Interactivity is decided here, before the first prompt: clack hangs or exits silently without a TTY.
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI && !v.json && !v.yes;
  const { clackPrompter, noPrompts, plainPrompter, terminalPager, terminalProgress } = await import("./deps-node.js");
  // TERM=dumb: clack moves the cursor and draws boxes; a line a question instead.
  const prompter = () => (process.env.TERM === "dumb" ? Promise.resolve(plainPrompter(process.stdin, process.stdout)) : clackPrompter());
  const { execProgram } = await import("./deps.js");
  const { styleFor } = await import("./report/style.js");
  const style = styleFor(process.env, process.stdout);
  const deps: Deps = {
    exec: execProgram,
    prompts: interactive && command === "init" ? await prompter() : noPrompts,
    now: () => new Date(),
    env: { ...process.env },
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    style,
    progress: interactive && command === "init" ? await terminalProgress(process.env.TERM === "dumb", process.stdout) : undefined,
    page: interactive ? terminalPager(process.env, process.stdout) : undefined,
  };
  const { UserError, Cancelled } = await import("./errors.js");
  try {
    // `fleet` (issue 16): many directories and its own flags, all in src/fleet/command.ts.
    if (command === "fleet") {
      const { runFleetCommand } = await import("./fleet/command.js");
      const result = await runFleetCommand(args, v, deps);
      process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
      return result.exitCode;
    }
    if (command === "init") {
      const { runInit } = await import("./run.js");
      const { renderInitReport, jsonReport } = await import("./report/init.js");
      const { initWithPr, renderPrOutcome } = await import("./pr/command.js");
      const { jsonEnvelope } = await import("./report/json.js");
      const { exitCode, report, pr } = await (v.pr ? initWithPr : async (o: Parameters<typeof runInit>[0], d: Deps) => ({ ...(await runInit(o, d)), pr: undefined }))(
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
            imageScan: v["no-image-scan"] ? false : v["image-scan"] ? true : undefined,
            sarif: v.sarif ? true : v["no-sarif"] ? false : undefined,
            reachability: v.reachability ? true : v["no-reachability"] ? false : undefined,
            report: v.report,
            isolatedScan: v["isolated-scan"] ? true : v["no-isolated-scan"] ? false : undefined,
            workflow: v.workflow,
            buildArgs: v["build-arg"],
            trivyignore: v.trivyignore,
            checkWorkflow: v["no-check-workflow"] ? false : v["check-workflow"] ? true : undefined,
            hardenRunner: v["harden-runner"] ? true : v["no-harden-runner"] ? false : undefined,
            pinBaseImages: v["pin-base-images"] ? true : v["no-pin-base-images"] ? false : undefined,
            dbRepository: v["db-repository"],
          },
          answersFile: v.answers,
          dryRun: Boolean(v["dry-run"]),
          json: Boolean(v.json),
          diff: Boolean(v.diff),
          restore: Boolean(v.restore),
          // --pr: a conflict writes nothing unless --on-conflict says otherwise (no markers in a PR).
          onConflict: (v.pr && v["on-conflict"] === undefined ? "fail" : onConflict) as "markers" | "fail" | "ours" | "theirs",
          allowDirty: Boolean(v["allow-dirty"]),
          adopt: Boolean(v.adopt),
          pin: Boolean(v.pin),
          onWritten: (paths) => written.push(...paths),
        },
        deps,
      );
      if (v.json) process.stdout.write(`${jsonEnvelope("init", exitCode, { ...jsonReport(report), ...(pr ? { pr } : {}) })}\n`);
      else {
        const text = `${renderInitReport(report, style)}${pr ? `\n${renderPrOutcome(pr)}` : ""}`;
        process.stdout.write(`${v.quiet ? lastLine(text) : text}\n`);
      }
      // Close the clack frame the intro opened.
      if (interactive) deps.prompts.outro?.(exitCode === 0 ? "Done." : `Done, exit ${exitCode} (the reason is above).`);
      return exitCode;
    }
    if (command === "pin") {
      const { runPinCommand } = await import("./commands.js");
      const pinFlags = { check: v.check, dryRun: v["dry-run"], json: v.json, offline: v.offline, update: v.update, minAge: v["min-age"] };
      if (v.pr) {
        if (v.check || v["dry-run"]) throw new UserError("--pr writes and commits; it does not go with --check or --dry-run");
        const { pinWithPr } = await import("./pr/command.js");
        const { contentFromPin } = await import("./pr/body.js");
        const result = await pinWithPr(dir, async () => {
          const r = await runPinCommand(dir, pinFlags, deps);
          return { ...r, written: r.run.written, content: contentFromPin(r.run) };
        }, deps);
        process.stdout.write(`${result.output}\n`);
        return result.exitCode;
      }
      const result = await runPinCommand(dir, pinFlags, deps);
      process.stdout.write(`${v.quiet && !v.json ? lastLine(result.output) : result.output.replace(/\n$/, "")}\n`);
      return result.exitCode;
    }
    const { runCheckMany, runCommand } = await import("./commands.js");
    const scan = { json: Boolean(v.json), imageArchive: v["image-archive"], offline: Boolean(v.offline), allWorkflows: Boolean(v["all-workflows"]) };
    const result = args.length > 1 ? await runCheckMany(args.map((a) => resolve(v.cwd ?? ".", a)), scan, deps) : await runCommand(command, { dir, ...scan }, deps);
    process.stdout.write(`${v.quiet && !v.json ? lastLine(result.output) : result.output.replace(/\n$/, "")}\n`);
    return result.exitCode;
  } catch (error) {
    if (error instanceof Cancelled) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UserError) {
      if (v.json) await printJsonError(command, error.exitCode, error.message, error.details);
      process.stderr.write(`relay-security: ${error.message}\n${error.details.map((d) => `${d}\n`).join("")}`);
      return error.exitCode;
    }
    if (v.json) await printJsonError(command, 70, `internal error: ${(error as Error).message}`, []);
    process.stderr.write(`relay-security: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}

/** `--quiet`: the report's last line, which says why the exit code is what it is. */
const lastLine = (text: string) => text.trimEnd().split("\n").pop() ?? "";

/** Files this run has written, whole: a Ctrl-C after the write (during validation) says which (item 9). */
const written: string[] = [];

process.on("SIGINT", () => {
  process.stderr.write(
    written.length
      ? `\nCancelled during validation; these files were already written (each complete): ${written.join(", ")}. Review them with git diff, or run relay-security validate.\n`
      : "\nCancelled; nothing was written.\n",
  );
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
