import { availableParallelism } from "node:os";
import type { Deps } from "../deps.js";

/**
 * The validators' tools run side by side (issue 19): actionlint next to the Trivy preview, `trivy config`
 * next to the vulnerability scans. Each is a process that mostly waits on its own CPU or disk, so on two
 * cores two at a time halves the wait; more would only make them fight. Every spawn goes through this
 * one gate, however the callers nest, and each caller keeps its results in its own order, so what is
 * printed does not depend on which tool finished first.
 */
export function boundedExec(exec: Deps["exec"], limit = Math.max(2, availableParallelism())): Deps["exec"] {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (file, args, opts) => {
    if (running < limit) running++;
    else await new Promise<void>((start) => waiting.push(start)); // the finishing run hands its slot over
    try {
      return await exec(file, args, opts);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * `check DIR...` (issue 19): the tools' version probes (`actionlint -version`, `trivy --version`, `docker
 * info`, ...) asked once per process instead of once per repository. Their answer does not depend on the
 * repository, and a probe of a missing tool still costs a process start, which was most of the time
 * per repository when no tool is installed.
 */
export function rememberProbes(exec: Deps["exec"]): Deps["exec"] {
  const answers = new Map<string, ReturnType<Deps["exec"]>>();
  const isProbe = (file: string, args: string[]) => (args.length === 1 && /^--?version$/.test(args[0] ?? "")) || (file === "docker" && args[0] === "info");
  return (file, args, opts) => {
    if (!isProbe(file, args)) return exec(file, args, opts);
    const key = JSON.stringify([file, ...args]);
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = exec(file, args, opts)));
    return answer;
  };
}
