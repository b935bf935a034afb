import { SFNClient } from "@aws-sdk/client-sfn";
import { optionalEnv } from "./config";
import { traced } from "./tracer";

/**
 * The Step Functions client, created once per process, in its own module so that only the handlers
 * that start or resume the workflow (through `services/workflow.ts`) bundle and load the SDK client.
 * `SFN_ENDPOINT` is set only by the local runtime; in Lambda the SDK uses the regional endpoint.
 */
export const sfnClient = traced(new SFNClient({ endpoint: optionalEnv("SFN_ENDPOINT"), maxAttempts: 4 }));
