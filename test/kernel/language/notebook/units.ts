// A module beside the test notebook: cells import it with a relative path.

/** Metres in one inch. */
export const INCH = 0.0254;

export function toMetres(inches: number): number {
  return inches * INCH;
}
