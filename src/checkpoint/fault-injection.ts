// The one test-only seam in the product: crash tests set GAN_FAULT_CHECKPOINT_PAUSE_MS to hold
// every fully written checkpoint in its temporary directory for that long before it is
// published, so a test can kill the process, or press Ctrl-C a second time, at exactly that
// moment (test/e2e/reliability.test.ts). Unset in normal use, and documented nowhere a user reads.
const FAULT_PAUSE_VARIABLE = 'GAN_FAULT_CHECKPOINT_PAUSE_MS';

/** Waits GAN_FAULT_CHECKPOINT_PAUSE_MS milliseconds when it is set; returns at once otherwise. */
export async function faultInjectionPause(): Promise<void> {
  const ms = Number(process.env[FAULT_PAUSE_VARIABLE] ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
