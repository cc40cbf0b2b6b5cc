// Errors the user can act on. The CLI prints their message as one line and exits with
// `exitCode` (2 = bad input); anything else is a bug and is reported with its stack.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
