/**
 * The execution-context model: what flows through the pipeline and out to listeners.
 *
 *   const target = entity("account", id, { name: "Contoso", revenue: money("10.50"), statecode: optionSetValue(0) });
 *   const context = createContext({ messageName: "Update", primaryEntityName: "account", primaryEntityId: id,
 *     stage: Stage.PostOperation, inputParameters: { Target: target }, postEntityImages: { PostImage: target } });
 *
 * Values keep what the wire needs: decimals their literal (`decimal("1.0000000000")`), dates their offset
 * kind (`dateTime(date, "+0200")`), GUIDs lower-cased. Serialization lives in `shared/serialization`.
 */
export * from "./guid";
export * from "./values";
export * from "./json-node";
export * from "./collections";
export * from "./entity";
export * from "./query";
export * from "./context";
export * from "./post-id";
export * from "./value-check";
