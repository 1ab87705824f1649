export * from "./engine.js";
import type { Engine } from "./engine.js";

export declare const version: Engine["version"];
export declare const check: Engine["check"];
export declare const explain: Engine["explain"];
export declare const test: Engine["test"];
export declare const diff: Engine["diff"];
export declare const format: Engine["format"];
