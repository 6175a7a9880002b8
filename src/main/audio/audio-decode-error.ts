// The one error type for "this file is not audio we can read". The message says what is wrong
// with the file; `hint` says what the user can do about it.
export class AudioDecodeError extends Error {
  readonly hint: string;
  constructor(message: string, hint = 'Export the sound as a WAV file (PCM or 32-bit float) and try again.') {
    super(message);
    this.name = 'AudioDecodeError';
    this.hint = hint;
  }
}
