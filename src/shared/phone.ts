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
