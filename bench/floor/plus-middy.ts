import middy from "@middy/core";

export { documentClient } from "./document-client";
/** Floor + a middy handler. */
export const handler = middy().handler(async () => ({ statusCode: 200 }));
