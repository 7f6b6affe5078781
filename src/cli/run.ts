/** An error class whose message says all a user needs. */
type Explained = abstract new (...args: never[]) => Error;

/**
 * Run a CLI's main and exit with its code. An error of an `explained` class prints its message
 * alone; anything else is a bug and prints with its stack.
 */
export function runCli(main: () => Promise<number>, explained: readonly Explained[]): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = explained.some((type) => error instanceof type);
      console.error(known ? (error as Error).message : error);
      process.exit(1);
    },
  );
}
