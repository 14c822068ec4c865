// Build once, distribute: what the engine asks of an artifact service (implemented by build-once.ts).
import type { ArtifactAction } from "../model/playbook.js";
import type { HostContext } from "../engine/context.js";
import type { Scope } from "../playbook/index.js";
import type { Transport } from "../transport/transport.js";

export interface ArtifactService {
  /** dry run: what would happen for this host (build on builder / from cache), without building */
  preview(ctx: HostContext, action: ArtifactAction, scope: Scope): Promise<{ key: string; source: "would_build" | "would_use_cache"; builder: string }>;
  /** build (once per key, shared across hosts) or take from cache, then upload to `transport` at action.dest */
  deliver(ctx: HostContext, action: ArtifactAction, scope: Scope, transport: Transport): Promise<{ key: string; sha256: string; source: "build" | "cache" }>;
}

