import * as z from "zod/mini";

export { documentClient } from "./document-client";
/** Floor + zod/mini with one schema. */
export const schema = z.object({ id: z.string().check(z.minLength(1)), n: z.optional(z.number()) });
