// `kubectl annotate node` for a panicked node (seed 004: record why the node vanished on the node object).
import { shellJoin } from "../../transport/quote.js";

export const PANIC_ANNOTATION = "remedy.io/kernel-panic";
/** characters of the reason kept in the annotation */
export const MAX_ANNOTATION_CHARS = 256;
/** Kubernetes node names are DNS-1123 subdomains; this also keeps a name from being read as a kubectl flag */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The command line, every value shell-quoted; undefined when `node` cannot be a Kubernetes node name. */
export function annotateCommand(node: string, reason: string): string | undefined {
  if (!NODE_NAME.test(node)) return undefined;
  const value = Array.from(reason).slice(0, MAX_ANNOTATION_CHARS).join(""); // code points: never half a character
  return shellJoin(["kubectl", "annotate", "node", node, `${PANIC_ANNOTATION}=${value}`, "--overwrite"]);
}
