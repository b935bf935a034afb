/**
 * The API's bound on a working-day count (整改时限, 1..60 工作日). Apart from the calendar so that
 * the request schemas, which every handler imports, need not load the holiday data.
 */
export const MAX_WORKDAYS = 60;
