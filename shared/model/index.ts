export * from "./guid";
export * from "./values";
export * from "./json-node";
export * from "./collections";
export * from "./entity";
export * from "./query";
export * from "./context";
