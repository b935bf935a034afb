import { app, ErrorBox, saveBlob, useAction } from "../ui";

/**
 * 导出证据包: the assignment's evidence pack (a zip of the assignment, its orders, the photos, the audit
 * chains and the draw proof), for organizers, admins and officials; `npm run verify-pack` checks it
 * offline (docs/documents.md). Usually larger than a response: the server answers with a short-lived
 * download URL, which the browser follows.
 */
export function EvidencePackButton({ id }: { id: string }) {
  const pack = useAction(async () => {
    const { blob, fileName } = await app.api.blob("evidencePack", { params: { id } });
    saveBlob(blob, fileName ?? `证据包-${id}.zip`);
  });
  return (
    <div class="evidence-pack">
      <button type="button" onClick={() => void pack.go()} disabled={pack.busy}>
        {pack.busy ? "正在打包…" : "导出证据包"}
      </button>
      <ErrorBox error={pack.error} />
    </div>
  );
}
