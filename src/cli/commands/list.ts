// --list-hosts / --list-tasks: what a run would work on, from the loaded inputs only (no connection).
import type { Io } from "../io.js";
import type { Loaded } from "./loaded.js";
import { ExitCode } from "../exit-codes.js";

export function listRun(loaded: Loaded, flags: { listHosts?: boolean; listTasks?: boolean; limit?: string; tags?: string[]; skipTags?: string }, io: Io): number {
  const { playbook, hosts } = loaded;
  const out: string[] = [`playbook: ${playbook.file} (${playbook.name})`];
  if (flags.listHosts) {
    out.push(`  pattern: ${playbook.hosts}${flags.limit ? `  limit: ${flags.limit}` : ""}`);
    out.push(`  hosts (${hosts.length}):`, ...hosts.map((h) => `    ${h}`));
  }
  if (flags.listTasks) {
    const steps = playbook.steps.filter((s) => !flags.tags?.length || s.tags.some((t) => flags.tags!.includes(t)));
    out.push(`  steps (${steps.length}):`);
    const w = Math.max(0, ...steps.map((s) => s.name.length));
    for (const s of steps) {
      const tags = `TAGS: [${s.tags.join(", ")}]`;
      out.push(`    ${s.name.padEnd(w)}  ${tags}${s.when ? `  WHEN: ${s.when.source}` : ""}`);
    }
  }
  io.out(out.join("\n") + "\n");
  return ExitCode.Ok;
}
