// Build once, distribute: the engine asks this service to put an artifact on a host.
export type { ArtifactService } from "./api.js";
export { BuildOnceService, type BuildOnceOptions } from "./build-once.js";
export { artifactCacheDir, ArtifactCache, type ArtifactMeta, type CacheEntry } from "./cache.js";
export { ArtifactError } from "./errors.js";
