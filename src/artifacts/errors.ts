// Artifact failures: a build that failed, a cache that cannot be written, a checksum that does not match.
import { ExitCode } from "../exit-code.js";
import { RemedyError } from "../errors.js";

/** Fails the host that needed the artifact (exit 1); the message names the builder/host, the command or path, and why. */
export class ArtifactError extends RemedyError {
  override readonly exitCode = ExitCode.Failed;
}
