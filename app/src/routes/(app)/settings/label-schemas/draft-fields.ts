import type { LabelField, LabelFieldInput } from '$shared/label-schemas';

export type FieldType = LabelField['type'];

export const FIELD_TYPES: { type: FieldType; label: string; hint: string }[] = [
  { type: 'pass_fail', label: 'Pass / fail', hint: 'a verdict' },
  { type: 'categorical', label: 'Categories', hint: 'pick one, or any, of a list' },
  { type: 'numeric', label: 'Number', hint: 'a score in a range' },
  { type: 'boolean', label: 'Yes / no', hint: 'a flag' },
  { type: 'text', label: 'Text', hint: 'a free answer' },
];

export interface DraftOption {
  uid: string;
  value: string;
  description: string;
}

/** One field while it is edited: every type's settings are kept, so switching type loses nothing. */
export interface DraftField {
  uid: string;
  /** The key of the saved version it came from; changing it starts a new column in exports. */
  savedKey: string | null;
  key: string;
  keyEdited: boolean;
  title: string;
  description: string;
  required: boolean;
  type: FieldType;
  multiple: boolean;
  options: DraftOption[];
  min: number | null;
  max: number | null;
  step: number | null;
  integer: boolean;
  maxLength: number | null;
}

const uid = () => crypto.randomUUID();

/** A key from a title: "Failure modes" → failure_modes. */
export function keyFrom(title: string): string {
  const k = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return /^[a-z]/.test(k) ? k : k ? `f_${k}`.slice(0, 64) : '';
}

export function option(value = '', description = ''): DraftOption {
  return { uid: uid(), value, description };
}

export function newField(type: FieldType = 'pass_fail'): DraftField {
  return {
    uid: uid(),
    savedKey: null,
    key: '',
    keyEdited: false,
    title: '',
    description: '',
    required: type === 'pass_fail',
    type,
    multiple: false,
    options: type === 'categorical' ? [option(), option()] : [],
    min: 1,
    max: 5,
    step: 1,
    integer: true,
    maxLength: 2000,
  };
}

export function fromField(f: LabelField): DraftField {
  const d = { ...newField(f.type), savedKey: f.key, key: f.key, keyEdited: true, title: f.title, description: f.description, required: f.required };
  if (f.type === 'categorical') {
    d.multiple = f.multiple;
    d.options = f.options.map((o) => option(o.value, o.description ?? ''));
  } else if (f.type === 'numeric') {
    d.min = f.min;
    d.max = f.max;
    d.step = f.step ?? null;
    d.integer = f.integer;
  } else if (f.type === 'text') {
    d.maxLength = f.maxLength;
  }
  return d;
}

/** The field as the API takes it (`LabelField`'s input); the schema checks the rest. */
export function toField(d: DraftField): LabelFieldInput {
  const base = { key: d.key.trim(), title: d.title.trim(), description: d.description.trim(), required: d.required };
  switch (d.type) {
    case 'categorical':
      return {
        ...base,
        type: 'categorical',
        multiple: d.multiple,
        options: d.options.map((o) => ({ value: o.value.trim(), ...(o.description.trim() ? { description: o.description.trim() } : {}) })),
      };
    case 'numeric':
      return {
        ...base,
        type: 'numeric',
        min: d.min ?? Number.NaN,
        max: d.max ?? Number.NaN,
        ...(d.step ? { step: d.step } : {}),
        integer: d.integer,
      };
    case 'text':
      return { ...base, type: 'text', maxLength: d.maxLength ?? 2000 };
    default:
      return { ...base, type: d.type };
  }
}

/** Zod issue paths (`[2, 'options']`) or API detail paths (`fields.2.options`) as "index.rest" → message. */
export function issueKey(path: readonly PropertyKey[] | string): string {
  const parts = typeof path === 'string' ? path.split('.') : path.map(String);
  return (parts[0] === 'fields' ? parts.slice(1) : parts).join('.');
}
