// Who runs remedy: user@host of the controller, plus the CI job when run in a pipeline.
import { hostname, userInfo } from "node:os";
import { readFileSync } from "node:fs";
import type { PlanCreator } from "./format.js";

export function controllerIdentity(env: NodeJS.ProcessEnv): PlanCreator {
  let user = env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  const ci = {
    user: env.GITLAB_USER_LOGIN ?? env.BUILD_USER_ID ?? env.GITHUB_ACTOR,
    job: env.CI_JOB_URL ?? env.BUILD_URL ?? (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined),
    pipeline: env.CI_PIPELINE_URL ?? env.JOB_NAME,
  };
  const clean = Object.fromEntries(Object.entries(ci).filter(([, v]) => v)) as PlanCreator["ci"];
  return { who: `${user}@${hostname()}`, ...(clean && Object.keys(clean).length ? { ci: clean } : {}) };
}

let version: string | undefined;
/** package.json is two levels up from both src/plan/ and dist/plan/. */
export function remedyVersion(): string {
  if (!version) {
    try {
      version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      version = "unknown";
    }
  }
  return version;
}
