// The path the brief names: the panic collector lives in ./panic/.
export * from "./panic/index.js";
