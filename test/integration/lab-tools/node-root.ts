// Test helper: throwaway lab node roots (the runtime's buildBase/createNodeRoot with the tools from src),
// commands run inside them through chroot, and lab-boot as the supervisor runs it.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, expect } from "vitest";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBase, cloneNodeRootFrom, createNodeRoot, destroyNodeRoot, nodeEnv, type NodeOs, type NodeRootSpec } from "../../../src/lab/rootfs.js";
import { cachedTemplate, saveTemplate, templateKey } from "../../../src/lab/template-cache.js";

export const TOOLS_DIR = fileURLToPath(new URL("../../../src/lab/tools", import.meta.url));
const PARENT = "/var/lib/remedy-lab-tools-test";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestNode {
  name: string;
  os: NodeOs;
  root: string;
  /** `chroot <root> /bin/bash -c cmd` with the node environment. */
  run(cmd: string, env?: Record<string, string>): Promise<RunResult>;
  /** What the supervisor does on a reboot: `chroot <root> /opt/lab/base/tools/lab-boot`. */
  boot(env?: Record<string, string>): Promise<RunResult>;
}

export function chrootRun(root: string, cmd: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile("chroot", [root, "/bin/bash", "-c", cmd], { env: nodeEnv(env), encoding: "utf8", timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A private lab dir with one base; nodes are created on demand and all removed by close(). A node without
 * variants is a copy of a pristine template of its OS: the machine's cached one, else booted here by lab-init and
 * cached (as `lab up` does).
 */
export class NodeFactory {
  readonly labDir = join(PARENT, `t${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  private names: string[] = [];
  private counter = 0;
  private templates = new Map<NodeOs, Promise<{ spec: NodeRootSpec; root: string }>>();

  private readonly base: string;

  constructor() {
    mkdirSync(PARENT, { recursive: true, mode: 0o755 });
    this.base = buildBase(this.labDir, TOOLS_DIR);
  }

  /** A fresh node; `variants` (`key=value`, src/lab/variants.ts) are in place before lab-init runs. */
  async node(os: NodeOs, variants: string[] = []): Promise<TestNode> {
    const i = ++this.counter;
    const name = `${os}n${i}`;
    const ip = `10.0.${i % 250}.${os === "el7" ? 7 : 9}`;
    const spec = { name, os, ip, variants };
    const { root } = variants.length > 0 ? await createNodeRoot(this.labDir, spec) : cloneNodeRootFrom(this.labDir, await this.template(os), spec);
    this.names.push(name);
    return {
      name,
      os,
      root,
      run: (cmd, env) => chrootRun(root, cmd, env),
      boot: (env) => chrootRun(root, "/opt/lab/base/tools/lab-boot", env),
    };
  }

  /** The machine's cached template of the OS (src/lab/template-cache.ts, as `lab up` uses), else one booted here. */
  private template(os: NodeOs): Promise<{ spec: NodeRootSpec; root: string }> {
    let t = this.templates.get(os);
    if (!t) {
      const key = templateKey(this.base, os);
      const cached = cachedTemplate(os, key);
      if (cached) t = Promise.resolve({ spec: { ...cached.spec, os }, root: cached.root });
      else {
        const spec: NodeRootSpec = { name: `${os}tpl`, os, ip: `10.0.253.${os === "el7" ? 7 : 9}` };
        this.names.push(spec.name);
        t = createNodeRoot(this.labDir, spec).then(({ root }) => {
          saveTemplate(os, key, root, spec);
          return { spec, root };
        });
      }
      this.templates.set(os, t);
    }
    return t;
  }

  async close(): Promise<void> {
    for (const n of this.names) await destroyNodeRoot(this.labDir, n);
    rmSync(this.labDir, { recursive: true, force: true });
  }
}

/** One NodeFactory for the test file (made before its tests, closed after them); call at the top level. */
export function useNodeFactory(): () => NodeFactory {
  let factory: NodeFactory | undefined;
  beforeAll(() => {
    factory = new NodeFactory();
  });
  afterAll(async () => {
    await factory?.close();
  });
  return () => factory!;
}

/** Runs a command in the node and expects exit 0; its stdout. */
export async function ok(node: TestNode, cmd: string): Promise<string> {
  const r = await node.run(cmd);
  expect(r.code, `${cmd}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}
