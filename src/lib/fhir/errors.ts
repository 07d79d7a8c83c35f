/**
 * The one error type for FHIR input that came from outside (a file a person
 * picked, bytes a peer sent). `kind` is for code, `messageKey` + `params` are
 * for the UI (`$_(e.messageKey, { values: e.params })`, keys under `fhir.error.`
 * in the message files), and `message` is the same text in English for logs
 * and tests.
 */

export type FhirErrorKind = 'not-json' | 'not-fhir' | 'too-large' | 'invalid';

/** Parameters interpolated into the i18n message. */
export type FhirErrorParams = Record<string, string | number>;

/** Bad FHIR input: a person can act on `message` (pick another file, trim it). */
export class FhirError extends Error {
  readonly kind: FhirErrorKind;
  /** An i18n key under `fhir.error.` */
  readonly messageKey: string;
  readonly params: FhirErrorParams;

  constructor(kind: FhirErrorKind, messageKey: string, message: string, params: FhirErrorParams = {}) {
    super(message);
    this.name = 'FhirError';
    this.kind = kind;
    this.messageKey = messageKey;
    this.params = params;
  }
}

/** True for a FhirError, also across realms (workers) where instanceof fails. */
export function isFhirError(e: unknown): e is FhirError {
  return e instanceof FhirError || (e instanceof Error && e.name === 'FhirError' && typeof (e as { kind?: unknown }).kind === 'string');
}
