const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` has no unpaired surrogate (UTF-8, and so PostgreSQL, can hold it as it is). */
export function isWellFormed(text: string): boolean {
  return !UNPAIRED_SURROGATE.test(text);
}
