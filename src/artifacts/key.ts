// Pure: an ArtifactAction + the TARGET host's scope → the concrete build and the key hash that names it.
import { createHash } from "node:crypto";
import type { ArtifactAction } from "../model/playbook.js";
import { interpolate, type Scope } from "../playbook/index.js";
import { ArtifactError } from "./errors.js";

export interface ResolvedArtifact {
  name: string;
  /** interpolated key values */
  key: string[];
  /** interpolated build commands (shell-quoted values) */
  build: string[];
  /** builder as written after interpolation: "controller", "self", a host or a group pattern */
  builder: string;
  output: string;
  dest: string;
  mode?: number;
  owner?: string;
  timeoutSec: number;
  /** sha256 hex of (name, build, key): two hosts with the same hash share one build */
  hash: string;
}

export function artifactHash(name: string, build: readonly string[], key: readonly string[]): string {
  // JSON keeps the parts unambiguous ("a b" + "c" ≠ "a" + "b c")
  return createHash("sha256").update(JSON.stringify({ name, build, key })).digest("hex");
}

export function resolveArtifact(a: ArtifactAction, given: Scope): ResolvedArtifact {
  // values inline, secrets too: the build runs on the builder's own connection, and the build hash must
  // change with every value it depends on
  const scope: Scope = { ...given, secrets: undefined };
  const plain = (s: string) => interpolate(s, scope, "plain");
  const key = a.key.map(plain);
  const build = a.build.map((b) => interpolate(b, scope, "shell"));
  return {
    name: a.name,
    key,
    build,
    builder: plain(a.builder),
    output: plain(a.output),
    dest: plain(a.dest),
    mode: a.mode !== undefined ? parseMode(plain(a.mode), a.name) : undefined,
    owner: a.owner !== undefined ? plain(a.owner) : undefined,
    timeoutSec: a.timeoutSec,
    hash: artifactHash(a.name, build, key),
  };
}

function parseMode(mode: string, name: string): number {
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new ArtifactError(`artifact ${name}: mode ${JSON.stringify(mode)} is not an octal file mode like "0644"`);
  return Number.parseInt(mode, 8);
}
