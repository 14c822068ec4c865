// Copies non-TS runtime assets (lab node tools) next to the compiled JS.
import { cpSync, existsSync } from "node:fs";
const pairs = [["src/lab/tools", "dist/lab/tools"], ["src/lab/personalities", "dist/lab/personalities"]];
for (const [from, to] of pairs) if (existsSync(from)) cpSync(from, to, { recursive: true });
// the Debian package list of the lab (src/lab/provision.ts reads it next to the compiled code)
cpSync("src/lab/debian-packages.txt", "dist/lab/debian-packages.txt");
