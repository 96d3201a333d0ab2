/**
 * PostgreSQL's float output (extra_float_digits > 0, the default since PG 12): the shortest
 * digits that round-trip, in fixed notation when the decimal exponent is in [-4, P) and in
 * exponential notation with at least two exponent digits otherwise (P = 15 for float8, 6 for float4).
 */

/** Shortest mantissa digits and decimal exponent of `v` (finite, non-zero). */
function shortest(v: number, float4: boolean): { digits: string; exp: number; negative: boolean } {
  let s: string;
  if (float4) {
    const target = Math.fround(v);
    s = target.toExponential(8);
    for (let p = 0; p <= 8; p++) {
      const c = target.toExponential(p);
      if (Math.fround(Number(c)) === target) {
        s = c;
        break;
      }
    }
  } else {
    // toExponential() without an argument yields the shortest round-trip digits.
    s = v.toExponential();
  }
  const negative = s.charCodeAt(0) === 45;
  if (negative) s = s.slice(1);
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return { digits, exp: Number(s.slice(e + 1)), negative };
}

/** Format a float8 (or float4 when `float4`) the way PostgreSQL prints it. */
export function formatFloat(v: number, float4 = false): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { digits, exp, negative } = shortest(v, float4);
  const sign = negative ? '-' : '';
  const limit = float4 ? 6 : 15;
  if (exp < -4 || exp >= limit) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
