// `node --import ./record-imports.mjs ...`: appends every module URL the process resolves to the file
// named by RECORD_IMPORTS (one per line). Used to check what a command loads at start-up.
import { register } from "node:module";

register(new URL("./record-imports-hooks.mjs", import.meta.url));
