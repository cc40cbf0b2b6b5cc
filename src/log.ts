// How commands, and the modules they call, talk to the user: plain lines and warnings.
export interface Log {
  log(line: string): void;
  warn(line: string): void;
}
