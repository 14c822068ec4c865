#!/usr/bin/env node
// Re-renders results.md, the CSVs and the charts from bench/results/results.json (no lab, no runs):
// `node bench/render.mjs [bench/results]` after a change to the report format.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { writeOutputs } from "./run.mjs";

const dir = resolve(process.argv[2] ?? "bench/results");
const { meta, runs, applyRows, latencyRows } = JSON.parse(readFileSync(`${dir}/results.json`, "utf8"));
writeOutputs(dir, runs, applyRows, meta, latencyRows ?? []);
console.error(`re-rendered ${dir}`);
