import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateTime } from './datetime.ts';

/**
 * RFC 7643 §2.3.5: a dateTime is an XML Schema dateTime. The expected instants are JavaScript's
 * own reading of the same instant written in the ISO 8601 form it parses (four-digit years, `Z`).
 */
const utc = (iso: string) => Date.parse(iso);

/** Days of each month of a common year, January first. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

describe('RFC 7643 §2.3.5 dateTime (xsd:dateTime) to an instant', () => {
  it('YYYY-MM-DDThh:mm:ss, UTC without a zone, with Z, or with an offset (east ahead of UTC)', () => {
    assert.equal(parseDateTime('2026-03-01T10:20:30Z'), utc('2026-03-01T10:20:30.000Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30'), utc('2026-03-01T10:20:30.000Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30+01:00'), utc('2026-03-01T09:20:30.000Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30-05:30'), utc('2026-03-01T15:50:30.000Z'));
    assert.equal(parseDateTime('2026-03-01T00:00:00+14:00'), utc('2026-02-28T10:00:00.000Z'));
    assert.equal(parseDateTime('2026-03-01T00:00:00-14:00'), utc('2026-03-01T14:00:00.000Z'));
    assert.equal(parseDateTime('2026-03-01T00:00:00+13:59'), utc('2026-02-28T10:01:00.000Z'));
    assert.equal(parseDateTime('2026-03-01T00:00:00+00:59'), utc('2026-02-28T23:01:00.000Z'));
    assert.equal(parseDateTime('1970-01-01T00:00:00Z'), 0);
    assert.equal(parseDateTime('2000-12-31T23:59:59Z'), utc('2000-12-31T23:59:59.000Z'));
  });

  it('a fraction of any length, to the millisecond, the digits beyond dropped (not rounded)', () => {
    assert.equal(parseDateTime('2026-03-01T10:20:30.5Z'), utc('2026-03-01T10:20:30.500Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30.05Z'), utc('2026-03-01T10:20:30.050Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30.123Z'), utc('2026-03-01T10:20:30.123Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30.1239Z'), utc('2026-03-01T10:20:30.123Z'));
    assert.equal(parseDateTime('2026-03-01T10:20:30.999999999'), utc('2026-03-01T10:20:30.999Z'));
  });

  it('24:00:00 is the end of the day (the next midnight), with no more than zeros after it', () => {
    assert.equal(parseDateTime('2026-02-28T24:00:00Z'), utc('2026-03-01T00:00:00.000Z'));
    assert.equal(parseDateTime('2026-12-31T24:00:00.000Z'), utc('2027-01-01T00:00:00.000Z'));
    for (const text of ['2026-02-28T24:00:00.001Z', '2026-02-28T24:01:00Z', '2026-02-28T24:00:01Z', '2026-02-28T25:00:00Z']) {
      assert.equal(parseDateTime(text), undefined, text);
    }
  });

  it('every month has its days, February 29 in leap years only (every 4th, not every 100th, every 400th)', () => {
    for (const [index, days] of MONTH_DAYS.entries()) {
      const month = String(index + 1).padStart(2, '0');
      assert.equal(parseDateTime(`2023-${month}-${days}T12:00:00Z`), utc(`2023-${month}-${days}T12:00:00.000Z`), `2023-${month}-${days}`);
      assert.equal(parseDateTime(`2023-${month}-${days + 1}T12:00:00Z`), undefined, `2023-${month}-${days + 1}`);
      assert.equal(parseDateTime(`2023-${month}-01T00:00:00Z`), utc(`2023-${month}-01T00:00:00.000Z`));
    }
    assert.equal(parseDateTime('2024-02-29T00:00:00Z'), utc('2024-02-29T00:00:00.000Z'));
    assert.equal(parseDateTime('2000-02-29T00:00:00Z'), utc('2000-02-29T00:00:00.000Z'));
    assert.equal(parseDateTime('1900-02-29T00:00:00Z'), undefined);
    assert.equal(parseDateTime('2100-02-29T00:00:00Z'), undefined);
    assert.equal(parseDateTime('2024-02-30T00:00:00Z'), undefined);
    assert.equal(parseDateTime('2024-03-01T00:00:00Z'), utc('2024-03-01T00:00:00.000Z'));
    assert.equal((parseDateTime('2024-12-31T00:00:00Z') ?? 0) - utc('2024-01-01T00:00:00.000Z'), 365 * 86_400_000, 'a leap year');
  });

  it('any year from 0000 to 9999, proleptic Gregorian: years 0 to 99 are not the 1900s', () => {
    for (const iso of [
      '0000-01-01T00:00:00',
      '0000-02-29T12:00:00',
      '0000-03-01T00:00:00',
      '0001-01-01T00:00:00',
      '0050-06-15T08:30:00',
      '0099-12-31T23:59:59',
      '0399-03-01T00:00:00',
      '0400-02-29T00:00:00',
      '0401-02-28T00:00:00',
      '1600-03-01T00:00:00',
      '1969-12-31T23:59:59',
      '1999-02-28T00:00:00',
      '2026-01-31T00:00:00',
      '2026-02-01T00:00:00',
      '2026-10-15T00:00:00',
      '9999-12-31T23:59:59',
    ]) {
      assert.equal(parseDateTime(`${iso}Z`), utc(`${iso}.000Z`), iso);
    }
  });

  it('not a dateTime: out-of-range fields, a zone beyond ±14:00, any other shape', () => {
    for (const text of [
      '2026-00-10T00:00:00Z',
      '2026-13-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-32T00:00:00Z',
      '2026-01-10T00:60:00Z',
      '2026-01-10T00:00:60Z',
      '2026-01-10T00:00:00+14:01',
      '2026-01-10T00:00:00+15:00',
      '2026-01-10T00:00:00-14:30',
      '2026-01-10T00:00:00+01:60',
      '2026-01-10',
      '2026-01-10T00:00Z',
      '2026-1-10T00:00:00Z',
      '2026-01-10 00:00:00Z',
      '2026-01-10T00:00:00z',
      '2026-01-10T00:00:00+0100',
      '2026-01-10T00:00:00.Z',
      '2026-01-10T00:00:00Zjunk',
      ' 2026-01-10T00:00:00Z',
      '+2026-01-10T00:00:00Z',
      '',
    ]) {
      assert.equal(parseDateTime(text), undefined, text);
    }
  });
});
