/**
 * A reader that stops early (`| head`, or `2>&1 | head` with a summary line on stderr) closes the
 * pipe: the rest of the output is not wanted, so the tool exits quietly (status 0) instead of dying on
 * an unhandled EPIPE with a stack trace. Both streams are guarded: either may be the closed one.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}
