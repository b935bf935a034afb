import { Logger } from "@aws-lambda-powertools/logger";

export { documentClient } from "./document-client";
/** Floor + the Powertools logger. */
export const logger = new Logger({ serviceName: "spot-inspections" });
