// Phone numbers as texts need them. The restaurant is in the US (addresses are geocoded in the US too), so a
// number written without a country code is a North American one.

/** E.164 (+12125550123): `+`-prefixed numbers keep their digits, 10 digits get +1; null when it cannot be one. */
export function toE164(phone: string): string | null {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : null;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return null;
}

/** The last four digits, as a caller hears them ("the number ending in 4567"). */
export function lastFourDigits(phone: string): string {
  return phone.replace(/\D/g, '').slice(-4);
}

/** The ten digits of a North American number however it is written, or all its digits otherwise. */
function significantDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

/** True when two texts are the same phone number ("+1 555-123-4567" and "(555) 123 4567"). */
export function samePhoneNumber(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const digits = significantDigits(a);
  return digits.length >= 7 && digits === significantDigits(b);
}

/** The ways one number is commonly stored, for an exact (indexed) lookup: E.164, digits, 555-123-4567. */
export function phoneSpellings(phone: string): string[] {
  const digits = significantDigits(phone);
  const spellings = new Set([phone.trim(), digits]);
  if (digits.length === 10) {
    const [area, exchange, line] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
    for (const spelling of [
      `+1${digits}`,
      `1${digits}`,
      `${area}-${exchange}-${line}`,
      `(${area}) ${exchange}-${line}`,
      `${area}.${exchange}.${line}`,
      `${area} ${exchange} ${line}`,
      `+1 ${area}-${exchange}-${line}`,
      `+1 (${area}) ${exchange}-${line}`,
    ])
      spellings.add(spelling);
  }
  return [...spellings].filter((s) => s !== '');
}
