import { SFNClient } from "@aws-sdk/client-sfn";

export { documentClient } from "./document-client";
/** Floor + the Step Functions client (the handlers that resume or start workflows). */
export const sfnClient = new SFNClient({});
