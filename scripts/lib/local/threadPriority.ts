/**
 * Nice value of the threads that do latency-tolerant work: the functions whose every mapping declares a
 * batching window (the storer waits up to 60 s by design) and the dynalite of their tables. In AWS each
 * execution environment and DynamoDB bring their own CPU; on one machine the storer would take CPU the
 * processor path needs within the second. Lowered, those threads still get every core the others leave
 * idle, and the load test still waits for them to deliver everything.
 */
export const BACKGROUND_NICE = 10;

/**
 * Source for the start of a worker thread that lowers that thread's own priority when `workerData.nice` is
 * set. Linux's setpriority takes a thread id for one thread (`/proc/thread-self` names it); elsewhere the
 * thread keeps its priority.
 */
export const LOWER_OWN_PRIORITY_SOURCE = `
if (workerData && workerData.nice > 0) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {}
}
`;
