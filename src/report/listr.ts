// listr2 as a subscriber: one task per host, driven only by engine events.
import { Listr, type ListrTaskWrapper } from "listr2";
import type { RunEvent } from "../model/events.js";

interface HostTask {
  task?: ListrTaskWrapper<unknown, never, never>;
  done: (err?: Error) => void;
  finished: Promise<void>;
}

export class ListrReporter {
  private readonly hosts = new Map<string, HostTask>();
  private running?: Promise<unknown>;

  handle = (e: RunEvent): void => {
    if (e.type === "run_start") return this.start(e.hosts);
    const h = "host" in e && e.host ? this.hosts.get(e.host) : undefined;
    if (!h) return;
    if (e.type === "step_start" && h.task) h.task.output = `${e.name}…`;
    if (e.type === "reboot" && h.task) h.task.output = `reboot: ${e.state}${e.detail ? ` (${e.detail})` : ""}`;
    if (e.type === "step_end" && h.task) h.task.output = `${e.name}: ${e.status.replace("_", " ")}${e.message ? ` (${e.message})` : ""}`;
    if (e.type === "host_end") {
      if (h.task) h.task.title = `${e.host}: ${e.status.replace("_", " ")}${e.message ? ` — ${e.message}` : ""}`;
      h.done(e.status === "failed" || e.status === "unreachable" || e.status === "would_fail" ? new Error(`${e.host}: ${e.message ?? e.status}`) : undefined);
    }
  };

  private start(hosts: string[]): void {
    const tasks = hosts.map((host) => {
      let done!: (err?: Error) => void;
      const finished = new Promise<void>((resolve, reject) => (done = (err) => (err ? reject(err) : resolve())));
      finished.catch(() => undefined);
      const entry: HostTask = { done, finished };
      this.hosts.set(host, entry);
      return {
        title: host,
        task: async (_ctx: unknown, task: ListrTaskWrapper<unknown, never, never>) => {
          entry.task = task;
          await finished;
        },
      };
    });
    this.running = new Listr(tasks as never, { concurrent: true, exitOnError: false, collectErrors: false, rendererOptions: { collapseErrors: false } as never })
      .run()
      .catch(() => undefined);
  }

  /** wait until the renderer has drawn its final frame */
  async close(): Promise<void> {
    for (const h of this.hosts.values()) h.done();
    await this.running;
  }
}
