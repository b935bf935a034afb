/**
 * Text in a spreadsheet or CSV export that a spreadsheet program would run as a formula (CSV / formula
 * injection, OWASP): a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return. Every export —
 * the workbooks the API serves, the CSV the console makes — writes such text with a leading `'`, so it
 * stays text. Pure and free of Node-only imports: the web console imports this module as it is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Whether a spreadsheet could read this text as a formula. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text);
}

/** The text as a cell shows it safely: with a leading `'` when it looks like a formula, else unchanged. */
export function neutralizeFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}

/** A cell's value made safe: text neutralised, numbers and empty cells as they are. */
export function safeCell<T>(value: T): T | string {
  return typeof value === "string" ? neutralizeFormula(value) : value;
}
