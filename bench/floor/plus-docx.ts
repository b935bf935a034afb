import { Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";

export { documentClient } from "./document-client";

/**
 * Library floor of the Word bulletin (spot-checks/get-bulletin-docx): the floor + `docx`, the
 * library alone — a paragraph and a one-cell table packed into a .docx. Nothing of it runs at import
 * (the route builds its document per request too); `render` keeps the library's code in the bundle.
 */
export async function render(): Promise<Uint8Array> {
  const cell = new TableCell({ children: [new Paragraph({ children: [new TextRun("一")] })] });
  const file = new Document({
    sections: [
      {
        children: [
          new Paragraph({ children: [new TextRun({ text: "督查通报", bold: true })] }),
          new Table({ rows: [new TableRow({ children: [cell] })] }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(file));
}
