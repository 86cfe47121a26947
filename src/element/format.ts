/** Numbers, sizes, speeds and durations for people, through `Intl`, in the element's language. */

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

// Decimal units, as the `Intl` unit names mean (1 MB = 1 000 000 bytes).
const byteUnits = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

function scale(bytes: number): [number, (typeof byteUnits)[number]] {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit++;
  }
  return [value, byteUnits[unit]];
}

/** `12.5 MB`. */
export function formatBytes(bytes: number, locale: string): string {
  const [value, unit] = scale(bytes);
  return numberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'byte' || value >= 100 ? 0 : 1,
  }).format(value);
}

/** `3.2 MB/s`. */
export function formatSpeed(bytesPerSecond: number, locale: string): string {
  const [value, unit] = scale(bytesPerSecond);
  return numberFormat(locale, {
    style: 'unit',
    unit: `${unit}-per-second`,
    unitDisplay: 'short',
    maximumFractionDigits: value >= 100 ? 0 : 1,
  }).format(value);
}

/** `42%` from 0…100. */
export function formatPercent(percent: number, locale: string): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.floor(percent) / 100);
}

interface DurationFormatLike {
  format(duration: { hours?: number; minutes?: number; seconds?: number }): string;
}
type DurationFormatConstructor = new (locale: string, options: Record<string, string>) => DurationFormatLike;

/** `1 hr, 5 min` or `42 sec`: whole seconds, at most two units. */
export function formatDuration(totalSeconds: number, locale: string): string {
  let seconds = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts: Array<['hour' | 'minute' | 'second', number]> = hours
    ? [
        ['hour', hours],
        ['minute', minutes],
      ]
    : minutes
      ? [
          ['minute', minutes],
          ['second', seconds],
        ]
      : [['second', seconds]];
  const shown = parts.filter(([, value], index) => value > 0 || index === 0);
  const DurationFormat = (Intl as unknown as { DurationFormat?: DurationFormatConstructor }).DurationFormat;
  if (DurationFormat) {
    const duration: Record<string, number> = {};
    // Zero units are left out by default, which would make "0 sec" an empty string.
    const options: Record<string, string> = { style: 'short' };
    for (const [unit, value] of shown) {
      duration[`${unit}s`] = value;
      options[`${unit}sDisplay`] = 'always';
    }
    return new DurationFormat(locale, options).format(duration);
  }
  return shown
    .map(([unit, value]) => numberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(value))
    .join(' ');
}
