/** Number formatting of the report tables ('–' for a figure that was not measured). */
const missing = (v: number | undefined): v is undefined => v === undefined || Number.isNaN(v);

export const n = (v: number | undefined, digits = 2): string => (missing(v) ? '–' : v.toFixed(digits));
export const signed = (v: number | undefined, digits = 2): string => (missing(v) ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);
export const int = (v: number | undefined): string => (missing(v) ? '–' : Math.round(v).toLocaleString('en-US'));
