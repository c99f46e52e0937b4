import { z } from 'zod';

/**
 * Label schemas: the fields reviewers fill in, and `valuesSchema`, which turns a version's fields
 * into the zod schema its answers must satisfy. Client-safe: the app's review form validates with
 * exactly what the server enforces.
 */

export const MAX_FIELDS = 50;
export const MAX_OPTIONS = 100;
export const MAX_TEXT_LENGTH = 20_000;

const FieldKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is lowercase letters, digits and _ (starting with a letter), at most 64 characters')
  // zod reads an absent answer through the prototype: a field keyed "constructor" would get Object.
  .refine((k) => !(k in Object.prototype), 'this key is reserved (a built-in property name); choose another');

const fieldBase = {
  key: FieldKey,
  title: z.string().trim().min(1, 'a field needs a title').max(200),
  /** Shown to reviewers beside the field. */
  description: z.string().max(2000).default(''),
  required: z.boolean().default(false),
};

export const CategoryOption = z.object({
  value: z.string().trim().min(1).max(100),
  description: z.string().max(1000).optional(),
});
export type CategoryOption = z.infer<typeof CategoryOption>;

export const LabelField = z.discriminatedUnion('type', [
  z.object({ ...fieldBase, type: z.literal('pass_fail') }),
  z.object({
    ...fieldBase,
    type: z.literal('categorical'),
    /** Several values may be picked (multi select) rather than one. */
    multiple: z.boolean().default(false),
    options: z
      .array(CategoryOption)
      .min(1, 'a categorical field needs at least one value')
      .max(MAX_OPTIONS)
      .refine((o) => new Set(o.map((x) => x.value)).size === o.length, 'option values must be unique'),
  }),
  z
    .object({
      ...fieldBase,
      type: z.literal('numeric'),
      min: z.number().finite(),
      max: z.number().finite(),
      step: z.number().positive().finite().optional(),
      integer: z.boolean().default(false),
    })
    .refine((f) => f.min < f.max, { message: 'min must be below max', path: ['max'] }),
  z.object({ ...fieldBase, type: z.literal('boolean') }),
  z.object({ ...fieldBase, type: z.literal('text'), maxLength: z.number().int().min(1).max(MAX_TEXT_LENGTH).default(2000) }),
]);
export type LabelField = z.infer<typeof LabelField>;
export type LabelFieldInput = z.input<typeof LabelField>;

export const LabelFields = z
  .array(LabelField)
  .min(1, 'a schema needs at least one field')
  .max(MAX_FIELDS)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    fields.forEach((f, i) => {
      if (seen.has(f.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `the key "${f.key}" is used twice` });
      seen.add(f.key);
    });
  });

/** Answers to one version's fields, by field key. */
export type LabelValues = Record<string, string | string[] | number | boolean | null>;

/** Floating-point tolerance for "is a multiple of step" (0.1 + 0.2 must count as 0.3). */
const STEP_EPSILON = 1e-9;

function fieldValue(f: LabelField): z.ZodType {
  const name = `"${f.title}"`;
  // A missing answer reads "is required" rather than a type complaint about `undefined`.
  const error = (expected: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `${name} is required` : `${name} takes ${expected}`);
  switch (f.type) {
    case 'pass_fail':
      return z.enum(['pass', 'fail'], { error: error('"pass" or "fail"') });
    case 'boolean':
      return z.boolean({ error: error('true or false') });
    case 'text':
      return z
        .string({ error: error('text') })
        .max(f.maxLength, `${name} is limited to ${f.maxLength} characters`)
        .refine((s) => !f.required || s.trim().length > 0, `${name} is required`);
    case 'numeric': {
      let n = z.number({ error: error('a number') }).min(f.min, `${name} must be at least ${f.min}`).max(f.max, `${name} must be at most ${f.max}`);
      if (f.integer) n = n.int(`${name} must be a whole number`);
      const step = f.step;
      if (step === undefined) return n;
      return n.refine((v) => {
        const k = (v - f.min) / step;
        return Math.abs(k - Math.round(k)) < STEP_EPSILON * Math.max(1, Math.abs(k));
      }, `${name} moves in steps of ${step} from ${f.min}`);
    }
    case 'categorical': {
      const values = f.options.map((o) => o.value) as [string, ...string[]];
      const one = z.enum(values, { error: error(`one of: ${values.join(', ')}`) });
      if (!f.multiple) return one;
      return z
        .array(one, { error: error('a list of values') })
        .refine((a) => new Set(a).size === a.length, `${name} lists a value twice`)
        .refine((a) => !f.required || a.length > 0, `${name} needs at least one value`);
    }
  }
}

/**
 * The zod schema of the answers to `fields`: an object keyed by field key, unknown keys refused.
 * Optional fields may be absent or null. With `partial` (drafts, autosave), required fields may be
 * missing too, but whatever is present must still be valid. Error paths are the field keys.
 */
export function valuesSchema(fields: readonly LabelField[], opts: { partial?: boolean } = {}): z.ZodType<LabelValues> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    const v = fieldValue(f);
    shape[f.key] = f.required && !opts.partial ? v : v.nullish();
  }
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field${iss.keys.length > 1 ? 's' : ''}: ${iss.keys.join(', ')}` : undefined),
  }) as unknown as z.ZodType<LabelValues>;
}

/** The fields every project starts with (editable like any schema): a verdict and its failure modes. */
export const DEFAULT_SCHEMA = {
  name: 'Failure modes',
  description: 'A verdict on the trace and, when it fails, why.',
  fields: [
    { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true, description: 'Would you ship this answer to the user as it is?' },
    {
      key: 'failure_modes',
      title: 'Failure modes',
      type: 'categorical',
      multiple: true,
      required: false,
      description: 'Every way the answer falls short.',
      options: [
        { value: 'irrelevant', description: 'Does not address what the user asked.' },
        { value: 'hallucinated_reference', description: 'Cites a source, document, link or fact that does not exist or does not say that.' },
        { value: 'tone_mismatch', description: 'Wrong register for the product or the user (too casual, curt, condescending).' },
        { value: 'overly_verbose', description: 'Correct but longer than it needs to be.' },
        { value: 'incomplete_reasoning', description: 'Skips steps, stops early, or reaches a conclusion the steps do not support.' },
      ],
    },
  ] satisfies LabelFieldInput[],
};

export const SchemaIdParam = z.object({ schemaId: z.string().min(1).max(64) });

export const CreateLabelSchemaBody = z.object({
  name: z.string().trim().min(1, 'a schema needs a name').max(100),
  description: z.string().max(2000).default(''),
  fields: LabelFields,
});
export type CreateLabelSchemaBody = z.infer<typeof CreateLabelSchemaBody>;

/** Editing `fields` makes a new version; a name or description alone does not. */
export const UpdateLabelSchemaBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(2000).optional(),
    fields: LabelFields.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.fields !== undefined, 'send name, description or fields');
export type UpdateLabelSchemaBody = z.infer<typeof UpdateLabelSchemaBody>;

export interface LabelSchemaVersion {
  version: number;
  fields: LabelField[];
  createdAt: string;
  createdBy: string | null;
}

/** A schema with its latest version's fields; `versions` only on `GET /label-schemas/:schemaId`. */
export interface LabelSchemaResponse {
  id: string;
  name: string;
  description: string;
  version: number;
  fields: LabelField[];
  createdAt: string;
  updatedAt: string;
  versions?: LabelSchemaVersion[];
}
