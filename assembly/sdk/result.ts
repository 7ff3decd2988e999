// The one outcome type of the SDK and the policy: a value, or an error message (errors are values;
// AssemblyScript has no exceptions). `T` is a reference type; it may itself be nullable when "no
// value" is a success (e.g. a request that holds no workload).

export class Result<T> {
  constructor(
    public value: T | null,
    /** what went wrong, for a message; null on success */
    public error: string | null,
  ) {}

  get ok(): bool {
    return this.error == null;
  }
}

export function ok<T>(value: T): Result<T> {
  return new Result<T>(value, null);
}

export function fail<T>(error: string): Result<T> {
  return new Result<T>(null, error);
}
