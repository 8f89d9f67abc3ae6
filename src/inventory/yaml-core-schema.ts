/**
 * How YAML 1.2's core schema (the yaml package's default) resolves a plain scalar that is not a
 * string: null, a boolean, an integer or a float in any of its notations. The one statement of
 * it that both fast paths use: the reader (yaml-fast-path.ts), to know when a plain word is a
 * string, and the plan writer (plan-yaml-fast-path.ts), to know when a string needs no quotes.
 */

/** `~`, `null` in three spellings, and the empty plain scalar. */
export const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
export const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
/** Decimal with an optional sign, octal (`0o`) and hexadecimal (`0x`). */
export const CORE_INT = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
/** Fractions, exponents, and the infinities and not-a-number. */
export const CORE_FLOAT =
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$|^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** Whether the core schema reads the plain scalar `text` as something other than a string. */
export function resolvesToNonString(text: string): boolean {
  return CORE_NULL.test(text) || CORE_BOOL.test(text) || CORE_INT.test(text) || CORE_FLOAT.test(text);
}
