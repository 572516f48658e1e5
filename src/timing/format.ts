/** Durations as people read them in a PR: 12.2s, 1m57s, 1h02m. */
export function formatSeconds(s: number): string {
  if (s < 9.95) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  const minutes = Math.round(total / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatRatio(r: number, digits = 1): string {
  return `${r.toFixed(digits)}x`;
}
