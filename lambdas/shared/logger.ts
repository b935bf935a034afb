import { Logger } from "@aws-lambda-powertools/logger";

/** One structured logger per process; log lines stay English and never carry personal data. */
export const logger = new Logger({ serviceName: "spot-inspections" });
