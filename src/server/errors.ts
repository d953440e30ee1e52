// The refusal a rule or a store raises; the app's error handler maps its code to a problem document.
export class DomainError extends Error {
  readonly code: 'validation' | 'forbidden' | 'not_found' | 'conflict' | 'precondition_failed' | 'quota_exceeded';
  constructor(code: DomainError['code'], message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}
