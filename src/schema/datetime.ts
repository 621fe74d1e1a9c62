/**
 * XML Schema dateTime (RFC 7643 §2.3.5): `YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]`. Compiled once:
 * the evaluator calls it for every stored dateTime it compares.
 */
const XSD_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

const NON_ZERO_DIGIT = /[1-9]/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The instant an xsd:dateTime names, in milliseconds since the epoch, or undefined when `text` is
 * not one. Without a time zone the value is taken as UTC; digits of the fraction beyond
 * milliseconds are ignored (docs/filtering.md). Dates are computed arithmetically rather than
 * through `Date`, which maps years 0–99 to the 1900s and accepts out-of-range fields.
 */
export function parseDateTime(text: string): number | undefined {
  const m = XSD_DATE_TIME.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const fraction = m[7] ?? '';
  const zone = m[8] ?? 'Z';
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  if (minute > 59 || second > 59) return undefined;
  // 24:00:00 is the end of the day, allowed by XML Schema.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || NON_ZERO_DIGIT.test(fraction)))) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zm > 59 || zh > 14 || (zh === 14 && zm !== 0)) return undefined;
    offsetMinutes = (zone.charCodeAt(0) === 0x2d ? -1 : 1) * (zh * 60 + zm);
  }
  const millis = fraction === '' ? 0 : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0'));
  const minutes = (daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes;
  return minutes * 60_000 + second * 1000 + millis;
}
