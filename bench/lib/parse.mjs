// Pure parsers: a tool's machine-readable output -> per host, the 8 probe results in PROBES order.
import { PROBES } from "./probes.mjs";

/**
 * remedy `--json`: JSON-lines events. A probe's answer is its check-phase `command` record; its
 * verdict is the step's `step_end` status ("ok" = the check ran and the compliant match held).
 * @returns {{ hosts: Map<string, Array<{name,ok,exit,stdout}|undefined>>, hostStatus: Map<string,string>, exitCode?: number, errors: string[] }}
 */
export function parseRemedyEvents(text) {
  const hosts = new Map();
  const hostStatus = new Map();
  const errors = [];
  const stepNames = new Map(); // host \0 step id -> name
  const records = new Map(); // host \0 step id -> record
  let exitCode;
  const slot = (host) => {
    if (!hosts.has(host)) hosts.set(host, PROBES.map(() => undefined));
    return hosts.get(host);
  };
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      errors.push(`unparsable event: ${line.slice(0, 120)}`);
      continue;
    }
    if (e.type === "step_start") stepNames.set(`${e.host}\0${e.step}`, e.name);
    else if (e.type === "command" && e.phase === "check") records.set(`${e.host}\0${e.step}`, e.record);
    else if (e.type === "step_end") {
      const i = PROBES.findIndex((p) => p.name === e.name);
      if (i < 0) continue;
      const r = records.get(`${e.host}\0${e.step}`);
      slot(e.host)[i] = { name: e.name, ok: e.status === "ok", exit: r?.exitCode ?? null, stdout: r?.stdout ?? "", status: e.status, message: e.message };
    } else if (e.type === "host_end") {
      slot(e.host);
      hostStatus.set(e.host, e.status);
    } else if (e.type === "run_end") exitCode = e.exitCode;
  }
  return { hosts, hostStatus, exitCode, errors };
}

/**
 * ansible-playbook with ANSIBLE_STDOUT_CALLBACK=json: one JSON document (plays -> tasks -> hosts).
 * A probe is ok when the task neither failed nor was unreachable (failed_when accepts rc 0/1 where needed).
 */
export function parseAnsibleJson(text) {
  const hosts = new Map();
  const hostStatus = new Map();
  const errors = [];
  const start = text.indexOf("{");
  let doc;
  try {
    doc = JSON.parse(start >= 0 ? text.slice(start) : text);
  } catch (e) {
    return { hosts, hostStatus, errors: [`ansible output is not JSON: ${String(e.message).slice(0, 200)}`] };
  }
  for (const play of doc.plays ?? []) {
    for (const task of play.tasks ?? []) {
      const i = PROBES.findIndex((p) => p.name === task.task?.name);
      if (i < 0) continue;
      for (const [host, r] of Object.entries(task.hosts ?? {})) {
        if (!hosts.has(host)) hosts.set(host, PROBES.map(() => undefined));
        hosts.get(host)[i] = {
          name: task.task.name,
          ok: !r.failed && !r.unreachable,
          exit: typeof r.rc === "number" ? r.rc : null,
          stdout: r.stdout ?? "",
          message: r.msg,
        };
      }
    }
  }
  for (const [host, s] of Object.entries(doc.stats ?? {})) {
    if (!hosts.has(host)) hosts.set(host, PROBES.map(() => undefined));
    hostStatus.set(host, s.unreachable ? "unreachable" : s.failures ? "failed" : "ok");
  }
  return { hosts, hostStatus, errors };
}

/**
 * bench/floor.mjs: one JSON line per host, `{ host, probes: [{name, ok, exit, stdout}|null] }` or `{ host, error }`.
 */
export function parseFloorLines(text) {
  const hosts = new Map();
  const hostStatus = new Map();
  const errors = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      errors.push(`unparsable floor line: ${line.slice(0, 120)}`);
      continue;
    }
    if (r.error) {
      hostStatus.set(r.host, "unreachable");
      hosts.set(r.host, PROBES.map(() => undefined));
      continue;
    }
    hostStatus.set(r.host, "ok");
    hosts.set(r.host, PROBES.map((_, i) => r.probes?.[i] ?? undefined));
  }
  return { hosts, hostStatus, errors };
}
