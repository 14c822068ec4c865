// Module resolve hook (runs on the loader thread): records each resolved URL.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, `${r.url}\n`);
  return r;
}
