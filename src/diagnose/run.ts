// Act: run the collection script on each host (one exec), parse, decide. Transport failures become "unreachable".
import type { Transport } from "../transport/transport.js";
import { TransportError, errorMessage } from "../errors.js";
import { ExitCode } from "../exit-code.js";
import { pool } from "../engine/runner.js";
import { collectScript } from "./script.js";
import { parseCollected } from "./parse.js";
import { findings, isClean, type Finding } from "./findings.js";

export type HostDiagnosis =
  | { host: string; status: "ok"; kernel: string; os: string; clean: boolean; findings: Finding[]; missingSections: string[] }
  | { host: string; status: "unreachable" | "failed"; error: string };

export interface DiagnoseOptions {
  hosts: string[];
  connect: (host: string, signal: AbortSignal) => Promise<Transport>;
  forks: number;
  signal: AbortSignal;
  timeoutMs?: number;
  /** called as each host finishes (progress) */
  onHost?: (d: HostDiagnosis) => void;
}

export async function diagnoseHost(host: string, t: Transport, timeoutMs: number, signal?: AbortSignal): Promise<HostDiagnosis> {
  const r = await t.exec(collectScript(), { timeoutMs, signal });
  if (r.timedOut) return { host, status: "failed", error: `collection script timed out after ${Math.round(timeoutMs / 1000)}s` };
  const obs = parseCollected(r.stdout);
  if (obs.missingSections.includes("end")) {
    const why = r.stderr.trim().split("\n").slice(-3).join(" / ") || `exit ${r.exitCode}`;
    return { host, status: "failed", error: `collection script stopped early (missing: ${obs.missingSections.join(", ")}): ${why}` };
  }
  const fs = findings(obs);
  return { host, status: "ok", kernel: obs.kernel, os: obs.os.prettyName || `${obs.os.id} ${obs.os.versionId}`.trim(), clean: isClean(fs), findings: fs, missingSections: obs.missingSections };
}

export async function diagnoseHosts(o: DiagnoseOptions): Promise<HostDiagnosis[]> {
  const results = new Map<string, HostDiagnosis>();
  await pool(o.hosts, o.forks, o.signal, async (host) => {
    let d: HostDiagnosis;
    try {
      const t = await o.connect(host, o.signal);
      d = await diagnoseHost(host, t, o.timeoutMs ?? 60_000, o.signal);
    } catch (e) {
      d = { host, status: e instanceof TransportError ? "unreachable" : "failed", error: errorMessage(e) };
    }
    results.set(host, d);
    o.onHost?.(d);
  });
  return o.hosts.filter((h) => results.has(h)).map((h) => results.get(h) as HostDiagnosis);
}

/** 1 a host failed, else 3 a host unreachable, else 2 findings, else 0 */
export function diagnoseExitCode(ds: readonly HostDiagnosis[]): ExitCode {
  if (ds.some((d) => d.status === "failed")) return ExitCode.Failed;
  if (ds.some((d) => d.status === "unreachable")) return ExitCode.Unreachable;
  if (ds.some((d) => d.status === "ok" && !d.clean)) return ExitCode.ChangesPending;
  return ExitCode.Ok;
}
