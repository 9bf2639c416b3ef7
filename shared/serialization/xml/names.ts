import { CONTRACTS_NS } from "../contracts";

/** Prefixes the writer declares once on the root element (DataContractSerializer conventions, §A.6). */
export const XML_NAMESPACES = {
  "": CONTRACTS_NS,
  i: "http://www.w3.org/2001/XMLSchema-instance",
  b: "http://schemas.datacontract.org/2004/07/System.Collections.Generic",
  c: "http://www.w3.org/2001/XMLSchema",
  d: "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
  e: "http://schemas.microsoft.com/2003/10/Serialization/",
} as const;

/** Element of a related-entities pair, as DataContractSerializer names KeyValuePair<Relationship, EntityCollection>. */
export const RELATED_ENTITIES_ITEM = "KeyValuePairOfRelationshipEntityCollectionX_PsK4FkN";
