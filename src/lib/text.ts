/** Free-text inputs of the catalogue resources (departments, shifts, holidays): trimmed before they are stored. */
import { invalid } from '../http/errors.ts';

/** @throws AppError 422 `body.name` when the name is blank after trimming. */
export function cleanName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw invalid('body.name', 'must not be blank');
  return name;
}

/** Trimmed; empty after trimming means "no description". */
export function cleanDescription(raw: string | null | undefined): string | null {
  const description = raw?.trim() ?? '';
  return description === '' ? null : description;
}
