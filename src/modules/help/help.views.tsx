/**
 * Pieces the survivor pages share: links that keep her language and her "plain titles" choice, form fields
 * with their hint (why it is asked) and error, the safe-contact block, and the error summary.
 */
import type { FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { FieldProblem } from '../../platform/errors.ts';
import type { MessageKey } from '../../platform/i18n/catalog.ts';

/** Her choice of neutral page titles travels in her own links (`?n=1`) and forms, never in a cookie. */
export function neutralChosen(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  return query?.n === '1' || (typeof body === 'object' && body !== null && body.n === '1');
}

export interface Portal {
  t: FastifyRequest['t'];
  neutral: boolean;
  /** A link in her language, carrying the neutral-titles choice. */
  href(path: string): string;
  /** A form action in her language (the choice travels in a hidden field). */
  action(path: string): string;
}

export function portal(request: FastifyRequest, neutral = neutralChosen(request)): Portal {
  return {
    t: request.t.bind(request),
    neutral,
    href: (path) => {
      const localized = request.localePath(path);
      if (!neutral) return localized;
      const [base = '', hash] = localized.split('#');
      return `${base}${base.includes('?') ? '&' : '?'}n=1${hash ? '#' + hash : ''}`;
    },
    action: (path) => request.localePath(path),
  };
}

export function NeutralField({ p }: { p: Portal }) {
  return p.neutral ? <input type="hidden" name="n" value="1" /> : null;
}

/** Problems by form field id; the API's dotted field names map onto the form's input names. */
export type FormErrors = Map<string, string>;

const FORM_FIELD: Record<string, string> = {
  'contact.phone': 'phone',
  'contact.email': 'email',
  'contact.codeWord': 'codeWord',
  'contact.noSms': 'noSms',
  'contact.windows': 'window1From',
  'contact.windows.0.from': 'window1From',
  'contact.windows.0.to': 'window1To',
  'contact.windows.1.from': 'window2From',
  'contact.windows.1.to': 'window2To',
  'windows.0.from': 'window1From',
  'windows.0.to': 'window1To',
  'windows.1.from': 'window2From',
  'windows.1.to': 'window2To',
  windows: 'window1From',
};

export function formErrors(request: FastifyRequest, problems: FieldProblem[]): FormErrors {
  const errors: FormErrors = new Map();
  for (const problem of problems) {
    const id = FORM_FIELD[problem.field] ?? problem.field;
    if (!errors.has(id)) errors.set(id, request.t(problem.message, problem.params));
  }
  return errors;
}

export function ErrorSummary({
  p,
  errors,
  labels,
}: {
  p: Portal;
  errors: FormErrors;
  labels: Record<string, string>;
}) {
  if (errors.size === 0) return null;
  return (
    <div class="errors" role="alert" tabindex={-1} id="errors">
      <p>
        <strong>{p.t('help.form.errorsTitle')}</strong>
      </p>
      <ul>
        {[...errors].map(([id, message]) => (
          <li>
            <a href={`#${id}`}>
              {p.t('error.validation.field', { field: labels[id] ?? id, problem: message })}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Hint({ id, children }: { id: string; children: ComponentChildren }) {
  return (
    <span class="hint" id={id}>
      {children}
    </span>
  );
}

export function FieldError({ id, errors }: { id: string; errors: FormErrors }) {
  const message = errors.get(id);
  return message ? (
    <span class="field-error" id={`${id}-error`}>
      {message}
    </span>
  ) : null;
}

/** aria-describedby for an input: its hint and, when present, its error. */
export const describedBy = (id: string, errors: FormErrors, hint = true): string | undefined =>
  [hint ? `${id}-hint` : '', errors.has(id) ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(props: {
  id: string;
  label: string;
  hint?: string;
  value?: string;
  errors: FormErrors;
  type?: string;
  maxLength?: number;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  required?: boolean;
  optionalLabel?: string;
  sensitive?: boolean;
}) {
  const { id, errors } = props;
  return (
    <div class={errors.has(id) ? 'field invalid' : 'field'}>
      <label for={id}>
        {props.label}
        {props.optionalLabel ? <span class="opt"> {props.optionalLabel}</span> : null}
      </label>
      {props.hint ? <Hint id={`${id}-hint`}>{props.hint}</Hint> : null}
      <FieldError id={id} errors={errors} />
      <input
        id={id}
        name={id}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        required={props.required}
        autocomplete="off"
        autocapitalize={props.sensitive ? 'off' : undefined}
        spellcheck={props.sensitive ? false : undefined}
        aria-invalid={errors.has(id) ? 'true' : undefined}
        aria-describedby={describedBy(id, errors, Boolean(props.hint))}
      />
    </div>
  );
}

export function SelectField(props: {
  id: string;
  label: string;
  hint?: string;
  value?: string;
  errors: FormErrors;
  options: { value: string; label: string }[];
  empty: string;
  optionalLabel?: string;
}) {
  const { id, errors } = props;
  return (
    <div class={errors.has(id) ? 'field invalid' : 'field'}>
      <label for={id}>
        {props.label}
        {props.optionalLabel ? <span class="opt"> {props.optionalLabel}</span> : null}
      </label>
      {props.hint ? <Hint id={`${id}-hint`}>{props.hint}</Hint> : null}
      <FieldError id={id} errors={errors} />
      <select
        id={id}
        name={id}
        aria-invalid={errors.has(id) ? 'true' : undefined}
        aria-describedby={describedBy(id, errors, Boolean(props.hint))}
      >
        <option value="">{props.empty}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function RadioGroup(props: {
  name: string;
  legend: string;
  hint?: string;
  value?: string;
  errors: FormErrors;
  options: { value: string; label: string }[];
  optionalLabel?: string;
}) {
  const { name, errors } = props;
  return (
    <fieldset
      class={errors.has(name) ? 'field invalid' : 'field'}
      id={name}
      aria-describedby={describedBy(name, errors, Boolean(props.hint))}
    >
      <legend>
        {props.legend}
        {props.optionalLabel ? <span class="opt"> {props.optionalLabel}</span> : null}
      </legend>
      {props.hint ? <Hint id={`${name}-hint`}>{props.hint}</Hint> : null}
      <FieldError id={name} errors={errors} />
      {props.options.map((o, i) => (
        <label class="choice" for={`${name}-${i}`}>
          <input
            type="radio"
            id={`${name}-${i}`}
            name={name}
            value={o.value}
            checked={o.value === props.value}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

export function Checkbox(props: {
  id: string;
  label: string;
  checked: boolean;
  errors: FormErrors;
  value?: string;
  name?: string;
}) {
  return (
    <div class={props.errors.has(props.id) ? 'field invalid' : ''}>
      <FieldError id={props.id} errors={props.errors} />
      <label class="choice" for={props.id}>
        <input
          type="checkbox"
          id={props.id}
          name={props.name ?? props.id}
          value={props.value ?? 'on'}
          checked={props.checked}
          aria-describedby={props.errors.has(props.id) ? `${props.id}-error` : undefined}
        />
        {props.label}
      </label>
    </div>
  );
}

/** Safe-contact rules for a call-back or a help request: when to call, code word, no voicemail / SMS. */
export function SafeCallFields({
  p,
  values,
  errors,
}: {
  p: Portal;
  values: Record<string, string>;
  errors: FormErrors;
}) {
  const t = p.t;
  return (
    <>
      <fieldset class="field" aria-describedby="windows-hint">
        <legend>{t('help.new.windows')}</legend>
        <Hint id="windows-hint">{t('help.new.windowsWhy')}</Hint>
        {[1, 2].map((n) => (
          <div class="window">
            <span class="window-label" id={`window${n}-label`}>
              {t('help.new.window', { n })}
            </span>
            {(['From', 'To'] as const).map((end) => {
              const id = `window${n}${end}`;
              return (
                <span class="time">
                  <label for={id}>{t(end === 'From' ? 'help.new.from' : 'help.new.to')}</label>
                  <FieldError id={id} errors={errors} />
                  <input
                    id={id}
                    name={id}
                    type="time"
                    value={values[id] ?? ''}
                    autocomplete="off"
                    aria-invalid={errors.has(id) ? 'true' : undefined}
                    aria-describedby={[`window${n}-label`, errors.has(id) ? `${id}-error` : '']
                      .filter(Boolean)
                      .join(' ')}
                  />
                </span>
              );
            })}
          </div>
        ))}
      </fieldset>
      <TextField
        id="codeWord"
        label={t('help.new.codeWord')}
        hint={t('help.new.codeWordWhy')}
        value={values.codeWord}
        errors={errors}
        maxLength={30}
        optionalLabel={t('help.form.optional')}
        sensitive
      />
      <Checkbox
        id="noVoicemail"
        label={t('help.new.noVoicemail')}
        checked={values.noVoicemail !== 'off'}
        errors={errors}
      />
      <Checkbox id="noSms" label={t('help.new.noSms')} checked={values.noSms === 'on'} errors={errors} />
    </>
  );
}

export function labelsFor(t: FastifyRequest['t'], keys: Record<string, MessageKey>): Record<string, string> {
  return Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, t(key)]));
}
