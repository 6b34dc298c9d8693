/**
 * A reader that stops early (`| head`) closes the pipe: the rest of the output is not wanted, so
 * the tool exits quietly (status 0) instead of dying on an unhandled EPIPE with a stack trace.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
