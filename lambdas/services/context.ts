import { InspectionStore } from "../data/store";
import { documentClient, tableName } from "../shared/aws";

/** The store every handler uses, created once per process. */
export const store = new InspectionStore(documentClient, tableName);
