// Plan file on disk: temp file in the same directory, fsync, rename; a reader never sees half a plan.
import { access, constants, open, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import type { PlanDoc } from "./format.js";

/** Fail before connecting when the plan could not be written afterwards. */
export async function assertWritable(file: string, cwd: string): Promise<void> {
  const dir = dirname(resolve(cwd, file));
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new InputError([{ file, message: `cannot write the plan here: directory ${dir} does not exist or is not writable` }]);
  }
}

export async function writePlanFile(file: string, doc: PlanDoc, cwd: string): Promise<void> {
  const target = resolve(cwd, file);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(tmp, "wx", 0o644);
  try {
    await fh.writeFile(JSON.stringify(doc, null, 2) + "\n");
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, target);
}
