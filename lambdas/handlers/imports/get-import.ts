import type * as z from "zod/mini";
import { httpRoute, json, type RouteRequest } from "../../api/http";
import * as schemas from "../../api/schemas";
import { CREDENTIALS_URL_SECONDS } from "../../domain/imports";
import { importStore, journal } from "../../services/context";
import { importView, visibleImport } from "../../services/imports";
import { presignDownload } from "../../shared/object-urls";

type Params = z.infer<typeof schemas.importParams>;

/**
 * An import's state and progress, every error of an invalid one, and — for the person who started
 * it, while the workbook is kept (3 days) — a download URL of at most 5 minutes for the workbook of
 * the temporary passwords of the accounts it created. Each URL handed out is audited.
 */
async function getImport({ caller, params, now }: RouteRequest<undefined, undefined, Params>) {
  const { record, errors, isImporter } = visibleImport(caller, await importStore.getImport(params.importId));
  const view = importView(record, errors);
  const credentials = record.credentials;
  if (!isImporter || record.status !== "done" || !credentials || now >= new Date(credentials.expiresAt))
    return json(200, view);
  const credentialsUrl = await presignDownload(credentials.key, CREDENTIALS_URL_SECONDS);
  await journal.appendAudit([
    {
      entityId: record.importId,
      actor: caller.sub,
      action: "import_credentials_url_issued",
      at: now.toISOString(),
      detail: { accounts: credentials.count },
    },
  ]);
  return json(200, {
    ...view,
    credentialsUrl,
    credentialsUrlExpiresAt: new Date(now.getTime() + CREDENTIALS_URL_SECONDS * 1000).toISOString(),
    credentialsExpiresAt: credentials.expiresAt,
  });
}

export const handler = httpRoute({ params: schemas.importParams }, getImport);
