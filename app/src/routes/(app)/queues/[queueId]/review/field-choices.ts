import type { LabelField } from '$shared/label-schemas';
import type { FieldValue } from './review-session.svelte';

export interface Choice {
  value: string | boolean;
  label: string;
  description?: string;
  /** How the choice reads without colour. */
  tone?: 'pass' | 'fail';
}

/** The values a field offers as buttons, in the order digits pick them (1 is the first). */
export function choices(f: LabelField): Choice[] {
  switch (f.type) {
    case 'pass_fail':
      return [
        { value: 'pass', label: 'Pass', tone: 'pass' },
        { value: 'fail', label: 'Fail', tone: 'fail' },
      ];
    case 'boolean':
      return [
        { value: true, label: 'Yes' },
        { value: false, label: 'No' },
      ];
    case 'categorical':
      return f.options.map((o) => ({ value: o.value, label: o.value, description: o.description }));
    default:
      return [];
  }
}

export function isMulti(f: LabelField): boolean {
  return f.type === 'categorical' && f.multiple;
}

export function isChosen(f: LabelField, current: FieldValue | undefined, value: string | boolean): boolean {
  return isMulti(f) ? Array.isArray(current) && current.includes(value as string) : current === value;
}

/** The field's value after picking `value`: multi-select toggles it; otherwise it is set, or cleared when picked again. */
export function pick(f: LabelField, current: FieldValue | undefined, value: string | boolean): FieldValue {
  if (isMulti(f)) {
    const list = Array.isArray(current) ? current : [];
    return list.includes(value as string) ? list.filter((v) => v !== value) : [...list, value as string];
  }
  return current === value ? null : value;
}
