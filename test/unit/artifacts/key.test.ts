import { describe, expect, it } from "vitest";
import { artifactHash, resolveArtifact } from "../../../src/artifacts/key.js";
import { resolveBuilder } from "../../../src/artifacts/builder.js";
import { ArtifactError } from "../../../src/artifacts/errors.js";
import type { ArtifactAction } from "../../../src/model/playbook.js";
import { scopeFor } from "./shell-host.js";

const kpatch: ArtifactAction = {
  kind: "artifact",
  name: "livepatch-route.ko",
  key: ["{{ facts.kernel }}", "{{ facts.arch }}"],
  builder: "kube_control_plane",
  build: ["kpatch-build -a {{ facts.kernel }} -t vmlinux {{ patch }}"],
  output: "livepatch-route.ko",
  dest: "/var/lib/kpatch/{{ facts.kernel }}/livepatch-route.ko",
  mode: "0600",
  timeoutSec: 60,
};
const groups = { all: ["cp1", "n1", "n2"], kube_control_plane: ["cp1"], kube_node: ["n1", "n2"] };

describe("artifact key", () => {
  it("interpolates key, build and dest with the target's scope", () => {
    const r = resolveArtifact(kpatch, scopeFor("n1", "3.10.0-957.el7.x86_64", groups, { patch: "my route.patch" }));
    expect(r.key).toEqual(["3.10.0-957.el7.x86_64", "x86_64"]);
    expect(r.build).toEqual(["kpatch-build -a 3.10.0-957.el7.x86_64 -t vmlinux 'my route.patch'"]);
    expect(r.dest).toBe("/var/lib/kpatch/3.10.0-957.el7.x86_64/livepatch-route.ko");
    expect(r.mode).toBe(0o600);
    expect(r.builder).toBe("kube_control_plane");
  });

  it("hosts with the same kernel share a key, another kernel does not", () => {
    const v = { patch: "route.patch" };
    const a = resolveArtifact(kpatch, scopeFor("n1", "3.10.0-957.el7.x86_64", groups, v));
    const b = resolveArtifact(kpatch, scopeFor("n2", "3.10.0-957.el7.x86_64", groups, v));
    const c = resolveArtifact(kpatch, scopeFor("n2", "3.10.0-1160.el7.x86_64", groups, v));
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the hash covers name, build commands and key values, without ambiguity", () => {
    const base = artifactHash("runc", ["make"], ["v1.1.1", "seccomp"]);
    expect(artifactHash("runc", ["make"], ["v1.1.1", "seccomp"])).toBe(base);
    expect(artifactHash("runc2", ["make"], ["v1.1.1", "seccomp"])).not.toBe(base);
    expect(artifactHash("runc", ["make BUILDTAGS=nokmem"], ["v1.1.1", "seccomp"])).not.toBe(base);
    expect(artifactHash("runc", ["make"], ["v1.1.1 seccomp"])).not.toBe(base);
    expect(artifactHash("runc", ["make"], ["v1.1.1", "seccomp", ""])).not.toBe(base);
  });

  it("rejects a mode that is not octal", () => {
    expect(() => resolveArtifact({ ...kpatch, mode: "rwx" }, scopeFor("n1", "k", groups, { patch: "p" }))).toThrow(/mode "rwx" is not an octal file mode/);
  });
});

describe("builder resolution", () => {
  it("self, controller, a host, a group's first host", () => {
    expect(resolveBuilder("self", "n2", "x", groups)).toBe("n2");
    expect(resolveBuilder("controller", "n2", "x", groups)).toBe("localhost");
    expect(resolveBuilder("localhost", "n2", "x", groups)).toBe("localhost");
    expect(resolveBuilder("n1", "n2", "x", groups)).toBe("n1");
    expect(resolveBuilder("kube_node", "n2", "x", groups)).toBe("n1");
  });

  it("uses the inventory pattern resolver when given", () => {
    expect(resolveBuilder("kube_node:!n1", "n1", "x", groups, () => ["n2"])).toBe("n2");
  });

  it("names the artifact and the builder when nothing matches", () => {
    expect(() => resolveBuilder("builders", "n1", "runc", groups)).toThrow(ArtifactError);
    expect(() => resolveBuilder("builders", "n1", "runc", groups)).toThrow(/artifact runc: builder "builders" matches no inventory host/);
    const throwing = () => {
      throw new Error("pattern 'nope' matches no host");
    };
    expect(() => resolveBuilder("nope", "n1", "runc", groups, throwing)).toThrow(/artifact runc: builder "nope" pattern 'nope' matches no host/);
  });
});
