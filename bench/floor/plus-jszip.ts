import JSZip from "jszip";

export { documentClient } from "./document-client";

/**
 * Library floor of the evidence pack (assignments/get-evidence-pack): the floor + `jszip`, the
 * library alone — one deflated file in a zip. Nothing of it runs at import, as in the route.
 */
export async function render(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file("清单.json", "{}\n", { compression: "DEFLATE" });
  return zip.generateAsync({ type: "uint8array" });
}
